"""Missed webhooks: WooCommerce never retries a delivery, so orders modified since the last
checkpoint are fetched and enqueued with the idempotency keys a webhook would have had; the
Odoo ledger makes the overlap with delivered webhooks harmless."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue

from relay.envelope import IgnoredDelivery, build_woo_envelope, format_utc, parse_woo_datetime
from relay.queueing import MAINTENANCE_QUEUE, enqueue_envelopes
from relay.woo import WooClient

logger = logging.getLogger(__name__)

CHECKPOINT_KEY = "elitaco:reconcile:checkpoint"
DISABLED_WEBHOOKS_KEY = "elitaco:woo:disabled_webhooks"
FIRST_RUN_LOOKBACK = timedelta(days=1)
RECONCILE_SOON = timedelta(seconds=5)
RECONCILE_SOON_JOB_ID = "reconcile-orders-soon"


@dataclass
class ReconcileReport:
    since: str
    enqueued: int = 0
    skipped: list[str] = field(default_factory=list)
    checkpoint: str | None = None
    disabled_webhooks: list[dict[str, Any]] = field(default_factory=list)


def read_checkpoint(connection: Redis) -> datetime | None:
    raw = connection.get(CHECKPOINT_KEY)
    return parse_woo_datetime(raw.decode()) if raw else None


def reconcile_orders(
    woo: WooClient, queue: Queue, store_url: str, since: datetime | None = None
) -> ReconcileReport:
    connection = queue.connection
    start = since or read_checkpoint(connection) or datetime.now(UTC) - FIRST_RUN_LOOKBACK
    report = ReconcileReport(since=format_utc(start))
    for page in woo.orders_modified_after(start):
        envelopes = []
        for order in page:
            try:
                envelope = build_woo_envelope(
                    "order.updated", order, received_at=datetime.now(UTC), store_url=store_url
                )
            except IgnoredDelivery as exc:
                report.skipped.append(f"order {order.get('id')}: {exc}")
                continue
            envelope["meta"]["reconciled"] = True
            envelopes.append(dict(envelope))
        enqueue_envelopes(queue, envelopes)
        newest = max(
            (parse_woo_datetime(order.get("date_modified_gmt")) for order in page),
            default=None,
            key=lambda moment: moment or start,
        )
        if newest is not None:
            # Only once the page is on the queue: a crash before this re-reads the page.
            connection.set(CHECKPOINT_KEY, newest.strftime("%Y-%m-%dT%H:%M:%S"))
            report.checkpoint = format_utc(newest)
        report.enqueued += len(envelopes)
    logger.info(
        "reconciled orders",
        extra={"since": report.since, "enqueued": report.enqueued, "checkpoint": report.checkpoint},
    )
    return report


def schedule_reconcile_soon(connection: Redis) -> None:
    """Run relay.jobs.reconcile_orders in a few seconds (one pending run, however many ask)."""
    Queue(MAINTENANCE_QUEUE, connection=connection).enqueue_in(
        RECONCILE_SOON, "relay.jobs.reconcile_orders", job_id=RECONCILE_SOON_JOB_ID
    )


def check_webhooks(woo: WooClient, connection: Redis) -> list[dict[str, Any]]:
    """Webhooks WooCommerce disabled after failed deliveries: kept in Redis for /health."""
    disabled = [
        {key: hook.get(key) for key in ("id", "name", "topic", "delivery_url", "status")}
        for hook in woo.webhooks()
        if hook.get("status") == "disabled"
    ]
    for hook in disabled:
        logger.warning(
            "WooCommerce disabled a webhook after failed deliveries",
            extra={f"webhook_{key}": value for key, value in hook.items()},
        )
    connection.set(
        DISABLED_WEBHOOKS_KEY,
        json.dumps({"checked_at": format_utc(datetime.now(UTC)), "webhooks": disabled}),
    )
    return disabled


def read_webhook_report(connection: Redis) -> dict[str, Any] | None:
    raw = connection.get(DISABLED_WEBHOOKS_KEY)
    return json.loads(raw) if raw else None
