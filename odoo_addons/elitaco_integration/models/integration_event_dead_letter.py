from typing import Any

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime

from .integration_event import FINISHED_STATES, IntegrationEvent
from .integration_value_map import KINDS


def _state_order(event) -> tuple:
    return event.occurred_at or event.received_at, event.id


class IntegrationEventDeadLetter(models.Model):
    """Events a person must act on: dead after their last retry, explained on their order in
    words, replayed from Odoo, or superseded by a newer state of the same record."""

    _inherit = "integration.event"

    problem_action = fields.Char(
        string="What to do", compute="_compute_problem_action", compute_sudo=False
    )

    @api.depends("state", "fix_map_kind", "fix_map_value")
    @api.depends_context("uid")
    def _compute_problem_action(self):
        manager = self.env.user.has_group("elitaco_integration.group_integration_manager")
        for event in self:
            dead = event.state == "dead"
            event.problem_action = dead and event._problem_action(manager)

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
        event._timeline("dead", event._problem_message())
        event.sale_order_id._note_integration_problem(event)
        self.env["integration.alert"]._sync_dead_letters(event.store)
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
        done, failed, errors = replayable._replay()
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

    def _replay(self) -> tuple[int, int, list[str]]:
        """(done, failed, their errors): a replay of these events, oldest state first."""
        done, failed, errors = 0, 0, []
        # Replaying applies the event with the rights the workers have, like a delivery would.
        events = self.sudo().with_context(elitaco_from_woo=True).sorted(_state_order)
        for event in events:
            if event.state in FINISHED_STATES:  # superseded by a replay before it
                done += 1
                continue
            answer = event._run(replay=True)
            if event.state not in FINISHED_STATES:
                failed += 1
                errors.append(event.message)
                event.write({"state": "dead"})
                event._timeline(
                    "dead",
                    event._problem_message(),
                    details=_("The replay failed as well."),
                )
                answer = event._answer("dead")
            else:
                done += 1
            if event._import_id():  # its import's report says how it went too
                self.env["integration.import.line"]._applied(event._import_id(), event, answer)
        self.env["integration.alert"]._sync_dead_letters(*events.mapped("store"))
        return done, failed, errors

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
        if self.fix_map_kind == "tax_rate":  # mapping it applies the waiting orders again
            if manager:
                return _(
                    "Map the tax rate %s (Open the value map): this order and the others "
                    "waiting for it are then applied by themselves.",
                    self.fix_map_value,
                )
            return _(
                "An Integration Manager must map the tax rate %s; the order is then applied "
                "by itself.",
                self.fix_map_value,
            )
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

    def _supersede_older(self) -> "IntegrationEvent":
        """Failed and dead events of the same record whose state is not newer than this one,
        just applied: a newer state made them moot (a late retry of one is a duplicate).
        Returns the dead ones among them: those a person was told about."""
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
        dead = older.filtered(lambda event: event.state == "dead")
        older.write({"state": "superseded", "superseded_by_id": self.id})
        for event in older:
            event._timeline(
                "ignored",
                _(
                    "Set aside: a newer state of this %s was applied since, which made it moot.",
                    dict(self._fields["resource"].selection).get(self.resource, "").lower()
                    or _("record"),
                ),
            )
        return dead

    def action_open_value_map(self):
        """The value map that would let this event apply, opened on its WooCommerce value
        (a new one when it is not there yet)."""
        self.ensure_one()
        if not self.fix_map_kind:
            raise UserError(_("No value map to set for this event."))
        existing = (
            self.env["integration.value.map"]
            .with_context(active_test=False)
            .search(
                [("kind", "=", self.fix_map_kind), ("woo_value", "=", self.fix_map_value)],
                limit=1,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Value map"),
            "res_model": "integration.value.map",
            "view_mode": "form",
            "views": [(False, "form")],
            "res_id": existing.id,
            "target": "new",
            "context": {"default_kind": self.fix_map_kind, "default_woo_value": self.fix_map_value},
        }
