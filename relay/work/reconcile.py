"""Missed webhooks: WooCommerce never retries a delivery, so orders and products modified since
the last checkpoint (and, once a day, customers) are fetched and enqueued with the idempotency
keys a webhook would have had; the Odoo ledger makes the overlap with delivered webhooks
harmless."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from redis import Redis
from rq import Queue, Retry

from relay.clients.woo import PER_PAGE, WooClient
from relay.config import store_identity
from relay.pipeline import status
from relay.pipeline.envelope import (
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    format_utc,
    parse_woo_datetime,
)
from relay.pipeline.queueing import REREAD_ORDER, enqueue_envelopes
from relay.work import webhooks

logger = logging.getLogger(__name__)

# Each store's checkpoints are its own (status.store_key); this one, of a deployment that
# served one store, is read when a store has none yet (orders'; other resources add
# ":<resource>").
CHECKPOINT_KEY = "elitaco:reconcile:checkpoint"
FIRST_RUN_LOOKBACK = timedelta(days=1)
# Read again before the checkpoint: WooCommerce's dates have seconds only, and an order saved
# in a slow request can carry a time before one saved meanwhile. The ledger makes it free.
OVERLAP = timedelta(minutes=5)


@dataclass
class ReconcileReport:
    since: str
    enqueued: int = 0
    skipped: list[str] = field(default_factory=list)
    checkpoint: str | None = None
    disabled_webhooks: list[dict[str, Any]] = field(default_factory=list)


def legacy_checkpoint_key(resource: str) -> str:
    return CHECKPOINT_KEY if resource == "order" else f"{CHECKPOINT_KEY}:{resource}"


def checkpoint_key(store_url: str, resource: str) -> str:
    return status.store_key(store_url, f"reconcile:checkpoint:{resource}")


def read_checkpoint(connection: Redis, store_url: str, resource: str = "order") -> datetime | None:
    """The store's checkpoint, else the one kept before several stores (see CHECKPOINT_KEY)."""
    raw = connection.get(checkpoint_key(store_url, resource)) or connection.get(
        legacy_checkpoint_key(resource)
    )
    return parse_woo_datetime(raw.decode()) if raw else None


def reconcile_orders(
    woo: WooClient, queue: Queue, store_url: str, since: datetime | None = None
) -> ReconcileReport:
    return reconcile_modified(woo, queue, store_url, "order", since)


def reconcile_products(
    woo: WooClient, queue: Queue, store_url: str, since: datetime | None = None
) -> ReconcileReport:
    """Products (simple and variable) modified since; a variation changed alone is left to
    its webhook (fetching every variable product's variations each run costs too much). A
    variation deleted for good sends no webhook at all, but moves its variable product's
    date_modified: that state's `variations` make Odoo archive the variant."""
    return reconcile_modified(woo, queue, store_url, "product", since)


def reconcile_modified(
    woo: WooClient,
    queue: Queue,
    store_url: str,
    resource: str = "order",
    since: datetime | None = None,
    checkpoint: str | None = None,
    on_page: Callable[[list[dict], list[dict], ReconcileReport], None] | None = None,
    meta: dict[str, Any] | None = None,
    pause: Callable[[datetime], bool] | None = None,
) -> ReconcileReport:
    """Enqueue every order or product modified after `since` (default: the checkpoint, less
    OVERLAP).

    Pages are read by modification time, not by page number: a page-number walk over a list
    sorted by modification skips the rows that move up while one modified meanwhile moves to
    its end. Each request asks for what was modified after the newest second seen, less one
    (WooCommerce's dates have seconds only); what of that second is read again is left out by
    id and date. A whole page within one second (a bulk edit) is read to that second's end by
    id (read_second). The checkpoint never passes a second not read whole. A resource that
    fails the contract is enqueued all the same, unvalidated: Odoo records it as an invalid
    event, dead at once and visible, and the run goes on.

    `checkpoint`: the name its progress is kept under (default: the resource's); `on_page`:
    called with each page and the envelopes enqueued for it, before its checkpoint is saved;
    `meta`: added to each envelope's meta; `pause`: asked once a page is on the queue and its
    checkpoint saved, with the cursor the next request would read after: True stops the
    reading there, for a later call to go on from that cursor.
    """
    connection = queue.connection
    checkpoint = checkpoint or resource
    since = since or start_from(connection, store_url, checkpoint)
    report = ReconcileReport(since=format_utc(since))
    seen: set[tuple[Any, Any]] = set()

    def take(page: list[dict]) -> None:
        fresh = [item for item in page if _state(item) not in seen]
        seen.update(map(_state, fresh))
        envelopes = enqueue_updated(queue, resource, fresh, store_url, report, meta)
        if on_page is not None:
            on_page(fresh, envelopes, report)

    cursor = since
    while True:
        page = woo.modified_after(resource, cursor)
        take(page)
        newest = _newest(page)
        if len(page) < PER_PAGE or newest is None:
            if newest:
                _save_checkpoint(connection, store_url, checkpoint, newest, report)
            break
        if min(filter(None, map(_modified, page))) < newest:
            # Its newest second may go on on the next page: the next request reads it again.
            cursor = newest - timedelta(seconds=1)
        else:
            read_second(woo, resource, newest, take)
            cursor = newest
        # Only once the page is on the queue: a crash before this re-reads the page.
        _save_checkpoint(connection, store_url, checkpoint, cursor, report)
        if pause is not None and pause(cursor):
            break
    logger.info(
        "reconciled %ss",
        resource,
        extra={"since": report.since, "enqueued": report.enqueued, "checkpoint": report.checkpoint},
    )
    return report


def read_second(
    woo: WooClient, resource: str, second: datetime, take: Callable[[list[dict]], None]
) -> None:
    """Hand `take` every order or product modified within `second`, page by page, by id. A row
    modified again meanwhile leaves the second and moves each later one up a place, which the
    next page number would skip: when the count changes between two pages, the second is read
    again from its first page (`take` leaves out what it had)."""
    page_number, total = 1, None
    while True:
        page, count = woo.modified_within(resource, second, page_number)
        take(page)
        changed = total is not None and count != total
        total = count
        if changed:
            page_number = 1
        elif page_number * PER_PAGE >= count or not page:
            return
        else:
            page_number += 1


def reconcile_customers(
    woo: WooClient,
    queue: Queue,
    store_url: str,
    since: datetime | None = None,
    on_page: Callable[[list[dict], ReconcileReport], None] | None = None,
    meta: dict[str, Any] | None = None,
) -> ReconcileReport:
    """Customers modified since (default: the checkpoint, less OVERLAP). WooCommerce cannot
    list customers by modification, so every customer is read, by id, and the modified ones
    enqueued: a run of its own, daily (CUSTOMER_RECONCILE_INTERVAL), not every few minutes.
    Customers' data also arrives with every order, which reconcile_orders catches up."""
    connection = queue.connection
    since = since or start_from(connection, store_url, "customer")
    report = ReconcileReport(since=format_utc(since))
    newest_seen: datetime | None = None
    page_number = 1
    while True:
        page = woo.customers(page_number)
        modified = [
            customer
            for customer in page
            if (parse_woo_datetime(customer.get("date_modified_gmt")) or since) > since
        ]
        envelopes = enqueue_updated(queue, "customer", modified, store_url, report, meta)
        if on_page is not None:
            on_page(envelopes, report)
        newest = _newest(page)
        if newest and (newest_seen is None or newest > newest_seen):
            newest_seen = newest
        if len(page) < PER_PAGE:
            break
        page_number += 1
    if newest_seen:  # only once every customer was read: a crash before reads them all again
        _save_checkpoint(connection, store_url, "customer", newest_seen, report)
    logger.info(
        "reconciled customers",
        extra={"since": report.since, "enqueued": report.enqueued, "checkpoint": report.checkpoint},
    )
    return report


def start_from(
    connection: Redis, store_url: str, resource: str, first_run: datetime | None = None
) -> datetime:
    """The checkpoint less OVERLAP; on the first run, `first_run` (default: a day back)."""
    checkpoint = read_checkpoint(connection, store_url, resource)
    if checkpoint:
        return checkpoint - OVERLAP
    return first_run or datetime.now(UTC) - FIRST_RUN_LOOKBACK


def enqueue_updated(
    queue: Queue,
    resource: str,
    items: list[dict],
    store_url: str,
    report: ReconcileReport,
    meta: dict[str, Any] | None = None,
) -> list[dict]:
    """Each item as the `<resource>.updated` event its webhook would have made; returns them."""
    envelopes = [
        envelope
        for item in items
        if (envelope := _envelope(resource, item, store_url, report, meta))
    ]
    enqueue_envelopes(queue, envelopes)
    report.enqueued += len(envelopes)
    return envelopes


def _modified(item: dict[str, Any]) -> datetime | None:
    return parse_woo_datetime(item.get("date_modified_gmt"))


def _newest(items: list[dict[str, Any]]) -> datetime | None:
    return max(filter(None, map(_modified, items)), default=None)


def _save_checkpoint(
    connection: Redis, store_url: str, resource: str, moment: datetime, report: ReconcileReport
) -> None:
    """The store's own checkpoint; the one of before several stores is done with then."""
    with connection.pipeline() as pipe:
        pipe.set(checkpoint_key(store_url, resource), moment.strftime("%Y-%m-%dT%H:%M:%S"))
        pipe.delete(legacy_checkpoint_key(resource))
        pipe.execute()
    report.checkpoint = format_utc(moment)


def _state(item: dict[str, Any]) -> tuple[Any, Any]:
    return item.get("id"), item.get("date_modified_gmt")


def _envelope(
    resource: str,
    item: dict[str, Any],
    store_url: str,
    report: ReconcileReport,
    meta: dict[str, Any] | None = None,
) -> dict | None:
    received = datetime.now(UTC)
    topic = f"{resource}.updated"
    try:
        envelope = build_woo_envelope(topic, item, received_at=received, store_url=store_url)
    except IgnoredDelivery as exc:
        report.skipped.append(f"{resource} {item.get('id')}: {exc}")
        return None
    except InvalidEnvelope as exc:
        report.skipped.append(f"{resource} {item.get('id')}: {exc} (sent to Odoo as invalid)")
        logger.error(
            "reconciled resource fails the contract",
            extra={"resource": resource, "id": item.get("id"), "error": str(exc)},
        )
        envelope = build_woo_envelope(
            topic, item, received_at=received, store_url=store_url, validate=False
        )
    envelope["meta"]["reconciled"] = True
    envelope["meta"].update(meta or {})
    return dict(envelope)


REREAD_DELAY = timedelta(seconds=2)  # deliveries of the same second still in flight land first
REREAD_RETRY = Retry(max=3, interval=[10, 60, 300])


def reread_order_soon(queue: Queue, store_url: str, order_id: int) -> None:
    """Read the order again from WooCommerce in a moment: Odoo met two different states of it
    within one second and cannot tell which is the last. One pending read per store's order."""
    store = re.sub(r"[^A-Za-z0-9_-]", "_", store_identity(store_url))  # what RQ's ids take
    queue.enqueue_in(
        REREAD_DELAY,
        REREAD_ORDER,
        order_id,
        store_url,
        job_id=f"reread-order-{store}-{order_id}",
        retry=REREAD_RETRY,
    )


def reread_order(woo: WooClient, queue: Queue, store_url: str, order_id: int) -> str | None:
    """Enqueue the order's current state, under a key of its own: the same state may have come
    by webhook already, applied or set aside as stale, and this reading must be applied over
    whatever arrived last. Returns the idempotency key; None when the order is gone."""
    try:
        item = woo.order(order_id)
    except requests.HTTPError as exc:
        if exc.response is not None and exc.response.status_code == 404:
            logger.info("order to read again is gone from WooCommerce", extra={"id": order_id})
            return None
        raise
    report = ReconcileReport(since=str(item.get("date_modified_gmt")))
    envelope = _envelope("order", item, store_url, report)
    if envelope is None:
        logger.warning(
            "order read again not enqueued", extra={"id": order_id, "why": report.skipped}
        )
        return None
    envelope["idempotency_key"] += f":reread-{format_utc(datetime.now(UTC))}"
    enqueue_envelopes(queue, [envelope])
    return envelope["idempotency_key"]


def check_webhooks(woo: WooClient, connection: Redis) -> list[dict[str, Any]]:
    """The store's (woo's) webhooks WooCommerce disabled after failed deliveries; every webhook
    problem (missing topics, another delivery URL or API version: relay.work.webhooks) is kept
    in Redis for /health with them."""
    return webhooks.check_webhook_health(woo, connection)["webhooks"]
