from datetime import timedelta
from typing import Any

from jsonschema import Draft7Validator

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import parse_utc

KINDS = [
    ("dead_letter", "Dead letters"),
    ("webhook", "Webhooks"),
    ("api_key", "Workers' API key"),
    ("backlog", "Backlog"),
    ("drift", "Drift"),
    ("silent", "Workers silent"),
]
# What the workers check and report over /elitaco/v1/alerts; the others Odoo finds itself.
WORKER_KINDS = ("webhook", "api_key", "backlog")
SILENCE_PARAM = "elitaco_integration.worker_silence_minutes"
DEFAULT_SILENCE_MINUTES = 120
REPORT_SCHEMA = {
    "type": "object",
    "required": ["store", "alerts"],
    "properties": {
        "store": {"type": "string", "minLength": 1},
        "reconciled_at": {"type": ["string", "null"], "format": "date-time"},
        "alerts": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "required": ["kind", "ok"],
                "additionalProperties": False,
                "properties": {
                    "kind": {"enum": list(WORKER_KINDS)},
                    "ok": {"type": "boolean"},
                    "message": {"type": "string", "maxLength": 4000},
                    "count": {"type": "integer", "minimum": 0},
                },
                # A problem says what it is: the person reading the To-Do has nothing else.
                "if": {"properties": {"ok": {"const": False}}},
                "then": {"required": ["message"], "properties": {"message": {"minLength": 1}}},
            },
        },
    },
}


class IntegrationAlert(models.Model):
    """Something a person must act on, per store and kind: dead letters, webhooks WooCommerce
    disabled or that point elsewhere, the workers' API key, a backlog, drift, workers that
    stopped reporting. One open alert and one To-Do for the Integration Managers per store and
    kind however often it is found (its count and message follow), done when it clears."""

    _name = "integration.alert"
    _description = "Integration alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, last_raised_at desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    store_id = fields.Many2one("integration.store", index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(
        related="store_id.company_id", store=True, index=True, string="Company"
    )
    kind = fields.Selection(KINDS, required=True, readonly=True)
    state = fields.Selection(
        [("cleared", "Cleared"), ("open", "Open")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
    )
    message = fields.Text(readonly=True, help="What was found, and what to do about it.")
    count = fields.Integer(readonly=True, help="How many: dead letters, webhooks, records…")
    first_raised_at = fields.Datetime(string="Raised", readonly=True)
    last_raised_at = fields.Datetime(string="Last found", readonly=True)
    cleared_at = fields.Datetime(string="Cleared", readonly=True)

    @api.depends("kind", "count", "store_id")
    def _compute_name(self):
        kinds = dict(KINDS)
        for alert in self:
            what = kinds.get(alert.kind, "")
            if alert.count and alert.kind in ("dead_letter", "webhook", "drift"):
                what = f"{alert.count} {what.lower()}"
            alert.name = f"{what} – {alert.store_id.name}" if alert.store_id else what

    # -- raising and clearing ------------------------------------------------------------------

    @api.model
    def _raise(self, store, kind: str, message: str, count: int = 1) -> "IntegrationAlert":
        """Open (or update) the alert of `store` (a store, its address or key, or None) and
        `kind`, and its To-Do. Found again, it stays one alert: count and message follow."""
        alerts = self.sudo()
        store = alerts._store(store)
        alert = alerts._find(store, kind)
        now = fields.Datetime.now()
        values = {"state": "open", "message": message, "count": count, "last_raised_at": now}
        if not alert:
            alert = alerts.create(
                values | {"store_id": store.id, "kind": kind, "first_raised_at": now}
            )
        elif alert.state == "cleared":
            alert.write(values | {"first_raised_at": now, "cleared_at": False})
        elif (alert.message, alert.count) != (message, count):
            alert.write(values)
        else:
            alert.last_raised_at = now
        alert._sync_activity()
        return alert

    @api.model
    def _clear(self, store, kind: str, why: str | None = None) -> "IntegrationAlert":
        """The check found it fine: the alert is cleared and its To-Do marked done."""
        alerts = self.sudo()
        alert = alerts._find(alerts._store(store), kind)
        if alert.state != "open":
            return alert
        alert.write({"state": "cleared", "cleared_at": fields.Datetime.now()})
        alert._activities().action_feedback(feedback=why or _("Cleared: the check finds it fine."))
        return alert

    @api.model
    def _store(self, store) -> models.Model:
        if isinstance(store, models.BaseModel):
            return store.sudo()
        stores = self.env["integration.store"].sudo()
        return stores._ensure(store) if store else stores.browse()

    @api.model
    def _find(self, store, kind: str) -> "IntegrationAlert":
        return self.search([("store_id", "=", store.id or False), ("kind", "=", kind)], limit=1)

    def _activities(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        return self.activity_ids.filtered(lambda activity: activity.activity_type_id == todo)

    def _sync_activity(self) -> None:
        """One To-Do for the open alert, its summary and note kept current. As OdooBot: the
        workers' user may have no e-mail to send the assignment from."""
        alert = self.with_user(SUPERUSER_ID)
        summary = alert.name
        activity = alert._activities()
        if activity:
            activity[:1].write({"summary": summary, "note": alert.message})
            return
        manager = self.env["integration.tax.map.wait"]._manager(alert.company_id)
        if manager:
            alert.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=summary,
                note=alert.message,
                user_id=manager.id,
            )

    # -- what Odoo finds itself ----------------------------------------------------------------

    @api.model
    def _sync_dead_letters(self, *store_keys: str) -> None:
        """The dead-letter alert of each store follows its ledger: raised with how many wait,
        cleared when none does (replayed, or made moot by a newer state)."""
        events = self.env["integration.event"].sudo()
        for key in set(store_keys):
            domain = [("state", "=", "dead"), ("store", "=", key or False)]
            count = events.search_count(domain)
            if not count:
                self._clear(key, "dead_letter", _("No dead letter left: replayed or superseded."))
                continue
            latest = events.search(domain, limit=1)
            message = _(
                "%(count)s event(s) could not be applied after every retry; the latest: "
                "%(event)s: %(error)s. Open Integration › Dead letters, fix what each names, "
                "then Replay.",
                count=count,
                event=latest.display_name,
                error=latest.message or latest.last_error or "?",
            )
            self._raise(key, "dead_letter", message, count)

    @api.model
    def _cron_check(self) -> None:
        """Every half hour: the dead letters of every store (in case a path missed one), and
        stores whose workers stopped reporting. A refused API key is the case that needs this:
        the workers cannot say so themselves, Odoo refuses them before they are heard."""
        stores = (
            self.env["integration.event"].sudo()._read_group([("state", "=", "dead")], ["store"])
        )
        open_dead = self.search([("kind", "=", "dead_letter"), ("state", "=", "open")])
        self._sync_dead_letters(*(store for (store,) in stores), *open_dead.store_id.mapped("key"))
        self._check_silence()

    @api.model
    def _check_silence(self) -> None:
        params = self.env["ir.config_parameter"].sudo()
        minutes = int(params.get_param(SILENCE_PARAM) or DEFAULT_SILENCE_MINUTES)
        limit = fields.Datetime.now() - timedelta(minutes=minutes)
        heard = self.env["integration.store"].sudo().search([("last_report_at", "!=", False)])
        for store in heard:
            if store.last_report_at >= limit:
                self._clear(store, "silent", _("The workers report again."))
                continue
            expired = self._expired_worker_key()
            cause = (
                _(
                    "The Integration User's API key expired at %s: create a new one and set it as "
                    "ODOO_API_KEY.",
                    expired,
                )
                if expired
                else _(
                    "Their API key may have been refused or deleted, or the workers and "
                    "their cron are stopped: see the relay's /health and the worker logs."
                )
            )
            message = _(
                "No word from the workers of %(store)s since %(at)s UTC (they report every few "
                "minutes). %(cause)s Events wait in the queue meanwhile; nothing is lost.",
                store=store.name,
                at=store.last_report_at,
                cause=cause,
            )
            self._raise(store, "silent", message)

    @api.model
    def _expired_worker_key(self):
        """The latest expiry among the workers' users' keys, when all of them have expired."""
        workers = self.env.ref("elitaco_integration.group_integration_user").sudo().users
        managers = self.env.ref("elitaco_integration.group_integration_manager").sudo().users
        keys = (
            self.env["res.users.apikeys"]
            .sudo()
            .search([("user_id", "in", (workers - managers).filtered("active").ids)])
        )
        if not keys or not all(keys.mapped("expiration_date")):
            return None
        latest = max(keys.mapped("expiration_date"))
        return latest if latest < fields.Datetime.now() else None

    # -- what the workers report ---------------------------------------------------------------

    @api.model
    def _report(self, params: dict[str, Any]) -> dict[str, Any]:
        """The workers' checks (POST /elitaco/v1/alerts): each kind raised or cleared."""
        errors = sorted(Draft7Validator(REPORT_SCHEMA).iter_errors(params), key=str)
        if errors:
            error = errors[0]
            where = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.path
            )
            raise ValidationError(
                _(
                    'Invalid alert report at params%(where)s: %(error)s. Send {"store": '
                    '<store URL>, "alerts": [{"kind": one of %(kinds)s, "ok": true|false, '
                    '"message": what was found (when not ok), "count": n}]}.',
                    where=where,
                    error=error.message,
                    kinds=", ".join(WORKER_KINDS),
                )
            )
        reconciled_at = params.get("reconciled_at")
        reconciled = parse_utc(reconciled_at) if reconciled_at else None
        if reconciled_at and reconciled is None:
            raise ValidationError(
                _("reconciled_at must be a UTC date and time, e.g. 2026-02-01T10:00:00Z.")
            )
        store = self._store(params["store"])
        if not store:
            raise ValidationError(_("%s is not a store's address.", params["store"]))
        values = {"last_report_at": fields.Datetime.now()}
        if reconciled:
            values["last_reconcile_at"] = reconciled
        if any(alert["kind"] == "webhook" for alert in params["alerts"]):
            values["webhooks_checked_at"] = values["last_report_at"]
        store.write(values)
        self._clear(store, "silent", _("The workers report again."))
        answer = {}
        for alert in params["alerts"]:
            if alert["ok"]:
                answer[alert["kind"]] = self._clear(store, alert["kind"]).state or "clear"
            else:
                raised = self._raise(store, alert["kind"], alert["message"], alert.get("count", 1))
                answer[alert["kind"]] = raised.state
        return {"store": store.key, "alerts": answer}

    # -- buttons -------------------------------------------------------------------------------

    def action_open_cause(self):
        """Where the alert is fixed: the dead letters, or the store's overview."""
        self.ensure_one()
        if self.kind == "dead_letter":
            return self.store_id.action_open_dead()
        return self.store_id.action_open_alerts() if self.store_id else False
