from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Amount-only credit notes of WooCommerce refunds have no sale lines to reach their order
    # through; this shows them on the order's Invoices smart button as Odoo's own.
    woo_sale_order_id = fields.Many2one(
        "sale.order", string="WooCommerce order", index="btree_not_null", copy=False, readonly=True
    )

    def _post(self, soft=True):
        posted = super()._post(soft)
        credit_notes = posted.filtered(lambda move: move.move_type == "out_refund")
        if credit_notes and not self.env.context.get("elitaco_from_woo"):
            self.env["integration.woo.payment"]._for_credit_notes(credit_notes)
        return posted

    def _woo_order(self):
        """The WooCommerce order this credit note gives money back on, if any."""
        self.ensure_one()
        orders = (
            self.woo_sale_order_id
            | self.line_ids.sale_line_ids.order_id
            | self.reversed_entry_id.line_ids.sale_line_ids.order_id
        )
        return orders.filtered("woo_order_id")[:1]
