from odoo import models
from odoo.tools import plaintext2html


class StockMove(models.Model):
    """What changes the free quantity of a product queues a stock push: moves done, and
    reservations made or given back (a sale confirmed or cancelled in Odoo), so that
    WooCommerce does not go on selling what Odoo has promised elsewhere."""

    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        done = moves.filtered(lambda move: move.state == "done")
        self.env["integration.woo.stock"]._for_moves(done)
        return moves

    def _action_assign(self, force_qty=False):
        reserved_before = {move.id: move.quantity for move in self}
        result = super()._action_assign(force_qty=force_qty)
        reserved = self.filtered(lambda move: move.quantity != reserved_before[move.id])
        self.env["integration.woo.stock"]._for_moves(reserved)
        return result

    def _do_unreserve(self):
        reserved = self.filtered(lambda move: move.quantity and move.state != "done")
        result = super()._do_unreserve()
        self.env["integration.woo.stock"]._for_moves(reserved)
        return result

    def _get_new_picking_values(self):
        """The note the customer left at the WooCommerce checkout goes on the transfers of the
        order, where the warehouse reads it (as stock_delivery takes the order's carrier
        there)."""
        values = super()._get_new_picking_values()
        note = self.group_id.sale_id[:1].woo_customer_note
        if note:
            values["note"] = (values.get("note") or "") + plaintext2html(note)
        return values
