from odoo import api, fields, models

READER = "elitaco_integration.group_integration_reader"


class ResPartner(models.Model):
    _inherit = "res.partner"

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
    woo_timeline_count = fields.Integer(compute="_compute_woo_timeline", groups=READER)
    woo_timeline_problem = fields.Text(compute="_compute_woo_timeline", groups=READER)
    woo_timeline_level = fields.Char(compute="_compute_woo_timeline", groups=READER)

    @api.depends_context("uid")
    def _compute_woo_timeline(self):
        self.env["integration.timeline"]._summarize(self, "partner_id")

    def action_open_woo_timeline(self):
        return self.env["integration.timeline"]._action_of(self, "partner_id")

    def action_replay_woo_timeline(self):
        return self.env["integration.timeline"]._replay_problems(self, "partner_id")
