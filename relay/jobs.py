"""RQ job functions: plain, importable, given everything they need as arguments."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def process_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """Hand one envelope to Odoo. Until the worker issue lands, it only logs the envelope."""
    logger.info(
        "event reached a worker; Odoo delivery is not wired yet",
        extra={
            "trace_id": envelope.get("trace_id"),
            "event_id": envelope.get("event_id"),
            "event_type": envelope.get("event_type"),
            "idempotency_key": envelope.get("idempotency_key"),
        },
    )
    return {"status": "logged", "event_id": envelope.get("event_id")}
