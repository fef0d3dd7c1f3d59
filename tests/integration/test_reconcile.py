"""Reconciliation: orders whose webhook never arrived reach the queue with the same keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from rq import SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry, ScheduledJobRegistry

from relay.cli import main as cli_main
from relay.clients.woo import WooAuthError, WooClient, WooConfig
from relay.config import ConfigError
from relay.ingress.app import create_app
from relay.ingress.keys import QUEUE
from relay.pipeline.envelope import build_woo_envelope, format_utc, validate_envelope
from relay.pipeline.queueing import enqueue_envelope
from relay.pipeline.status import read_webhook_report
from relay.work.reconcile import (
    OVERLAP,
    check_webhooks,
    checkpoint_key,
    read_checkpoint,
    reconcile_customers,
    reconcile_orders,
    reconcile_products,
    reread_order,
)
from relay.work.webhooks import TOPICS, register_webhooks
from tests.conftest import SECRET, one_store
from tests.fake_woo import FakeWoo
from tests.woo import example_payload

SINCE = datetime(2026, 2, 1, tzinfo=UTC)


def make_order(n: int) -> dict:
    order = example_payload("woo.order.updated")
    return dict(
        order,
        id=20_000 + n,
        number=str(20_000 + n),
        date_modified_gmt=f"2026-02-{1 + n // 100:02d}T{n // 60 % 24:02d}:{n % 60:02d}:30",
    )


@pytest.fixture
def fake_woo(fake_woo: FakeWoo) -> FakeWoo:
    fake_woo.orders = [make_order(n) for n in range(250)]
    return fake_woo


@pytest.fixture
def woo(fake_woo) -> WooClient:
    return WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))


def queued_keys(queue) -> list[str]:
    return [
        Job.fetch(job_id, connection=queue.connection).args[0]["idempotency_key"]
        for job_id in queue.job_ids
    ]


def test_orders_without_webhooks_are_enqueued_with_webhook_keys(woo, fake_woo, queue) -> None:
    report = reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    assert report.enqueued == 250
    expected = [
        build_woo_envelope("order.updated", order, received_at=SINCE, store_url=fake_woo.url)[
            "idempotency_key"
        ]
        for order in sorted(fake_woo.orders, key=lambda o: o["date_modified_gmt"])
    ]
    assert queued_keys(queue) == expected
    envelope = Job.fetch(queue.job_ids[0], connection=queue.connection).args[0]
    assert envelope["meta"]["reconciled"] is True
    newest = max(order["date_modified_gmt"] for order in fake_woo.orders)
    assert read_checkpoint(queue.connection, fake_woo.url) == datetime.fromisoformat(
        newest
    ).replace(tzinfo=UTC)
    assert sum("/orders" in line for line in fake_woo.requests) == 3  # 100 a page

    fake_woo.orders.append(dict(make_order(999), date_modified_gmt="2026-03-01T00:00:00"))
    again = reconcile_orders(woo, queue, fake_woo.url)  # from the checkpoint, less the overlap
    overlap_start = datetime.fromisoformat(newest).replace(tzinfo=UTC) - OVERLAP
    assert again.since == overlap_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = [o for o in fake_woo.orders if o["date_modified_gmt"] > again.since[:-1]]
    assert again.enqueued == len(recent) and again.enqueued < 10, "the overlap, and the new one"
    assert report.checkpoint < again.checkpoint


def test_overlap_with_delivered_webhooks_is_harmless(woo, fake_woo, queue, fake_odoo) -> None:
    fake_woo.orders = fake_woo.orders[:3]
    webhook = build_woo_envelope(
        "order.updated", fake_woo.orders[0], received_at=SINCE, store_url=fake_woo.url
    )
    enqueue_envelope(queue, dict(webhook), [0, 0, 0])  # this one did arrive as a webhook
    reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    statuses = sorted(
        Job.fetch(job_id, connection=queue.connection).return_value()["status"]
        for job_id in FinishedJobRegistry(queue=queue).get_job_ids()
    )
    assert statuses == ["duplicate", "processed", "processed", "processed"]
    assert len(fake_odoo.processed_keys()) == 3
    assert FailedJobRegistry(queue=queue).count == 0


def test_checkpoint_advances_only_after_a_page_is_enqueued(woo, fake_woo, queue) -> None:
    fake_woo.fail_orders_from = 2
    with pytest.raises(requests.HTTPError):
        reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    assert queue.count == 100
    first_page_newest = sorted(o["date_modified_gmt"] for o in fake_woo.orders)[99]
    # Less a second: more orders of the page's newest second may follow on the next page.
    assert read_checkpoint(queue.connection, fake_woo.url) == datetime.fromisoformat(
        first_page_newest
    ).replace(tzinfo=UTC) - timedelta(seconds=1)


def test_429_and_5xx_are_retried_with_backoff(woo, fake_woo, queue) -> None:
    fake_woo.orders = fake_woo.orders[:5]
    fake_woo.throttle_next = 2
    report = reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    assert report.enqueued == 5
    assert len(fake_woo.requests) == 3  # two 429s, then the page


async def test_disabled_webhooks_are_reported_in_health_and_metrics(
    woo, fake_woo, aiohttp_client, settings
) -> None:
    client = await aiohttp_client(create_app(settings, one_store(url=fake_woo.url)))
    fake_woo.webhooks = [
        {
            "id": 1,
            "name": "orders",
            "topic": "order.updated",
            "status": "active",
            "delivery_url": "https://relay/webhook/woo",
        },
        {
            "id": 2,
            "name": "products",
            "topic": "product.updated",
            "status": "disabled",
            "delivery_url": "https://relay/webhook/woo",
        },
    ]
    disabled = check_webhooks(woo, client.server.app[QUEUE].connection)
    assert [hook["id"] for hook in disabled] == [2]
    response = await client.get("/health")
    assert response.status == 200
    health = await response.json()
    assert health["status"] == "degraded"
    assert health["woo_webhooks"]["webhooks"][0]["topic"] == "product.updated"
    metrics = await (await client.get("/metrics")).text()
    assert "relay_woo_webhooks_disabled 1.0" in metrics


def test_register_webhooks_creates_missing_and_reenables_disabled(woo, fake_woo) -> None:
    url = "https://relay.example.com/webhook/woo"
    fake_woo.webhooks = [
        {"id": 1, "topic": "order.updated", "status": "disabled", "delivery_url": url}
    ]
    lines = list(register_webhooks(woo, url, SECRET))
    assert lines[1].startswith("re-enabled  order.updated")
    assert sum(line.startswith("created") for line in lines) == len(TOPICS) - 1
    assert all(
        hook["status"] == "active" and hook["secret"] == SECRET for hook in fake_woo.webhooks
    )
    assert {hook["topic"] for hook in fake_woo.webhooks} == set(TOPICS)
    assert all(line.startswith("exists") for line in register_webhooks(woo, url, SECRET))


def test_reconcile_command(fake_woo, queue, settings, monkeypatch, capsys) -> None:
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", fake_woo.secret)
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")
    assert cli_main(["reconcile", "--since", "2026-02-03T00:00:00"]) == 0
    out = capsys.readouterr().out
    assert "orders modified since 2026-02-03T00:00:00Z: 50 enqueued" in out
    assert "products modified since 2026-02-03T00:00:00Z: 0 enqueued" in out
    assert "customers modified since 2026-02-03T00:00:00Z: 0 enqueued" in out
    assert queue.count == 50
    assert queue.connection.get(checkpoint_key(fake_woo.url, "order"))
    assert cli_main(["reconcile", "--since", "yesterday"]) == 2


def test_register_webhooks_command_refreshes_the_state_health_reports(
    fake_woo, settings, monkeypatch, capsys, queue
) -> None:
    """A webhook re-enabled by register-webhooks is no longer reported disabled in /health,
    without waiting for the next reconcile."""
    url = "https://relay.example.com/webhook/woo"
    fake_woo.webhooks = [
        {"id": 1, "topic": "order.updated", "status": "disabled", "delivery_url": url}
    ]
    woo = WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))
    assert [hook["id"] for hook in check_webhooks(woo, queue.connection)] == [1]
    for name, value in {
        "REDIS_URL": settings.redis_url,
        "WOO_WEBHOOK_SECRET": SECRET,
        "WOO_STORE_URL": fake_woo.url,
        "WOO_CONSUMER_KEY": fake_woo.key,
        "WOO_CONSUMER_SECRET": fake_woo.secret,
    }.items():
        monkeypatch.setenv(name, value)
    assert cli_main(["register-webhooks", "--url", url]) == 0
    assert "0 disabled" in capsys.readouterr().out
    assert read_webhook_report(queue.connection, fake_woo.url)["webhooks"] == []


def test_a_refused_rest_key_says_what_to_check(fake_woo, monkeypatch, capsys) -> None:
    refused = WooClient(WooConfig(fake_woo.url, fake_woo.key, "wrong", backoff_factor=0))
    with pytest.raises(WooAuthError, match="only over HTTPS.*WOO_CA_BUNDLE"):
        refused.webhooks()
    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", "wrong")
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")
    assert cli_main(["reconcile"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: WooCommerce answered 401") and "Traceback" not in error


def test_basic_auth_only_over_https() -> None:
    with pytest.raises(ConfigError, match="https"):
        WooConfig("http://shop.example.com", "ck", "cs").check()
    WooConfig("https://shop.example.com", "ck", "cs").check()
    WooConfig("http://127.0.0.1:8000", "ck", "cs").check()
    with pytest.raises(ConfigError, match="WOO_CONSUMER_KEY"):
        WooConfig("https://shop.example.com", "", "").check()


def test_register_webhooks_can_hand_existing_webhooks_a_new_secret(woo, fake_woo) -> None:
    url = "https://relay.example.com/webhook/woo"
    list(register_webhooks(woo, url, "old-secret"))
    assert {hook["secret"] for hook in fake_woo.webhooks} == {"old-secret"}
    lines = list(register_webhooks(woo, url, "new-secret"))
    assert all(line.startswith("exists") for line in lines), "without the flag: left alone"
    assert {hook["secret"] for hook in fake_woo.webhooks} == {"old-secret"}
    lines = list(register_webhooks(woo, url, "new-secret", update_secret=True))
    assert all(line.startswith("secret updated") for line in lines)
    assert {hook["secret"] for hook in fake_woo.webhooks} == {"new-secret"}


def test_a_bad_order_is_sent_on_as_invalid_and_the_run_goes_on(woo, fake_woo, queue) -> None:
    fake_woo.orders[10]["line_items"] = "not a list"  # fails the contract
    report = reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    assert report.enqueued == 250, "the bad one too: Odoo records it as an invalid event"
    assert any("sent to Odoo as invalid" in line for line in report.skipped)
    assert read_checkpoint(queue.connection, fake_woo.url) == datetime.fromisoformat(
        max(order["date_modified_gmt"] for order in fake_woo.orders)
    ).replace(tzinfo=UTC)


def test_orders_modified_while_paging_are_not_skipped(woo, fake_woo, queue) -> None:
    """After the first page, an order of it is modified: it moves to the end of the list, and a
    page-number walk would skip the order that moves up into the first page meanwhile."""

    def modify_one_order(fake: FakeWoo) -> None:
        if fake.order_requests == 1:
            moved = min(fake.orders, key=lambda o: o["date_modified_gmt"])
            moved["date_modified_gmt"] = "2026-03-02T00:00:00"

    fake_woo.after_order_request = modify_one_order
    reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    queued_ids = {
        Job.fetch(job_id, connection=queue.connection).args[0]["data"]["id"]
        for job_id in queue.job_ids
    }
    assert queued_ids == {order["id"] for order in fake_woo.orders}, "none skipped"


BULK_EDIT = "2026-02-01T10:00:00"


def bulk_edit(fake_woo: FakeWoo) -> None:
    """The 250 orders saved in one second (a bulk edit in wp-admin), then ten more later."""
    for order in fake_woo.orders:
        order["date_modified_gmt"] = BULK_EDIT
    fake_woo.orders += [
        dict(make_order(300 + n), date_modified_gmt=f"2026-02-02T{n:02d}:00:00") for n in range(10)
    ]


def test_a_bulk_edited_second_is_read_whole_while_its_orders_move_on(woo, fake_woo, queue) -> None:
    """While that second is paged, five orders of its first page are modified again and leave
    it: the next page number would skip the five that move up, and the checkpoint would pass
    them for good."""
    bulk_edit(fake_woo)

    def modify_five(fake: FakeWoo) -> None:
        if fake.order_requests == 2:
            for order in sorted(fake.orders, key=lambda o: o["id"])[:5]:
                order["date_modified_gmt"] = "2026-02-01T10:02:00"

    fake_woo.after_order_request = modify_five
    report = reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    queued_ids = {envelope["data"]["id"] for envelope in queued(queue)}
    missing = {order["id"] for order in fake_woo.orders} - queued_ids
    assert not missing, "none skipped"
    assert report.checkpoint == "2026-02-02T09:00:00Z"


def test_the_checkpoint_waits_for_a_second_read_whole(woo, fake_woo, queue) -> None:
    """A run that stops inside the bulk-edited second leaves the checkpoint before it."""
    bulk_edit(fake_woo)
    fake_woo.fail_orders_from = 3
    with pytest.raises(requests.HTTPError):
        reconcile_orders(woo, queue, fake_woo.url, since=SINCE)
    checkpoint = read_checkpoint(queue.connection, fake_woo.url)
    assert checkpoint is None or format_utc(checkpoint) < BULK_EDIT + "Z"


def queued(queue) -> list[dict]:
    return [Job.fetch(job_id, connection=queue.connection).args[0] for job_id in queue.job_ids]


def test_products_without_webhooks_are_caught_up_like_orders(woo, fake_woo, queue) -> None:
    product = example_payload("woo.product.updated")
    fake_woo.products = [
        dict(product, id=300 + n, date_modified_gmt=f"2026-02-0{1 + n}T10:00:00") for n in range(3)
    ]
    report = reconcile_products(
        woo, queue, fake_woo.url, since=datetime(2026, 2, 1, 12, tzinfo=UTC)
    )
    assert report.enqueued == 2
    envelopes = queued(queue)
    assert [e["data"]["id"] for e in envelopes] == [301, 302]
    assert {e["event_type"] for e in envelopes} == {"woo.product.updated"}
    assert (
        envelopes[0]["idempotency_key"]
        == build_woo_envelope(
            "product.updated", fake_woo.products[1], received_at=SINCE, store_url=fake_woo.url
        )["idempotency_key"]
    ), "the key its webhook would have had"
    assert read_checkpoint(queue.connection, fake_woo.url, "product") == datetime(
        2026, 2, 3, 10, tzinfo=UTC
    )
    assert read_checkpoint(queue.connection, fake_woo.url) is None, (
        "the orders' checkpoint is their own"
    )


def test_customers_are_all_read_and_the_modified_ones_enqueued(woo, fake_woo, queue) -> None:
    customer = example_payload("woo.customer.updated")
    fake_woo.customers = [
        dict(customer, id=n, date_modified_gmt=f"2026-01-{10 + n % 20:02d}T08:00:00")
        for n in range(1, 231)
    ]
    since = datetime(2026, 1, 27, tzinfo=UTC)
    report = reconcile_customers(woo, queue, fake_woo.url, since=since)
    modified = [c["id"] for c in fake_woo.customers if c["date_modified_gmt"] > "2026-01-27"]
    assert report.enqueued == len(modified) > 0
    assert sorted(e["data"]["id"] for e in queued(queue)) == modified
    assert sum("/customers" in line for line in fake_woo.requests) == 3, "100 a page, all read"
    assert read_checkpoint(queue.connection, fake_woo.url, "customer") == datetime(
        2026, 1, 29, 8, tzinfo=UTC
    )

    again = reconcile_customers(woo, queue, fake_woo.url)  # from the checkpoint, less OVERLAP
    assert again.enqueued == sum(
        c["date_modified_gmt"] > "2026-01-29T07:55" for c in fake_woo.customers
    )


def test_an_order_read_again_is_enqueued_under_a_key_of_its_own(woo, fake_woo, queue) -> None:
    """After a same-second tie the current state must be applied even when a webhook carried
    it already: the reading gets a key that the webhook's cannot be a duplicate of."""
    order = fake_woo.orders[7]
    webhook = build_woo_envelope("order.updated", order, received_at=SINCE, store_url=fake_woo.url)
    key = reread_order(woo, queue, fake_woo.url, order["id"])
    assert key is not None and key.startswith(webhook["idempotency_key"] + ":reread-")
    [job_id] = queue.job_ids
    envelope = Job.fetch(job_id, connection=queue.connection).args[0]
    assert envelope["idempotency_key"] == key
    assert envelope["data"]["status"] == order["status"]
    assert envelope["meta"]["reconciled"] is True, "its own answer asks for no further reading"
    validate_envelope(envelope)
    assert reread_order(woo, queue, fake_woo.url, 999_999) is None, "an order gone: nothing"


def test_a_tie_in_odoo_schedules_one_reading_per_order(queue, fake_odoo, monkeypatch) -> None:
    """The worker, told by Odoo that two states of one second met, reads the order again in
    a moment: once, however many deliveries of it meet."""
    fake_odoo.reread_types.add("woo.order.updated")
    order = make_order(3)
    for status in ("pending", "processing"):
        enqueue_envelope(
            queue,
            build_woo_envelope(
                "order.updated",
                dict(order, status=status),
                received_at=SINCE,
                store_url="https://shop.example.com",
            ),
        )
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    scheduled = ScheduledJobRegistry(queue=queue).get_job_ids()
    assert scheduled == [f"reread-order-shop_example_com-{order['id']}"], "one per store's order"
    job = Job.fetch(scheduled[0], connection=queue.connection)
    assert (job.func_name, job.args) == (
        "relay.jobs.reread_order",
        (order["id"], "https://shop.example.com"),
    )
