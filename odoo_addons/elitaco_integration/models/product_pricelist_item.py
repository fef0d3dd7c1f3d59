from odoo import fields, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    woo_sale = fields.Boolean(
        string="WooCommerce sale price",
        readonly=True,
        help="Made from a product's sale price in WooCommerce, and ended or changed with it.",
    )
    woo_variant_price = fields.Boolean(
        string="WooCommerce variant price",
        readonly=True,
        help="A variation's price in WooCommerce that its values' extras cannot make: kept "
        "by the integration with the variation's prices, outside its WooCommerce sale.",
    )
