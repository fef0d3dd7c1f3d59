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

from relay.envelope import (
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    format_utc,
    parse_woo_datetime,
)
from relay.queueing import MAINTENANCE_QUEUE, enqueue_envelopes
from relay.woo import PER_PAGE, WooClient

logger = logging.getLogger(__name__)

CHECKPOINT_KEY = "elitaco:reconcile:checkpoint"
DISABLED_WEBHOOKS_KEY = "elitaco:woo:disabled_webhooks"
FIRST_RUN_LOOKBACK = timedelta(days=1)
# Read again before the checkpoint: WooCommerce's dates have seconds only, and an order saved
# in a slow request can carry a time before one saved meanwhile. The ledger makes it free.
OVERLAP = timedelta(minutes=5)
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
    """Enqueue every order modified after `since` (default: the checkpoint, less OVERLAP).

    Pages are read by modification time, not by page number: a page-number walk over a list
    sorted by modification skips the rows that move up while an order modified meanwhile moves
    to its end. Each request asks for the orders modified after the newest second seen, less
    one (WooCommerce's dates have seconds only); the orders of that second read again are left
    out by id and date. An order that fails the contract is enqueued all the same, unvalidated:
    Odoo records it as an invalid event, dead at once and visible, and the run goes on.
    """
    connection = queue.connection
    checkpoint = read_checkpoint(connection)
    if since is None:
        since = checkpoint - OVERLAP if checkpoint else datetime.now(UTC) - FIRST_RUN_LOOKBACK
    report = ReconcileReport(since=format_utc(since))
    seen: set[tuple[Any, Any]] = set()
    cursor, page_number = since, 1
    while True:
        page = woo.orders_modified_after(cursor, page_number)
        fresh = [order for order in page if _state(order) not in seen]
        seen.update(map(_state, fresh))
        envelopes = [
            envelope for order in fresh if (envelope := _envelope(order, store_url, report))
        ]
        enqueue_envelopes(queue, envelopes)
        report.enqueued += len(envelopes)
        dates = [parse_woo_datetime(order.get("date_modified_gmt")) for order in page]
        newest = max((date for date in dates if date), default=None)
        if newest and (report.checkpoint is None or format_utc(newest) > report.checkpoint):
            # Only once the page is on the queue: a crash before this re-reads the page.
            connection.set(CHECKPOINT_KEY, newest.strftime("%Y-%m-%dT%H:%M:%S"))
            report.checkpoint = format_utc(newest)
        if len(page) < PER_PAGE:
            break
        if fresh and newest and newest - timedelta(seconds=1) > cursor:
            cursor, page_number = newest - timedelta(seconds=1), 1
        else:  # a whole page within one second: the next page of the same query
            page_number += 1
    logger.info(
        "reconciled orders",
        extra={"since": report.since, "enqueued": report.enqueued, "checkpoint": report.checkpoint},
    )
    return report


def _state(order: dict[str, Any]) -> tuple[Any, Any]:
    return order.get("id"), order.get("date_modified_gmt")


def _envelope(order: dict[str, Any], store_url: str, report: ReconcileReport) -> dict | None:
    received = datetime.now(UTC)
    try:
        envelope = build_woo_envelope(
            "order.updated", order, received_at=received, store_url=store_url
        )
    except IgnoredDelivery as exc:
        report.skipped.append(f"order {order.get('id')}: {exc}")
        return None
    except InvalidEnvelope as exc:
        report.skipped.append(f"order {order.get('id')}: {exc} (sent to Odoo as invalid)")
        logger.error(
            "reconciled order fails the contract",
            extra={"order": order.get("id"), "error": str(exc)},
        )
        envelope = build_woo_envelope(
            "order.updated", order, received_at=received, store_url=store_url, validate=False
        )
    envelope["meta"]["reconciled"] = True
    return dict(envelope)


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
