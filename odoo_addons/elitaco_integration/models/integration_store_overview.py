from odoo import _, fields, models

WAITING_STATES = ("received", "processing")


class IntegrationStoreOverview(models.Model):
    """Integration › Overview: per store, what waits, what failed, what is dead, the open
    alerts, when the workers last reconciled and checked the webhooks; each count opens its
    list."""

    _inherit = "integration.store"

    waiting_count = fields.Integer(string="Waiting", compute="_compute_overview")
    failed_count = fields.Integer(string="Failed", compute="_compute_overview")
    dead_count = fields.Integer(string="Dead letters", compute="_compute_overview")
    drift_count = fields.Integer(string="Drift", compute="_compute_overview")
    alert_count = fields.Integer(string="Open alerts", compute="_compute_overview")
    webhook_problem_count = fields.Integer(string="Webhook problems", compute="_compute_overview")
    alert_summary = fields.Char(string="Alerts", compute="_compute_overview")
    last_report_at = fields.Datetime(
        string="Workers last reported",
        readonly=True,
        help="When the workers of this store last sent their checks (webhooks, API key, backlog).",
    )
    last_reconcile_at = fields.Datetime(
        string="Last reconcile",
        readonly=True,
        help="The workers' last catch-up of what WooCommerce changed.",
    )
    webhooks_checked_at = fields.Datetime(string="Webhooks checked", readonly=True)

    def _compute_overview(self):
        events = self.env["integration.event"].sudo()
        counts = {
            (store, state): count
            for store, state, count in events._read_group(
                [
                    ("store", "in", self.mapped("key")),
                    ("state", "in", ("received", "processing", "failed", "dead")),
                ],
                ["store", "state"],
                ["__count"],
            )
        }
        alerts = (
            self.env["integration.alert"]
            .sudo()
            .search([("store_id", "in", self.ids), ("state", "=", "open")])
        )
        kinds = dict(alerts._fields["kind"]._description_selection(self.env))
        for store in self:
            mine = alerts.filtered(lambda alert, store=store: alert.store_id == store)
            store.waiting_count = sum(counts.get((store.key, state), 0) for state in WAITING_STATES)
            store.failed_count = counts.get((store.key, "failed"), 0)
            store.dead_count = counts.get((store.key, "dead"), 0)
            store.drift_count = sum(
                mine.filtered(lambda alert: alert.kind == "drift").mapped("count")
            )
            store.webhook_problem_count = sum(
                mine.filtered(lambda alert: alert.kind == "webhook").mapped("count")
            )
            store.alert_count = len(mine)
            store.alert_summary = ", ".join(
                kind for code, kind in kinds.items() if code in mine.mapped("kind")
            ) or _("None")

    def _events_action(self, name: str, states: tuple[str, ...]):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_event_action"
        )
        action.update(
            name=f"{name} – {self.name}",
            domain=[("store", "=", self.key), ("state", "in", states)],
            context={},
        )
        return action

    def action_open_waiting(self):
        return self._events_action(_("Waiting"), WAITING_STATES)

    def action_open_failed(self):
        return self._events_action(_("Failed"), ("failed",))

    def action_open_dead(self):
        action = self._events_action(_("Dead letters"), ("dead",))
        action["help"] = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_event_dead_action"
        )["help"]
        return action

    def action_open_alerts(self, kind: str | None = None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_alert_action"
        )
        domain = [("store_id", "=", self.id)]
        if kind:
            domain.append(("kind", "=", kind))
        action.update(name=f"{action['name']} – {self.name}", domain=domain)
        return action

    def action_open_drift(self):
        return self.action_open_alerts("drift")

    def action_open_webhook_alert(self):
        return self.action_open_alerts("webhook")
