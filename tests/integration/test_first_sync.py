"""`python -m relay import`: a shop's existing catalog, customers and orders, from a WooCommerce
stand-in over HTTP onto a real Redis queue, as the events their webhooks would have made."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import requests

from relay.clients.woo import WooClient, WooConfig
from relay.pipeline.envelope import build_woo_envelope
from relay.work.first_sync import import_resource
from relay.work.reconcile import read_checkpoint
from tests.fake_woo import FakeWoo
from tests.woo import STORE_URL, example_payload

STORE = STORE_URL.rstrip("/")


def numbered(example: str, count: int, first_id: int) -> list[dict]:
    items = []
    for n in range(count):
        item = copy.deepcopy(example_payload(example))
        item["id"] = first_id + n
        item["date_modified_gmt"] = f"2025-{1 + n // 100:02d}-01T{n // 60 % 24:02d}:{n % 60:02d}:00"
        items.append(item)
    return items


@pytest.fixture
def woo(fake_woo: FakeWoo) -> WooClient:
    return WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))


def keys(queue) -> set[str]:
    return {job.args[0]["idempotency_key"] for job in queue.get_jobs()}


def webhook_key(topic: str, item: dict) -> str:
    received = datetime.now(UTC)
    return build_woo_envelope(topic, item, received_at=received, store_url=STORE)["idempotency_key"]


def test_products_come_with_the_variations_of_variable_ones(fake_woo, woo, queue) -> None:
    products = numbered("woo.product.updated", 150, 500)
    variable = products[3] | {"type": "variable"}
    products[3] = variable
    fake_woo.products = products
    variation = numbered("woo.product.updated", 120, 9000)
    for item in variation:
        item |= {"type": "variation", "parent_id": variable["id"]}
    fake_woo.variations = {variable["id"]: variation}

    report = import_resource(woo, queue, STORE, "product")
    assert report.enqueued == 150 + 120 == queue.count
    expected = {webhook_key("product.updated", item) for item in products + variation}
    assert keys(queue) == expected, "the keys the product.updated webhooks would have"
    assert read_checkpoint(queue.connection, STORE, "import-product") is not None
    assert read_checkpoint(queue.connection, STORE, "product") is None, "reconciliation's own"


def test_an_import_stopped_by_an_error_resumes_where_it_stopped(fake_woo, woo, queue) -> None:
    fake_woo.orders = numbered("woo.order.updated", 350, 7000)
    fake_woo.fail_orders_from = 3  # the store fails on the third page
    with pytest.raises(requests.HTTPError):
        import_resource(woo, queue, STORE, "order")
    assert 190 <= queue.count <= 200, "the two pages read are on the queue"
    stopped = read_checkpoint(queue.connection, STORE, "import-order")
    assert stopped is not None

    fake_woo.fail_orders_from = 0
    report = import_resource(woo, queue, STORE, "order")
    assert datetime.fromisoformat(report.since) < stopped.replace(tzinfo=UTC)
    assert report.enqueued < 350, "resumed, not started again"
    assert keys(queue) == {webhook_key("order.updated", order) for order in fake_woo.orders}


def test_a_second_import_makes_the_same_events(fake_woo, woo, queue) -> None:
    fake_woo.customers = numbered("woo.customer.updated", 30, 40)
    first = import_resource(woo, queue, STORE, "customer")
    once = keys(queue)
    queue.empty()
    import_resource(woo, queue, STORE, "customer")
    assert first.enqueued == 30
    assert keys(queue) == once, "Odoo's ledger answers each again as a duplicate"


def test_import_command_imports_everything_in_order_and_counts(
    fake_woo, queue, settings, monkeypatch, capsys
) -> None:
    from relay.cli import main as cli_main

    fake_woo.products = numbered("woo.product.updated", 3, 500)
    fake_woo.customers = numbered("woo.customer.updated", 2, 40)
    fake_woo.orders = numbered("woo.order.updated", 5, 7000)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", fake_woo.secret)
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")
    assert cli_main(["import", "all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(";")[0] for line in lines] == [
        "products: 3 enqueued",
        "customers: 2 enqueued",
        "orders: 5 enqueued",
    ]
    assert [job.args[0]["event_type"] for job in queue.get_jobs()] == (
        ["woo.product.updated"] * 3 + ["woo.customer.updated"] * 2 + ["woo.order.updated"] * 5
    )
    assert cli_main(["import", "orders", "--since", "last week"]) == 2


def test_an_import_marks_its_events_and_reports_each_page_with_its_variations(
    fake_woo, woo, queue
) -> None:
    products = numbered("woo.product.updated", 120, 500)
    products[0] |= {"type": "variable"}
    fake_woo.products = products
    fake_woo.variations = {500: numbered("woo.product.updated", 3, 9000)}
    pages: list[list[str]] = []

    def page_read(envelopes, report) -> None:
        pages.append([envelope["idempotency_key"] for envelope in envelopes])

    report = import_resource(
        woo, queue, STORE, "product", progress=page_read, meta={"import_id": 7}, checkpoint="x-7"
    )
    assert [len(page) for page in pages] == [100 + 3, 20], "each page with its variations"
    assert {key for page in pages for key in page} == keys(queue) and report.enqueued == 123
    assert {job.args[0]["meta"]["import_id"] for job in queue.get_jobs()} == {7}
    assert read_checkpoint(queue.connection, STORE, "x-7") is not None
    assert read_checkpoint(queue.connection, STORE, "import-product") is None, "the CLI's own"

    customers: list[int] = []
    fake_woo.customers = numbered("woo.customer.updated", 2, 40)
    import_resource(
        woo, queue, STORE, "customer", progress=lambda e, r: customers.append(len(e)), meta={}
    )
    assert customers == [2]
