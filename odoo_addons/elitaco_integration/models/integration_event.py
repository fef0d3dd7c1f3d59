import json
import logging
import time
import traceback
import uuid
from datetime import timedelta
from typing import Any

from odoo import _, _lt, api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..envelope import (
    Ambiguous,
    EventRejected,
    EventWaiting,
    Outcome,
    describe,
    envelope_problem,
    store_key,
)
from ..tools import explain_odoo_error, parse_utc

_logger = logging.getLogger(__name__)

STATES = [
    ("received", "Received"),
    ("processing", "Processing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("dead", "Dead"),
    ("ignored", "Ignored"),
    ("superseded", "Superseded"),
]
# Nothing left to do: applied, set aside, or made moot by a newer state of the same record.
FINISHED_STATES = ("done", "ignored", "superseded")
ANSWER_FIELDS = ("event_id", "state", "attempts", "result_model", "result_id", "result_name")
ORDER_EVENTS = ("woo.order.created", "woo.order.updated", "woo.order.restored")
RESOURCES = [
    ("order", "Order"),
    ("product", "Product"),
    ("customer", "Customer"),
    ("coupon", "Coupon"),
]
ERROR_CODES = [
    ("rejected", "Cannot be applied as it is"),
    ("ambiguous", "Several Odoo records match"),
    ("waiting", "Waits for another record"),
    ("processing_error", "Unexpected error"),
    ("invalid_envelope", "Invalid envelope"),
]
# An import's records are history already: Odoo's mail writes nothing for them that a person
# would read (no "created" message, no tracking values, no followers, no assignment notice, no
# "created from" note: models/mail_thread.py). What the module posts on purpose (message_post:
# an order's integration problem) still is.
IMPORT_MAIL_CONTEXT = {
    "elitaco_history_import": True,
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "mail_auto_subscribe_no_notify": True,
}
ACTIONS = {
    "created": _lt("created"),
    "updated": _lt("updated"),
    "deleted": _lt("deleted"),
    "restored": _lt("restored"),
}


def answer_of(status: str, row: dict[str, Any]) -> dict[str, Any]:
    """The workers' answer for an event: `row` holds its ANSWER_FIELDS and idempotency key."""
    record = None
    if row["result_model"] and row["result_id"]:
        record = {"model": row["result_model"], "id": row["result_id"], "name": row["result_name"]}
    return {
        "status": status,
        "event_id": row["event_id"],
        "idempotency_key": row["idempotency_key"],
        "state": row["state"],
        "attempts": row["attempts"],
        "record": record,
        "error": None,
    }


class IntegrationEvent(models.Model):
    _name = "integration.event"
    _inherit = ["integration.store.company"]
    _description = "Integration event (idempotency ledger)"
    _order = "received_at desc, id desc"
    _rec_names_search = ["woo_label", "customer_name", "idempotency_key"]

    event_id = fields.Char(required=True, index=True, readonly=True)
    idempotency_key = fields.Char(required=True, readonly=True)
    event_type = fields.Char(required=True, index=True, readonly=True)
    source = fields.Selection([("woo", "WooCommerce"), ("odoo", "Odoo")], readonly=True)
    occurred_at = fields.Datetime(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    processed_at = fields.Datetime(readonly=True)
    trace_id = fields.Char(index=True, readonly=True)
    store = fields.Char(readonly=True, help="The WooCommerce store the event came from.")
    woo_resource_id = fields.Integer(string="WooCommerce ID", index=True, readonly=True)
    # What a person recognises the event by (envelope.describe), kept after its payload goes.
    resource = fields.Selection(RESOURCES, readonly=True)
    woo_label = fields.Char(string="WooCommerce record", readonly=True)
    woo_status = fields.Char(string="WooCommerce status", readonly=True)
    customer_name = fields.Char(string="Customer", readonly=True)
    amount_total = fields.Float(string="Total", readonly=True)
    currency_code = fields.Char(string="Currency", readonly=True)
    # The customer's data (e-mail, addresses, IP, user agent): Integration Users only, and
    # emptied once the event is finished and older than the retention (Settings).
    payload = fields.Json(
        readonly=True,
        help="The whole envelope, as received.",
        groups="elitaco_integration.group_integration_user",
    )
    payload_text = fields.Text(
        string="Envelope",
        compute="_compute_payload_text",
        groups="elitaco_integration.group_integration_user",
    )
    state = fields.Selection(STATES, default="received", required=True, index=True, readonly=True)
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    error_code = fields.Selection(ERROR_CODES, readonly=True)
    result_model = fields.Char(readonly=True)
    result_id = fields.Integer(string="Result record ID", index="btree_not_null", readonly=True)
    result_name = fields.Char(string="Result", readonly=True)
    message = fields.Char(readonly=True, help="What processing did, in one line.")
    warnings = fields.Text(
        readonly=True, help="What applying it could not do as WooCommerce has it, one a line."
    )
    sale_order_id = fields.Many2one("sale.order", index=True, ondelete="set null", readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    timeline_ids = fields.One2many("integration.timeline", "event_id", readonly=True)
    # What would let a rejected event apply, when a value map is the cause.
    fix_map_kind = fields.Selection(
        selection="_selection_fix_map_kind", string="Value map to set", readonly=True
    )
    fix_map_value = fields.Char(string="WooCommerce value to map", readonly=True)
    superseded_by_id = fields.Many2one(
        "integration.event",
        readonly=True,
        help="The event of a newer state of the same record, applied: this one has nothing "
        "left to do.",
    )

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "An event with this idempotency key is already in the ledger.",
        )
    ]

    @api.depends("resource", "woo_label", "event_type", "woo_status")
    def _compute_display_name(self):
        """'Order #1042 – updated (processing)', not an idempotency key."""
        resources = dict(self._fields["resource"]._description_selection(self.env))
        for event in self:
            action = event.event_type.rpartition(".")[2]
            what = f"{resources[event.resource]} {event.woo_label or ''}".strip()
            name = f"{what} – {ACTIONS.get(action, action)}" if event.resource else event.event_type
            event.display_name = f"{name} ({event.woo_status})" if event.woo_status else name

    @api.model
    def _selection_fix_map_kind(self) -> list[tuple[str, str]]:
        return self.env["integration.value.map"]._fields["kind"].selection

    @api.depends("payload")
    def _compute_payload_text(self):
        for event in self:
            event.payload_text = json.dumps(event.payload, indent=2, ensure_ascii=False)

    # ------------------------------------------------------------------ entry points

    @api.model
    def process_envelope(self, envelope: Any) -> dict[str, Any]:
        """Apply one envelope exactly once and say what happened (the controller's answer)."""
        stores = self.env["integration.store"]
        refusal = stores._worker_company_refusal(self._envelope_store(envelope))
        if refusal:
            return self._refuse_company(envelope, refusal)
        meta = envelope.get("meta") if isinstance(envelope, dict) else None
        meta = meta if isinstance(meta, dict) else {}
        repeated = self._finished_row(envelope)
        if repeated:
            event, answer = repeated
        else:
            problem = envelope_problem(envelope)
            if problem:
                answer = self._reject_invalid(envelope, problem)
                self.env["integration.import.line"]._invalid(envelope, answer)
                return answer
            event, created = self._claim(envelope)
            if not created and event.state in FINISHED_STATES:  # finished while we waited
                self.env["integration.timeline"]._count_repeat(event.id)
                answer = event._answer("duplicate")
            else:
                if not created and "fetched" in envelope and event.payload:
                    # A retry: what the workers read from WooCommerce this time is newer.
                    event.payload = dict(event.payload, fetched=envelope["fetched"])
                # `python -m relay replay` marks the envelopes it takes from the dead letters.
                answer = event._run(replay=bool(meta.get("replay_of")))
        if meta.get("import_id"):
            self.env["integration.import.line"]._applied(meta["import_id"], event, answer)
        return answer

    @api.model
    def _purge_payloads(self) -> int:
        """Daily: empty the payloads of finished events older than their store's retention
        (days). Failed and dead events keep theirs: a replay needs them."""
        self.flush_model()
        self.env.cr.execute(
            "SELECT DISTINCT store FROM integration_event"
            " WHERE payload IS NOT NULL AND state IN %s",
            (FINISHED_STATES,),
        )
        stores = self.env["integration.store"]
        purged = 0
        for (store,) in self.env.cr.fetchall():
            days = stores._for_key(store).payload_retention_days
            cutoff = fields.Datetime.now() - timedelta(days=days)
            self.env.cr.execute(
                """
                UPDATE integration_event SET payload = NULL
                 WHERE payload IS NOT NULL AND state IN %s AND received_at < %s
                   AND store IS NOT DISTINCT FROM %s
                """,
                (FINISHED_STATES, cutoff, store),
            )
            purged += self.env.cr.rowcount
            _logger.info(
                "purged the payloads of %s finished events of %s older than %s days",
                self.env.cr.rowcount,
                store or "-",
                days,
            )
        self.invalidate_model(["payload"])
        return purged

    # ------------------------------------------------------------------ internals

    @api.model
    def _finished_row(self, envelope: Any) -> tuple["IntegrationEvent", dict[str, Any]] | None:
        """(event, its "duplicate" answer) when the ledger has finished the envelope's key, the
        repeat counted on the event's timeline row; else None.

        A redelivery is the commonest repeat and needs no more than this: its key is looked up
        before the envelope is validated or its row written, and the answer is made from that
        one row's columns (not from the record, whose payload is the whole envelope)."""
        key = envelope.get("idempotency_key") if isinstance(envelope, dict) else None
        if not isinstance(key, str):
            return None
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM integration_event WHERE idempotency_key = %s AND state IN %s",
                SQL(", ").join(map(SQL.identifier, ANSWER_FIELDS)),
                key,
                FINISHED_STATES,
            )
        )
        row = self.env.cr.dictfetchone()
        if not row:
            return None
        self.env["integration.timeline"]._count_repeat(row["id"])
        return self.browse(row["id"]), answer_of("duplicate", row | {"idempotency_key": key})

    @api.model
    def _claim(self, envelope: dict[str, Any]) -> tuple["IntegrationEvent", bool]:
        """Insert the ledger row, or find and lock the existing one.

        The unique index decides: a concurrent delivery of the same key waits here until the
        first transaction ends, then finds its row (Odoo retries the request if its snapshot
        is too old to see it).
        """
        data = envelope["data"]
        meta = envelope.get("meta") or {}
        resource_id = data.get("id") if envelope["source"] == "woo" else None
        described = describe(envelope)
        store = store_key(meta.get("store_url")) or self._default_store()
        self.env.cr.execute(
            """
            INSERT INTO integration_event (
                event_id, idempotency_key, event_type, source, occurred_at, received_at,
                trace_id, store, woo_resource_id, payload, state, attempts,
                resource, woo_label, woo_status, customer_name, amount_total, currency_code,
                company_id, create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'received', 0,
                    %s, %s, %s, %s, %s, %s,
                    %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING id
            """,
            (
                envelope["event_id"],
                envelope["idempotency_key"],
                envelope["event_type"],
                envelope["source"],
                parse_utc(envelope["occurred_at"]),
                parse_utc(meta.get("received_at")) or fields.Datetime.now(),
                envelope["trace_id"],
                store,
                resource_id,
                json.dumps(envelope),
                described["resource"],
                described["woo_label"],
                described["woo_status"],
                described["customer_name"],
                described["amount_total"],
                described["currency_code"],
                self.env["integration.store"]._company_of(store).id,
                self.env.uid,
                self.env.uid,
            ),
        )
        row = self.env.cr.fetchone()
        if row:
            return self.browse(row[0]), True
        self.env.cr.execute(
            "SELECT id FROM integration_event WHERE idempotency_key = %s FOR UPDATE",
            (envelope["idempotency_key"],),
        )
        event = self.browse(self.env.cr.fetchone()[0])
        event.invalidate_recordset()
        return event, False

    @api.model
    def _envelope_store(self, envelope: Any) -> str:
        """The key of the store an envelope names (meta.store_url), else the default store's;
        "" for neither."""
        meta = envelope.get("meta") if isinstance(envelope, dict) else None
        store_url = meta.get("store_url") if isinstance(meta, dict) else None
        key = store_key(store_url) if isinstance(store_url, str) else ""
        return key or self._default_store()

    @api.model
    def _default_store(self) -> str:
        url = self.env["ir.config_parameter"].sudo().get_param("elitaco_integration.store_url")
        return store_key(url)

    def _run(self, replay: bool) -> dict[str, Any]:
        self.ensure_one()
        started = time.monotonic()
        attempt = self.attempts + 1
        was_dead = self.state == "dead"
        if self.state != "received" or self.attempts:
            # A retry or a replay is no longer failed or dead while it applies. A new event is
            # told its attempt with its outcome: one UPDATE less, and nobody outside this
            # transaction could see it processing anyway.
            self.write({"state": "processing", "attempts": attempt})
        # The timeline's row of a replayed event names who replayed it.
        event = self.with_context(elitaco_replayed_by=self.env.uid) if replay else self
        try:
            with self.env.cr.savepoint():
                # Its orders, customers, invoices and payments are the store's company's.
                mail_context = IMPORT_MAIL_CONTEXT if self._import_id() else {}
                applier = self.with_company(self.company_id).with_context(**mail_context)
                outcome = applier._apply()
                if mail_context:
                    # Fields computed at the flush (a delivery's state) under the same context:
                    # the savepoint's own flush would compute, and track, them without it.
                    applier.env.flush_all()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction touched the same rows: Odoo retries the whole request
        except Exception as exc:  # noqa: BLE001 - any other error becomes a visible failure
            return event._fail(exc, started, attempt)
        if outcome.held:  # what it did stays; the event waits, as a rejected one does
            self._attach_order_history(outcome.sale_order)
            return event._fail(outcome.held, started, attempt, done="\n".join(outcome.changes))
        answer = event._succeed(outcome, started, attempt)
        cleared = self._supersede_older() if self.state == "done" else self.browse()
        if was_dead:
            cleared |= self
        cleared.sale_order_id._note_integration_resolved()
        if cleared:
            self.env["integration.alert"]._sync_dead_letters(self.store)
        return answer

    def _apply(self) -> Outcome:
        envelope = self.payload
        event_type = envelope["event_type"]
        data = envelope["data"]
        resource, _dot, action = event_type.removeprefix("woo.").partition(".")
        if envelope["source"] != "woo":
            return Outcome("ignored", _("Odoo events are pushed to WooCommerce by the workers."))
        if resource == "order":
            importer = self.env["integration.woo.order"]
            if action == "deleted":
                return importer._trash(self, data)
            return importer._upsert(self, data)
        if resource == "customer":
            if action == "deleted":
                return Outcome(
                    message=_(
                        "Customer %s deleted in WooCommerce; the partner is "
                        "kept (orders refer to it).",
                        data["id"],
                    )
                )
            return self.env["integration.woo.customer"]._upsert(self, data)
        if resource == "product":
            importer = self.env["integration.woo.product"]
            if action == "deleted":
                return importer._trash(self, data)
            return importer._upsert(self, data)
        return Outcome("ignored", _("Coupons reach Odoo as coupon lines of orders."))

    def _succeed(self, outcome: Outcome, started: float, attempt: int) -> dict[str, Any]:
        record = outcome.record
        values = {
            "state": "done" if outcome.status == "processed" else "ignored",
            "attempts": attempt,
            "processed_at": fields.Datetime.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "last_error": False,
            "fix_map_kind": False,
            "fix_map_value": False,
            "error_code": False,
            "message": outcome.message,
            "warnings": "\n".join(outcome.warnings) or False,
            "result_model": record._name if record else False,
            "result_id": record.id if record else False,
            "result_name": record.display_name if record else False,
        }
        if outcome.sale_order:
            values["sale_order_id"] = outcome.sale_order.id
        image = ((self.payload or {}).get("fetched") or {}).get("image")
        if image and "content" in image:
            # The file is the product's now: the ledger keeps no second copy of it (a failed
            # event keeps its whole envelope, for a replay).
            kept = {key: value for key, value in image.items() if key != "content"}
            values["payload"] = dict(
                self.payload, fetched=dict(self.payload["fetched"], image=kept)
            )
        self.write(values)
        if outcome.sale_order:
            self._attach_order_history(outcome.sale_order)
        # A first delivery that changed nothing counts on the row of the state it repeats.
        folded = (
            outcome.repeat
            and not self.timeline_ids
            and self.env["integration.timeline"]._fold_repeat(self)
        )
        if not folded:
            self._timeline(
                "processed" if outcome.status == "processed" else "ignored",
                outcome.message,
                details="\n".join(outcome.changes) or None,
                warnings=outcome.warnings,
                moves=self._moves_written(outcome.sale_order),
                first_row=attempt == 1,
            )
        answer = self._answer("processed" if outcome.status == "processed" else "ignored")
        answer["changes"] = outcome.changes
        answer["reread"] = outcome.reread
        answer["warnings"] = outcome.warnings
        answer["found"] = outcome.found
        return answer

    def _fail(self, exc: Exception, started: float, attempt: int, done: str = "") -> dict[str, Any]:
        # Odoo's own refusals (a locked order, missing rights, a constraint) and ours are not
        # retried: the same event would meet them again; a person fixes the cause and replays.
        retryable = not isinstance(exc, EventRejected | UserError)
        summary = explain_odoo_error(str(exc) or type(exc).__name__)
        kind, value = getattr(exc, "value_map", None) or (False, False)
        code = (
            "ambiguous"
            if isinstance(exc, Ambiguous)
            else "rejected"
            if not retryable
            else "waiting"
            if isinstance(exc, EventWaiting)
            else "processing_error"
        )
        details = summary if not retryable else "".join(traceback.format_exception(exc))
        _logger.warning(
            "event %s failed: %s", self.event_id, summary, extra={"trace_id": self.trace_id}
        )
        values = {
            "state": "failed",
            "attempts": attempt,
            "last_error": details,
            "duration_ms": int((time.monotonic() - started) * 1000),
            "message": summary,
            "fix_map_kind": kind,
            "fix_map_value": value,
            "error_code": code,
        }
        if not self.sale_order_id:  # a failure of an order Odoo has shows on that order
            values["sale_order_id"] = self._bound_order().id
        self.write(values)
        retried = _("The workers try it again.") if retryable else None
        self._timeline("failed", summary, details=done or retried, first_row=attempt == 1)
        answer = self._answer("failed")
        answer["error"] = {"code": code, "message": summary, "retryable": retryable}
        return answer

    @api.model
    def _refuse_company(self, envelope: Any, refusal: str) -> dict[str, Any]:
        """An event of a store whose company the workers' user lacks: nothing is written, not
        even its ledger row (the user may not see that company's). The workers keep it as a
        dead letter at once, to replay once the company is added."""
        event_id = envelope.get("event_id") if isinstance(envelope, dict) else None
        _logger.warning("event %s refused: %s", event_id, refusal)
        return {
            "status": "failed",
            "event_id": event_id,
            "record": None,
            "error": {"code": "company_not_allowed", "message": refusal, "retryable": False},
        }

    @api.model
    def _reject_invalid(self, envelope: Any, problem: str) -> dict[str, Any]:
        """Record a malformed envelope (and nothing else), so that a person can see why."""
        source = envelope if isinstance(envelope, dict) else {}
        event_id = source.get("event_id") if isinstance(source.get("event_id"), str) else None
        event_id = event_id or str(uuid.uuid4())
        event = self.create(
            {
                "event_id": event_id,
                "idempotency_key": f"invalid:{uuid.uuid4()}",
                "event_type": str(source.get("event_type") or "invalid")[:64],
                "source": source.get("source")
                if source.get("source") in ("woo", "odoo")
                else False,
                "trace_id": source.get("trace_id")
                if isinstance(source.get("trace_id"), str)
                else False,
                "payload": envelope,
                "state": "failed",
                "error_code": "invalid_envelope",
                "last_error": _("Invalid envelope: %s", problem),
                "message": _("Invalid envelope: %s", problem)[:250],
            }
            | self._invalid_resource(source)
        )
        event.sale_order_id = event._bound_order()
        return {
            "status": "failed",
            "event_id": event_id,
            "record": None,
            "error": {"code": "invalid_envelope", "message": problem, "retryable": False},
        }

    @api.model
    def _invalid_resource(self, envelope: dict) -> dict[str, Any]:
        """The store, WooCommerce id and what a person recognises it by, of an invalid
        envelope from WooCommerce that still names them (an order that fails the contract):
        the ledger, and the order's timeline once it is dead, find it by them."""
        data = envelope.get("data")
        woo_id = data.get("id") if isinstance(data, dict) else None
        if envelope.get("source") != "woo" or type(woo_id) is not int or not 0 < woo_id < 2**31:
            return {}
        meta = envelope.get("meta") if isinstance(envelope.get("meta"), dict) else {}
        store_url = meta.get("store_url")
        store = store_key(store_url) if isinstance(store_url, str) else ""
        return describe(envelope) | {
            "store": store or self._default_store(),
            "woo_resource_id": woo_id,
        }

    def _answer(self, status: str) -> dict[str, Any]:
        self.ensure_one()
        values = {name: self[name] for name in ANSWER_FIELDS}
        return answer_of(status, values | {"idempotency_key": self.idempotency_key})

    def _import_id(self) -> int | None:
        """The import (Integration › Configuration › Imports) whose reading enqueued this
        event, if any."""
        return ((self.payload or {}).get("meta") or {}).get("import_id")
