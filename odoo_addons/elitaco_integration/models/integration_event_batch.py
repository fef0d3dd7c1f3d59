import logging
import time
from typing import Any

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

# What one request of the workers may carry (POST /elitaco/v1/events/batch), and how long it
# may go on applying before it leaves the rest to the workers: well within the time limits of
# Odoo's worker processes (limit_time_cpu 60 s, limit_time_real 120 s by default).
MAX_BATCH = 50
TIME_BUDGET_SECONDS = 15.0


class IntegrationEventBatch(models.Model):
    _inherit = "integration.event"

    @api.model
    def process_envelopes(self, envelopes: list[Any]) -> list[dict[str, Any] | None]:
        """Apply several envelopes, each exactly as `process_envelope` applies one that comes
        alone and committed on its own: its ledger row, outcome and timeline are the same,
        and one event's failure leaves its neighbours as they are.

        The answer of each envelope, in their order, or None for one the workers must send
        alone: one that met a concurrent transaction (a request of its own is retried by
        Odoo), one whose handling raised (its own request reports the error), and each one
        left once the time budget is spent."""
        started = time.monotonic()
        answers: list[dict[str, Any] | None] = []
        for envelope in envelopes:
            if answers and time.monotonic() - started > TIME_BUDGET_SECONDS:
                answers.append(None)
                continue
            answers.append(self._process_committed(envelope))
        return answers

    @api.model
    def _process_committed(self, envelope: Any) -> dict[str, Any] | None:
        cr = self.env.cr
        try:
            answer = self.process_envelope(envelope)
            cr.commit()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
            cr.rollback()
            _logger.info("event %s left to a request of its own: %s", _event_id(envelope), exc)
            return None
        except Exception:
            cr.rollback()
            _logger.exception("event %s left to a request of its own", _event_id(envelope))
            return None
        return answer


def _event_id(envelope: Any) -> Any:
    return envelope.get("event_id") if isinstance(envelope, dict) else None
