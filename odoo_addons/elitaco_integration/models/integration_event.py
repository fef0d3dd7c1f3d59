import json
import logging
import time
import traceback
import uuid
from datetime import timedelta
from typing import Any

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import format_datetime

from ..envelope import (
    Ambiguous,
    EventRejected,
    EventWaiting,
    Outcome,
    envelope_problem,
    store_key,
)
from ..tools import explain_odoo_error, parse_utc
from .integration_value_map import KINDS

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
RETENTION_PARAM = "elitaco_integration.payload_retention_days"
DEFAULT_RETENTION = 90
ORDER_EVENTS = ("woo.order.created", "woo.order.updated", "woo.order.restored")


def _state_order(event) -> tuple:
    return event.occurred_at or event.received_at, event.id


class IntegrationEvent(models.Model):
    _name = "integration.event"
    _description = "Integration event (idempotency ledger)"
    _order = "received_at desc, id desc"
    _rec_name = "idempotency_key"

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
    result_model = fields.Char(readonly=True)
    result_id = fields.Integer(string="Result record ID", readonly=True)
    result_name = fields.Char(string="Result", readonly=True)
    message = fields.Char(readonly=True, help="What processing did, in one line.")
    sale_order_id = fields.Many2one("sale.order", index=True, ondelete="set null", readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    timeline_ids = fields.One2many("integration.timeline", "event_id", readonly=True)
    # What would let a rejected event apply, when a value map is the cause.
    fix_map_kind = fields.Selection(KINDS, string="Value map to set", readonly=True)
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

    @api.depends("payload")
    def _compute_payload_text(self):
        for event in self:
            event.payload_text = json.dumps(event.payload, indent=2, ensure_ascii=False)

    # ------------------------------------------------------------------ entry points

    @api.model
    def process_envelope(self, envelope: Any) -> dict[str, Any]:
        """Apply one envelope exactly once and say what happened (the controller's answer)."""
        problem = envelope_problem(envelope)
        if problem:
            answer = self._reject_invalid(envelope, problem)
            self.env["integration.import.line"]._invalid(envelope, answer)
            return answer
        event, created = self._claim(envelope)
        meta = envelope.get("meta") or {}
        if not created and event.state in FINISHED_STATES:
            event._timeline("duplicate", _("Duplicate delivery ignored (already %s).", event.state))
            answer = event._answer("duplicate")
        else:
            if not created and "fetched" in envelope and event.payload:
                # A retry: what the workers read from WooCommerce this time is the newer reading.
                event.payload = dict(event.payload, fetched=envelope["fetched"])
            # `python -m relay replay` marks the envelopes it takes from the dead letters.
            answer = event._run(replay=bool(meta.get("replay_of")))
        if meta.get("import_id"):
            self.env["integration.import.line"]._applied(meta["import_id"], event, answer)
        return answer

    @api.model
    def mark_dead(self, reference: str, error: str | None = None) -> dict[str, Any]:
        """The worker gave up on this event after its last retry."""
        event = self.search(
            ["|", ("event_id", "=", reference), ("idempotency_key", "=", reference)], limit=1
        )
        if not event:
            return {
                "status": "unknown",
                "error": {
                    "code": "unknown_event",
                    "message": _("No event %s in the ledger.", reference),
                },
            }
        if event.state in FINISHED_STATES:
            return event._answer(event.state == "done" and "processed" or "ignored")
        event.write({"state": "dead", "last_error": error or event.last_error})
        event._timeline(
            "dead",
            _("Dead after its first attempt: moved to the dead letters.")
            if event.attempts <= 1
            else _("Dead after %s attempts: moved to the dead letters.", event.attempts),
            details=error or event.last_error,
        )
        event.sale_order_id._note_integration_problem(event)
        answer = event._answer("dead")
        import_id = event._import_id()
        if import_id:
            self.env["integration.import.line"]._applied(import_id, event, answer)
        return answer

    def action_replay(self):
        """Reprocess the stored envelope of failed or dead events, inside Odoo, oldest state
        first; a notification says how it went. One that fails again stays a dead letter:
        nothing else will retry it."""
        if not self.env.user.has_group("elitaco_integration.group_integration_manager"):
            raise AccessError(_("Only Integration Managers can replay events."))
        replayable = self.filtered(lambda event: event.state in ("failed", "dead", "received"))
        if not replayable:
            raise UserError(_("Only failed or dead events can be replayed."))
        done, failed, errors = 0, 0, []
        # Replaying applies the event with the rights the workers have, like a delivery would.
        events = replayable.sudo().with_context(elitaco_from_woo=True).sorted(_state_order)
        for event in events:
            if event.state in FINISHED_STATES:  # superseded by a replay before it
                done += 1
                continue
            answer = event._run(replay=True)
            if event.state not in FINISHED_STATES:
                failed += 1
                errors.append(event.message)
                event.write({"state": "dead"})
                event._timeline("dead", _("Replay failed: it stays in the dead letters."))
                answer = event._answer("dead")
            else:
                done += 1
            if event._import_id():  # its import's report says how it went too
                self.env["integration.import.line"]._applied(event._import_id(), event, answer)
        message = _(
            "%(count)s replayed: %(done)s done, %(failed)s failed",
            count=len(replayable),
            done=done,
            failed=failed,
        )
        if errors:
            message += ": " + errors[0]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Replay"),
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _purge_payloads(self) -> int:
        """Daily: empty the payloads of finished events older than the retention (days).
        Failed and dead events keep theirs: a replay needs them."""
        days = int(
            self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, DEFAULT_RETENTION)
        )
        cutoff = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            """
            UPDATE integration_event SET payload = NULL
             WHERE payload IS NOT NULL AND state IN %s AND received_at < %s
            """,
            (FINISHED_STATES, cutoff),
        )
        purged = self.env.cr.rowcount
        self.invalidate_model(["payload"])
        _logger.info("purged the payloads of %s finished events older than %s days", purged, days)
        return purged

    # ------------------------------------------------------------------ internals

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
        self.env.cr.execute(
            """
            INSERT INTO integration_event (
                event_id, idempotency_key, event_type, source, occurred_at, received_at,
                trace_id, store, woo_resource_id, payload, state, attempts,
                create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'received', 0,
                    %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')
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
                store_key(meta.get("store_url")) or self._default_store(),
                resource_id,
                json.dumps(envelope),
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
    def _default_store(self) -> str:
        url = self.env["ir.config_parameter"].sudo().get_param("elitaco_integration.store_url")
        return store_key(url)

    def _run(self, replay: bool) -> dict[str, Any]:
        self.ensure_one()
        started = time.monotonic()
        attempt = self.attempts + 1
        was_dead = self.state == "dead"
        values = {"state": "processing", "attempts": attempt}
        order = self._bound_order()
        if order and order != self.sale_order_id:
            values["sale_order_id"] = order.id  # so that a failure shows on its order
        self.write(values)
        if replay:
            self._timeline("replayed", _("Replayed from Odoo by %s.", self.env.user.name))
        elif attempt > 1:
            self._timeline("retried", _("Attempt %s.", attempt))
        self._timeline("received", _("%s received.", self.event_type))
        try:
            with self.env.cr.savepoint():
                outcome = self._apply()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another transaction touched the same rows: Odoo retries the whole request
        except Exception as exc:  # noqa: BLE001 - any other error becomes a visible failure
            return self._fail(exc, started)
        answer = self._succeed(outcome, started)
        superseded = self._supersede_older() if self.state == "done" else self.browse()
        if was_dead:
            superseded |= self
        superseded.sale_order_id._note_integration_resolved()
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

    def _succeed(self, outcome: Outcome, started: float) -> dict[str, Any]:
        record = outcome.record
        values = {
            "state": "done" if outcome.status == "processed" else "ignored",
            "processed_at": fields.Datetime.now(),
            "duration_ms": int((time.monotonic() - started) * 1000),
            "last_error": False,
            "fix_map_kind": False,
            "fix_map_value": False,
            "message": outcome.message,
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
        kind = "processed" if outcome.status == "processed" else "ignored"
        self._timeline(kind, outcome.message, details="\n".join(outcome.changes) or None)
        for warning in outcome.warnings:
            self._timeline("warning", warning)
        answer = self._answer("processed" if outcome.status == "processed" else "ignored")
        answer["changes"] = outcome.changes
        answer["reread"] = outcome.reread
        answer["warnings"] = outcome.warnings
        answer["found"] = outcome.found
        return answer

    def _fail(self, exc: Exception, started: float) -> dict[str, Any]:
        # Odoo's own refusals (a locked order, missing rights, a constraint) and ours are not
        # retried: the same event would meet them again; a person fixes the cause and replays.
        retryable = not isinstance(exc, EventRejected | UserError)
        summary = explain_odoo_error(str(exc) or type(exc).__name__)
        kind, value = getattr(exc, "value_map", None) or (False, False)
        details = summary if not retryable else "".join(traceback.format_exception(exc))
        _logger.warning(
            "event %s failed: %s", self.event_id, summary, extra={"trace_id": self.trace_id}
        )
        self.write(
            {
                "state": "failed",
                "last_error": details,
                "duration_ms": int((time.monotonic() - started) * 1000),
                "message": summary,
                "fix_map_kind": kind,
                "fix_map_value": value,
            }
        )
        self._timeline("failed", summary, details=details)
        answer = self._answer("failed")
        answer["error"] = {
            "code": "ambiguous"
            if isinstance(exc, Ambiguous)
            else "rejected"
            if not retryable
            else "waiting"
            if isinstance(exc, EventWaiting)
            else "processing_error",
            "message": summary,
            "retryable": retryable,
        }
        return answer

    @api.model
    def _reject_invalid(self, envelope: Any, problem: str) -> dict[str, Any]:
        """Record a malformed envelope (and nothing else), so that a person can see why."""
        source = envelope if isinstance(envelope, dict) else {}
        event_id = source.get("event_id") if isinstance(source.get("event_id"), str) else None
        event_id = event_id or str(uuid.uuid4())
        self.create(
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
                "last_error": _("Invalid envelope: %s", problem),
                "message": _("Invalid envelope: %s", problem)[:250],
            }
        )
        return {
            "status": "failed",
            "event_id": event_id,
            "record": None,
            "error": {"code": "invalid_envelope", "message": problem, "retryable": False},
        }

    def _answer(self, status: str) -> dict[str, Any]:
        self.ensure_one()
        record = None
        if self.result_model and self.result_id:
            record = {"model": self.result_model, "id": self.result_id, "name": self.result_name}
        return {
            "status": status,
            "event_id": self.event_id,
            "idempotency_key": self.idempotency_key,
            "state": self.state,
            "attempts": self.attempts,
            "record": record,
            "error": None,
        }

    def _import_id(self) -> int | None:
        """The import (Integration › Imports) whose reading enqueued this event, if any."""
        return ((self.payload or {}).get("meta") or {}).get("import_id")

    def _problem_message(self) -> str:
        """The dead event in words, for its order: what could not be applied and why."""
        action = self.event_type.rpartition(".")[2]
        what = {
            "created": _("new order"),
            "updated": _("order update"),
            "deleted": _("order deletion"),
            "restored": _("order restore"),
        }.get(action, self.event_type)
        return _(
            "WooCommerce's %(what)s of %(when)s could not be applied: %(error)s",
            what=what,
            when=format_datetime(self.env, self.occurred_at or self.received_at),
            error=self.message or self.last_error,
        )

    def _problem_action(self, manager: bool) -> str:
        """What to do about it, said to a manager (who can) or to anyone else (who asks)."""
        if self.fix_map_kind:
            kind = dict(KINDS)[self.fix_map_kind].lower()
            if manager:
                return _(
                    "Map the %(kind)s %(value)s (Open the value map), then Replay.",
                    kind=kind,
                    value=self.fix_map_value,
                )
            return _(
                "An Integration Manager must map the %(kind)s %(value)s, then replay it.",
                kind=kind,
                value=self.fix_map_value,
            )
        if manager:
            return _("Fix what the message names, then Replay.")
        return _("Ask an Integration Manager to fix what the message names and replay it.")

    def _bound_order(self):
        """The sale order an order event's WooCommerce order is bound to, if any yet."""
        woo_order_id = self._woo_order_id()
        if not woo_order_id:
            return self.env["sale.order"]
        bindings = self.env["integration.binding"]
        return bindings._find(self.store, "sale.order", woo_order_id) or self.env["sale.order"]

    def _supersede_older(self) -> "IntegrationEvent":
        """Failed and dead events of the same record whose state is not newer than this one,
        just applied: a newer state made them moot (a late retry of one is a duplicate)."""
        resource = self.event_type.split(".")[1] if self.source == "woo" else None
        if not resource or not self.woo_resource_id or not self.occurred_at:
            return self.browse()
        older = self.search(
            [
                ("state", "in", ("failed", "dead")),
                ("store", "=", self.store),
                ("woo_resource_id", "=", self.woo_resource_id),
                ("event_type", "=like", f"woo.{resource}.%"),
                ("occurred_at", "<=", self.occurred_at),
                ("id", "!=", self.id),
            ]
        )
        older.write({"state": "superseded", "superseded_by_id": self.id})
        for event in older:
            event._timeline(
                "ignored",
                _("Superseded: a newer state of this record was applied (%s).", self.event_type),
            )
        return older

    def _woo_order_id(self) -> int | None:
        if self.event_type.startswith("woo.order."):
            return self.woo_resource_id or None
        return None

    def _timeline(self, kind: str, message: str, details: str | None = None) -> None:
        """Order events write the order's timeline; other events live in the ledger only."""
        woo_order_id = self._woo_order_id()
        if not woo_order_id and not self.sale_order_id:
            return
        self.env["integration.timeline"].create(
            {
                "event_id": self.id,
                "sale_order_id": self.sale_order_id.id,
                "woo_order_id": woo_order_id,
                "store": self.store,
                "kind": kind,
                "message": message,
                "details": details,
            }
        )

    def _attach_order_history(self, order) -> None:
        """Entries written before the order existed (a failed first attempt) join it now."""
        domain = [
            ("woo_order_id", "=", order.woo_order_id),
            ("store", "=", order.woo_store),
            ("sale_order_id", "=", False),
        ]
        self.env["integration.timeline"].search(domain).write({"sale_order_id": order.id})
        self.search(
            [
                ("event_type", "like", "woo.order.%"),
                ("store", "=", order.woo_store),
                ("woo_resource_id", "=", order.woo_order_id),
                ("sale_order_id", "=", False),
            ]
        ).write({"sale_order_id": order.id})
