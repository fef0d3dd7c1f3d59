from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    woo_customer = fields.Boolean(
        string="WooCommerce customer",
        copy=False,
        help="Created or bound by the WooCommerce integration, or marked by hand. Only such "
        "contacts are matched by e-mail to WooCommerce customers and orders: WooCommerce does "
        "not verify e-mail addresses, so a vendor's or a user's contact is never taken.",
    )
