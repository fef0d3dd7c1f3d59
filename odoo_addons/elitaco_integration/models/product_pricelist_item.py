from odoo import fields, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    woo_sale = fields.Boolean(
        string="WooCommerce sale price",
        readonly=True,
        help="Made from a product's sale price in WooCommerce, and ended or changed with it.",
    )
