"""The first sync of a shop that already has a catalog, customers and orders: every product
(variations with their variable product), customer and order read from the REST API and
enqueued as the `*.updated` event its webhook would have produced, with the same idempotency
key, so that a later webhook or a second import changes nothing. Resumable: progress is kept per
page (orders and products by modification time, as reconciliation reads them; customers, which
cannot be listed so, are all read each time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rq import Queue

from relay.reconcile import (
    ReconcileReport,
    enqueue_updated,
    reconcile_customers,
    reconcile_modified,
    start_from,
)
from relay.woo import WooClient

RESOURCES = ("product", "customer", "order")  # the order an import of everything takes
EVERYTHING = datetime(1970, 1, 1, tzinfo=UTC)


def import_resource(
    woo: WooClient,
    queue: Queue,
    store_url: str,
    resource: str,
    since: datetime | None = None,
    progress: Callable[[ReconcileReport], None] | None = None,
) -> ReconcileReport:
    """Enqueue every `resource` modified after `since` (default: where an earlier import of
    it stopped, else everything)."""
    if resource == "customer":
        report = reconcile_customers(woo, queue, store_url, since or EVERYTHING)
        if progress:
            progress(report)
        return report
    name = f"import-{resource}"
    since = since or start_from(queue.connection, name, first_run=EVERYTHING)

    def page_done(items: list[dict], report: ReconcileReport) -> None:
        if resource == "product":
            for item in items:
                if item.get("type") == "variable":
                    enqueue_updated(queue, "product", woo.variations(item["id"]), store_url, report)
        if progress:
            progress(report)

    return reconcile_modified(woo, queue, store_url, resource, since, name, page_done)
