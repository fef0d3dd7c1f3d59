"""Drift between WooCommerce and Odoo: the store read page by page (orders modified in the
period, every product, each variable product's variations), each page handed to Odoo in one
request, which compares it with its own records and keeps the differences on the run
(Integration › Drift). The fixes people ask for there that read a record again are done here
too, through the pipeline: the record enqueued as its webhook would have been."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from rq import Queue

from relay.clients.odoo import OdooClient, until_odoo_answers
from relay.clients.woo import PER_PAGE, REST_DATE, WooClient
from relay.pipeline.envelope import format_utc, parse_woo_datetime
from relay.pipeline.queueing import enqueue_envelopes
from relay.work import reconcile

logger = logging.getLogger(__name__)

# What Odoo compares of each record: the rest of a REST answer stays here.
ORDER_FIELDS = ("id", "number", "status", "currency", "total", "total_tax", "date_modified_gmt")
PRODUCT_FIELDS = (
    "id",
    "parent_id",
    "type",
    "name",
    "sku",
    "status",
    "price",
    "regular_price",
    "manage_stock",
    "stock_quantity",
)


@dataclass
class DriftReport:
    run_id: int
    status: str = "running"
    orders: int = 0
    products: int = 0
    variations: int = 0
    drift: int = 0
    summary: str | None = None
    order_ids: list[int] = field(default_factory=list, repr=False)
    product_ids: list[int] = field(default_factory=list, repr=False)


class DriftOdoo:
    """The drift routes of the Odoo module (/elitaco/v1/drift/...)."""

    def __init__(self, client: OdooClient) -> None:
        self.client = client

    def call(self, route: str, **params: Any) -> dict[str, Any]:
        path = f"/elitaco/v1/drift/{route}"
        return until_odoo_answers(
            lambda: self.client._call(path, params),
            {"drift": route, "run_id": params.get("run_id")},
        )


def start_run(odoo: OdooClient, store_url: str, since: datetime | None, trigger: str) -> int:
    """A run made by the workers themselves (daily, or the CLI); returns its id."""
    answer = DriftOdoo(odoo).call(
        "start", store=store_url, since=format_utc(since) if since else None, trigger=trigger
    )
    return answer["run_id"]


def run_drift(odoo: OdooClient, woo_for: Callable[[str], WooClient], run_id: int) -> DriftReport:
    """Read the store of Odoo's run `run_id` (`woo_for` its key gives its client) and hand
    it over a page at a time. A failure is said on the run (Failed, with the error) and
    raised."""
    drift = DriftOdoo(odoo)
    plan = drift.call("begin", run_id=run_id)
    report = DriftReport(run_id=run_id, status=plan["status"])
    if plan["status"] != "running":
        logger.info("drift run not waiting to run: nothing read", extra=plan)
        return report
    try:
        woo = woo_for(plan["store"])
        since = parse_woo_datetime(plan["since"]) or datetime(2000, 1, 1, tzinfo=UTC)
        for page in order_pages(woo, since):
            report.order_ids += [order["id"] for order in page]
            report.orders += len(page)
            report.drift += drift.call("orders", run_id=run_id, orders=page)["drift"]
        for page in product_pages(woo):
            report.product_ids += [product["id"] for product in page]
            variations = sum(1 for product in page if product.get("parent_id"))
            report.products += len(page) - variations
            report.variations += variations
            report.drift += drift.call("products", run_id=run_id, products=page)["drift"]
        finished = drift.call(
            "finish", run_id=run_id, order_ids=report.order_ids, product_ids=report.product_ids
        )
    except Exception as exc:
        drift.call("failed", run_id=run_id, error=f"{type(exc).__name__}: {exc}")
        raise
    report.status, report.drift, report.summary = "done", finished["drift"], finished["summary"]
    logger.info(
        "drift compared",
        extra={"run_id": run_id, "drift": report.drift, "orders": report.orders},
    )
    return report


def order_pages(woo: WooClient, since: datetime) -> Iterator[list[dict[str, Any]]]:
    """Orders modified after `since`, by id: an order modified while this reads keeps its
    place (a list by modification would move it to the end, past pages read already)."""
    params = {
        "modified_after": since.astimezone(UTC).strftime(REST_DATE),
        "dates_are_gmt": "true",
        "orderby": "id",
        "order": "asc",
        "per_page": PER_PAGE,
    }
    for page in _pages(woo, "/orders", params):
        yield [_slim(order, ORDER_FIELDS) for order in page]


def product_pages(woo: WooClient) -> Iterator[list[dict[str, Any]]]:
    """Every product, of any status, by id; each page with the variations of its variable
    products (one request per variable product, a page of variations each)."""
    params = {
        "orderby": "id",
        "order": "asc",
        "per_page": PER_PAGE,
        "status": "any",
        "dates_are_gmt": "true",
    }
    for page in _pages(woo, "/products", params):
        products = [_slim(product, PRODUCT_FIELDS) for product in page]
        for product in page:
            if product.get("type") == "variable":
                products += [
                    _slim(variation, PRODUCT_FIELDS) | {"parent_id": product["id"]}
                    for variation in woo.variations(product["id"])
                ]
        yield products


def _pages(woo: WooClient, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    page = 1
    while True:
        response = woo._request("GET", path, params=params | {"page": page})
        items = response.json()
        if items:
            yield items
        if not items or page >= int(response.headers.get("X-WP-TotalPages", page)):
            return
        page += 1


def _slim(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: record.get(name) for name in names}


def claim_requests(odoo: OdooClient, store_url: str) -> dict[str, Any]:
    """The runs people asked for with the button, and the records to read again."""
    return DriftOdoo(odoo).call("claim", store=store_url)


def reread(
    odoo: OdooClient, woo: WooClient, queue: Queue, store_url: str, rereads: list[dict[str, Any]]
) -> int:
    """Each record people asked to read again, enqueued to be applied as its webhook would
    be; Odoo is told which were sent. Returns how many."""
    sent = []
    for request in rereads:
        if request["resource"] == "order":
            reconcile.reread_order(woo, queue, store_url, request["woo_id"])
        else:
            reread_product(woo, queue, store_url, request["woo_id"])
        sent.append(request["line_id"])
    if sent:
        DriftOdoo(odoo).call("rereads/sent", line_ids=sent)
    return len(sent)


def reread_product(woo: WooClient, queue: Queue, store_url: str, product_id: int) -> str | None:
    """The product's (or variation's) current state, enqueued under a key of its own so that it
    is applied even when that state came before (as reconcile.reread_order does for orders)."""
    try:
        item = woo._request("GET", f"/products/{product_id}").json()
    except requests.HTTPError as exc:
        if exc.response is not None and exc.response.status_code == 404:
            logger.info("product to read again is gone from WooCommerce", extra={"id": product_id})
            return None
        raise
    report = reconcile.ReconcileReport(since=str(item.get("date_modified_gmt")))
    envelope = reconcile._envelope("product", item, store_url, report)
    if envelope is None:
        logger.warning("product read again not enqueued", extra={"why": report.skipped})
        return None
    envelope["idempotency_key"] += f":reread-{format_utc(datetime.now(UTC))}"
    enqueue_envelopes(queue, [envelope])
    return envelope["idempotency_key"]
