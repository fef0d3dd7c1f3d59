from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done")
        self.env["integration.outbox"]._for_stock(done.product_id)
        return moves
