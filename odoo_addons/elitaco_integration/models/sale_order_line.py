from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # WooCommerce numbers every item of an order (products, shipping, fees) in one sequence;
    # its refunds name the items they give money back for by this id.
    woo_line_id = fields.Integer(
        string="WooCommerce line ID", copy=False, readonly=True, index="btree_not_null"
    )
