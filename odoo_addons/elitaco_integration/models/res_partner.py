from odoo import fields, models

READER = "elitaco_integration.group_integration_reader"


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "integration.timeline.mixin"]
    _woo_timeline_link = "partner_id"

    woo_customer = fields.Boolean(
        string="WooCommerce customer",
        copy=False,
        help="Created or bound by the WooCommerce integration, or marked by hand. Only such "
        "contacts are matched by e-mail to WooCommerce customers and orders: WooCommerce does "
        "not verify e-mail addresses, so a vendor's or a user's contact is never taken.",
    )
    woo_timeline_ids = fields.One2many(
        "integration.timeline",
        "partner_id",
        string="WooCommerce timeline",
        readonly=True,
        groups=READER,
        help="WooCommerce's events of the customer.",
    )
