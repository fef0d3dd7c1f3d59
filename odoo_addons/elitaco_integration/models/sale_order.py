from odoo import _, api, fields, models
from odoo.exceptions import UserError


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
    woo_tax_map_wait_ids = fields.Many2many(
        "integration.value.map",
        "sale_order_woo_tax_map_wait_rel",
        "order_id",
        "value_map_id",
        string="Waiting for tax maps",
        copy=False,
        readonly=True,
        help="WooCommerce tax rates that have no Odoo tax: the order is kept as a quotation "
        "until they are mapped, then applied by itself.",
    )
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
    # A WooCommerce event of the order that died and waits for a person: shown on the order,
    # to whoever may read it, with what to do.
    integration_problem = fields.Boolean(
        compute="_compute_integration_problem",
        search="_search_integration_problem",
        help="A WooCommerce event of this order could not be applied and waits for a person.",
    )
    integration_problem_message = fields.Text(compute="_compute_integration_problem")
    integration_problem_action = fields.Text(compute="_compute_integration_problem")
    integration_problem_map_kind = fields.Char(compute="_compute_integration_problem")

    @api.depends("integration_event_ids")
    def _compute_integration_event_count(self):
        counts = dict(
            self.env["integration.event"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.integration_event_count = counts.get(order, 0)

    @api.depends_context("uid")
    def _compute_integration_problem(self):
        latest = {}
        for event in self._integration_problem_events():  # newest first
            latest.setdefault(event.sale_order_id.id, event)
        for order in self:
            event = latest.get(order.id)
            order.integration_problem = bool(event)
            order.integration_problem_message = event and event._problem_message()
            order.integration_problem_action = event and event.problem_action
            order.integration_problem_map_kind = event and event.fix_map_kind

    def _search_integration_problem(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(_("Search Integration problem with = or !=."))
        groups = (
            self.env["integration.event"]
            .sudo()
            ._read_group(
                [("state", "=", "dead"), ("sale_order_id", "!=", False)], ["sale_order_id"]
            )
        )
        ids = [order.id for (order,) in groups]
        return [("id", "in" if (operator == "=") == bool(value) else "not in", ids)]

    def _integration_problem_events(self):
        """The order's dead events, newest first. Read as superuser: whoever sees the order
        sees its problem, not the events' envelopes (the customers' data)."""
        return (
            self.env["integration.event"]
            .sudo()
            .search([("sale_order_id", "in", self.ids), ("state", "=", "dead")])
        )

    def _note_integration_problem(self, event) -> None:
        """The chatter says it once when the order starts to need a person, not per event."""
        for order in self:
            if order._integration_problem_events() == event:
                body = _(
                    "Integration problem: %(problem)s %(action)s",
                    problem=event._problem_message(),
                    action=event._problem_action(manager=True),
                )
                # As superuser: a note needs no sender's e-mail, which the workers' user may lack.
                order.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def _note_integration_resolved(self) -> None:
        for order in self:
            if not order._integration_problem_events():
                order.sudo().message_post(
                    body=_("Integration problem resolved: WooCommerce's order is applied."),
                    subtype_xmlid="mail.mt_note",
                )

    def action_open_integration_problem(self):
        """The list's warning icon: the order, whose banner says what failed and what to do."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_replay_integration_problems(self):
        """The banner's Replay: the order's dead events, oldest first."""
        return self._integration_problem_events().with_env(self.env).action_replay()

    def action_open_integration_value_map(self):
        """The banner's button: the value map that would let the dead event apply."""
        self.ensure_one()
        event = self._integration_problem_events().filtered("fix_map_kind")[:1]
        if not event:
            raise UserError(_("No value map to set for this order's problem."))
        return event.with_env(self.env).action_open_value_map()

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
