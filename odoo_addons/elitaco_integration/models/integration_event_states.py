from typing import Any

from odoo import api, models

from .integration_event import FINISHED_STATES

MAX_REFERENCES = 1000


class IntegrationEventStates(models.Model):
    """What the workers ask of the ledger about RQ's dead letters: Odoo cannot reach Redis, so
    the workers take out of RQ's failed jobs those Odoo has done meanwhile (a Replay from
    Integration › Dead letters), asking here (POST /elitaco/v1/events/states)."""

    _inherit = "integration.event"

    @api.model
    def _states_of(self, references: list[str]) -> dict[str, dict[str, Any] | None]:
        """Each reference (an event id, or an idempotency key, as mark_dead takes them) with
        its ledger row: {"event_id", "idempotency_key", "state", "settled"}, None when the
        ledger has no such event. `settled`: nothing is left to do (done or ignored): its
        dead letter need not wait in RQ any more. Read with the caller's own rights."""
        wanted = list(dict.fromkeys(references))
        rows = self.search_read(
            ["|", ("event_id", "in", wanted), ("idempotency_key", "in", wanted)],
            ["event_id", "idempotency_key", "state"],
            order="id",
        )
        by_key = {row["idempotency_key"]: row for row in rows}
        by_event_id: dict[str, dict[str, Any]] = {}
        for row in rows:
            # An event id names one row, except the rows of an envelope Odoo refused as invalid
            # (one per delivery, each under a key of its own): one of them settled settles it.
            known = by_event_id.get(row["event_id"])
            if known is None or row["state"] in FINISHED_STATES:
                by_event_id[row["event_id"]] = row
        answers = {}
        for reference in wanted:
            row = by_key.get(reference) or by_event_id.get(reference)
            answers[reference] = row and {
                "event_id": row["event_id"],
                "idempotency_key": row["idempotency_key"],
                "state": row["state"],
                "settled": row["state"] in FINISHED_STATES,
            }
        return answers
