"""The first sync of a shop that already has a catalog, customers and orders: every product
(variations with their variable product), customer and order read from the REST API and
enqueued as the `*.updated` event its webhook would have produced, with the same idempotency
key, so that a later webhook or a second import changes nothing. Resumable: progress is kept per
page (orders and products by modification time, as reconciliation reads them; customers, which
cannot be listed so, are all read each time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from rq import Queue

from relay.clients.woo import WooClient
from relay.work.reconcile import (
    ReconcileReport,
    enqueue_updated,
    reconcile_customers,
    reconcile_modified,
    start_from,
)

RESOURCES = ("product", "customer", "order")  # the order an import of everything takes
EVERYTHING = datetime(1970, 1, 1, tzinfo=UTC)


def import_resource(
    woo: WooClient,
    queue: Queue,
    store_url: str,
    resource: str,
    since: datetime | None = None,
    progress: Callable[[list[dict], ReconcileReport], None] | None = None,
    meta: dict[str, Any] | None = None,
    checkpoint: str | None = None,
    pause: Callable[[datetime], bool] | None = None,
) -> ReconcileReport:
    """Enqueue every `resource` modified after `since` (default: where an earlier import of
    it stopped, else everything). `progress` is called after each page with the envelopes it
    enqueued; `meta` goes into each envelope's meta; `checkpoint` names where the progress is
    kept (default: the CLI's, one per resource); `pause` stops the reading of orders and
    products between two pages (reconcile_modified), never customers': read by page number,
    they could not go on from a modification time."""
    if resource == "customer":
        return reconcile_customers(
            woo, queue, store_url, since or EVERYTHING, on_page=progress, meta=meta
        )
    name = checkpoint or f"import-{resource}"
    since = since or start_from(queue.connection, store_url, name, first_run=EVERYTHING)

    def page_done(items: list[dict], envelopes: list[dict], report: ReconcileReport) -> None:
        if resource == "product":
            for item in items:
                if item.get("type") == "variable":
                    variations = woo.variations(item["id"])
                    envelopes += enqueue_updated(
                        queue, "product", variations, store_url, report, meta
                    )
        if progress:
            progress(envelopes, report)

    return reconcile_modified(woo, queue, store_url, resource, since, name, page_done, meta, pause)
