from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Amount-only credit notes of WooCommerce refunds have no sale lines to reach their order
    # through; this shows them on the order's Invoices smart button as Odoo's own.
    woo_sale_order_id = fields.Many2one(
        "sale.order", string="WooCommerce order", index="btree_not_null", copy=False, readonly=True
    )
