from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    woo_order_id = fields.Integer(
        string="WooCommerce order ID", index=True, copy=False, readonly=True
    )
    woo_store = fields.Char(string="WooCommerce store", copy=False, readonly=True)
    woo_order_number = fields.Char(string="WooCommerce number", copy=False, readonly=True)
    woo_status = fields.Char(string="WooCommerce status", copy=False, readonly=True)
    woo_date_modified = fields.Datetime(
        string="WooCommerce modified",
        copy=False,
        readonly=True,
        help="date_modified_gmt of the WooCommerce state applied last; older updates are ignored.",
    )
    woo_state_digest = fields.Char(
        string="WooCommerce state digest",
        copy=False,
        readonly=True,
        help="Tells the state applied last from another one of the same second.",
    )
    woo_state_received_at = fields.Datetime(
        string="WooCommerce state received",
        copy=False,
        readonly=True,
        help="When the relay received the state applied last: of two states of the same second, "
        "the one received later wins.",
    )
    woo_payment_method = fields.Char(string="Payment method", copy=False, readonly=True)
    woo_payment_method_title = fields.Char(string="Payment method title", copy=False, readonly=True)
    woo_transaction_id = fields.Char(string="Transaction ID", copy=False, readonly=True)
    woo_customer_note = fields.Text(string="Customer note", copy=False, readonly=True)
    integration_timeline_ids = fields.One2many(
        "integration.timeline", "sale_order_id", string="Integration timeline", readonly=True
    )
    integration_event_ids = fields.One2many(
        "integration.event",
        "sale_order_id",
        string="Integration events",
        readonly=True,
        groups="elitaco_integration.group_integration_user",
    )
    woo_credit_note_ids = fields.One2many(
        "account.move", "woo_sale_order_id", string="WooCommerce refunds", readonly=True
    )
    integration_event_count = fields.Integer(
        compute="_compute_integration_event_count",
        groups="elitaco_integration.group_integration_user",
    )

    @api.depends("integration_event_ids")
    def _compute_integration_event_count(self):
        counts = dict(
            self.env["integration.event"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.integration_event_count = counts.get(order, 0)

    @api.depends("woo_credit_note_ids")
    def _get_invoiced(self):
        super()._get_invoiced()
        for order in self:
            order.invoice_ids |= order.woo_credit_note_ids
            order.invoice_count = len(order.invoice_ids)

    def action_open_integration_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_event_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {}
        return action

    def _action_cancel(self):
        result = super()._action_cancel()
        self.env["integration.outbox"]._for_orders(
            self, "odoo.order.cancelled", lambda order: {"reason": None}
        )
        return result
