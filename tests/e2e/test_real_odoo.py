"""Signed WooCommerce webhooks through the relay, Redis and `python -m relay worker` processes
into a real Odoo 18 with elitaco_integration, which the tests start themselves (conftest).
The workers call Odoo as the Integration User with its API key; the tests look at Odoo through
its external API as an Integration Manager, and at the timeline through the relay's API."""

from __future__ import annotations

import base64
import copy
import random
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

from relay.clients import odoo as odoo_client
from relay.ingress.api import api_token
from relay.work.odoo_access import check_odoo_access
from tests.e2e.conftest import APP_SECRET, deliver
from tests.fake_woo import FakeWoo
from tests.odoo_server import OdooServer
from tests.processes import RelayServer
from tests.waiting import run_for_each_store, wait_for
from tests.woo import example_envelope, example_payload

MASTER_PARAM = "elitaco_integration.product_master"
STORE_PARAM = "elitaco_integration.store_url"


def new_order(status: str = "processing", modified: datetime | None = None, **changes) -> dict:
    """An order of the German test shop, shaped as WooCommerce sends it, under an id no earlier
    run used: 2 x 19.99 and 4.90 shipping with 19 % VAT, total 53.41."""
    woo_id = random.randint(10_000_000, 99_999_999)
    modified = modified or datetime.now(UTC).replace(microsecond=0)
    tax = [{"id": 1, "total": "7.6", "subtotal": "7.6"}]
    return (
        copy.deepcopy(example_payload("woo.order.updated"))
        | {
            "id": woo_id,
            "number": str(woo_id),
            "status": status,
            "date_modified_gmt": modified.strftime("%Y-%m-%dT%H:%M:%S"),
            "discount_total": "0.00",
            "discount_tax": "0.00",
            "shipping_total": "4.90",
            "shipping_tax": "0.93",
            "cart_tax": "7.60",
            "total": "53.41",
            "total_tax": "8.53",
            "line_items": [
                {
                    "id": 1,
                    "name": "Linen Shirt",
                    "product_id": 120,
                    "variation_id": 0,
                    "quantity": 2,
                    "tax_class": "",
                    "subtotal": "39.98",
                    "subtotal_tax": "7.60",
                    "total": "39.98",
                    "total_tax": "7.60",
                    "taxes": tax,
                    "meta_data": [],
                    "sku": "E2E-SHIRT",
                    "price": 19.99,
                    "parent_name": None,
                }
            ],
            "tax_lines": [
                {
                    "id": 9,
                    "rate_code": "DE-MWST-1",
                    "rate_id": 1,
                    "label": "MwSt.",
                    "compound": False,
                    "tax_total": "7.60",
                    "shipping_tax_total": "0.93",
                    "rate_percent": 19,
                    "meta_data": [],
                }
            ],
            "shipping_lines": [
                {
                    "id": 2,
                    "method_title": "Flat rate",
                    "method_id": "flat_rate",
                    "instance_id": "1",
                    "total": "4.90",
                    "total_tax": "0.93",
                    "taxes": [{"id": 1, "total": "0.93", "subtotal": ""}],
                    "meta_data": [],
                }
            ],
            "fee_lines": [],
            "coupon_lines": [],
        }
        | changes
    )


def job_status(redis_url: str, event_id: str) -> str:
    return Job.fetch(event_id, connection=Redis.from_url(redis_url)).get_status()


def finished(redis_url: str, *event_ids: str) -> bool:
    return all(job_status(redis_url, event_id) == JobStatus.FINISHED for event_id in event_ids)


def sale_order(odoo: OdooServer, woo_id: int) -> dict:
    orders = odoo.search_read(
        "sale.order",
        [("woo_order_id", "=", woo_id)],
        ["name", "state", "amount_total", "woo_status", "write_date", "order_line"],
    )
    assert len(orders) == 1, f"one sale order for WooCommerce order {woo_id}: {orders}"
    return orders[0]


def map_currency_and_replay(odoo: OdooServer, currency: str, event_row_id: int) -> None:
    """What a manager does for an order refused for its currency: map it, press Replay."""
    pricelist = odoo.search_read("product.pricelist", [], ["id"], limit=1)[0]["id"]
    odoo.execute(
        "integration.value.map",
        "create",
        {"kind": "currency", "woo_value": currency, "pricelist_id": pricelist},
    )
    odoo.execute("integration.event", "action_replay", [event_row_id])


def ledger(odoo: OdooServer, woo_id: int) -> list[dict]:
    return odoo.search_read(
        "integration.event",
        [("woo_resource_id", "=", woo_id), ("event_type", "like", "woo.order.")],
        ["idempotency_key", "state", "attempts", "message"],
        order="id",
    )


def timeline(relay_url: str, woo_id: int) -> requests.Response:
    return requests.get(
        f"{relay_url}/api/orders/{woo_id}/timeline",
        headers={"Authorization": f"Bearer {api_token(APP_SECRET)}"},
        timeout=30,
    )


def test_a_signed_webhook_becomes_a_confirmed_sale_order_with_its_timeline(
    odoo, relay, start_worker, redis_url
) -> None:
    order = new_order("processing")
    accepted = deliver(relay, "order.updated", order)
    start_worker()
    wait_for(lambda: finished(redis_url, accepted["event_id"]), 60, "the event in Odoo")

    result = sale_order(odoo, order["id"])
    assert result["state"] == "sale", "status processing confirms the order"
    assert result["woo_status"] == "processing"
    assert len(result["order_line"]) == 2  # the shirts and the shipping
    assert result["amount_total"] == 53.41, "WooCommerce's total, to the cent"

    response = timeline(relay.url, order["id"])
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert response.json()["order"]["name"] == result["name"]
    processed = [entry for entry in entries if entry["kind"] == "processed"]
    assert processed and processed[0]["trace_id"] == accepted["trace_id"]
    assert timeline(relay.url, 1).status_code == 404
    assert not [entry for entry in entries if entry["kind"] == "warning"], entries

    # What the worker counted in Redis, as the relay's /metrics shows it: one event applied,
    # and its lag from the relay's acceptance to Odoo.
    metrics = requests.get(f"{relay.url}/metrics", timeout=10).text
    assert re.search(
        r'relay_events_applied_total\{outcome="processed",store="[^"]+"\} 1\.0', metrics
    ), metrics
    assert re.search(r'relay_event_lag_seconds_count\{store="[^"]+"\} 1\.0', metrics), metrics


@pytest.fixture
def with_store(pipeline_env, tmp_path) -> Iterator[tuple[FakeWoo, dict[str, str], RelayServer]]:
    """A WooCommerce stand-in the relay and the workers serve (WOO_STORE_URL and REST keys):
    the store, the environment to start workers with, the relay."""
    woo = FakeWoo()
    woo.start()
    store = {
        "WOO_STORE_URL": woo.url,
        "WOO_CONSUMER_KEY": woo.key,
        "WOO_CONSUMER_SECRET": woo.secret,
    }
    relay = RelayServer(pipeline_env | store, tmp_path / "store-relay.log")
    yield woo, store, relay
    relay.stop()
    woo.stop()


def test_a_paid_order_becomes_a_posted_paid_invoice_and_refunds_credit_notes_both_ways(
    odoo, with_store, start_worker, redis_url
) -> None:
    """Through the relay and a worker, as the Integration User, in the German shop's SKR03: a
    paid order is a paid invoice; a refund made in WooCommerce, which the worker reads from the
    store, is a credit note with its lines; a credit note made in Odoo is a refund in the
    store, and the order update it causes books nothing."""
    woo, store, relay = with_store
    odoo.set_param("elitaco_integration.invoice_policy", "paid")
    bank = odoo.shop_bank_journal_id()
    odoo.set_param("elitaco_integration.payment_journal_id", str(bank))
    order = new_order("processing", transaction_id="pi_e2e_paid")
    woo.orders = [order]
    modified = datetime.fromisoformat(order["date_modified_gmt"])
    try:
        accepted = deliver(relay, "order.updated", order)
        start_worker(**store)
        wait_for(lambda: finished(redis_url, accepted["event_id"]), 60, "the event in Odoo")

        refund_id = random.randint(10_000, 99_999)
        woo.refunds[order["id"]] = [shirt_refund(refund_id)]
        listed = {"id": refund_id, "reason": "One shirt back", "total": "-23.79"}
        refunded = deliver(relay, "order.updated", updated(order, modified, 5, refunds=[listed]))
        wait_for(lambda: finished(redis_url, refunded["event_id"]), 60, "the refund in Odoo")
        assert f"GET /wp-json/wc/v3/orders/{order['id']}/refunds/{refund_id}?" in woo.requests

        sale = sale_order(odoo, order["id"])
        [invoice] = odoo.search_read(
            "account.move",
            [("invoice_origin", "=", sale["name"]), ("move_type", "=", "out_invoice")],
            ["state", "amount_total", "payment_state", "matched_payment_ids", "journal_id"],
        )
        assert (invoice["state"], invoice["amount_total"]) == ("posted", 53.41)
        assert invoice["payment_state"] in ("paid", "in_payment")
        [payment] = odoo.search_read(
            "account.payment",
            [("id", "in", invoice["matched_payment_ids"])],
            ["memo", "journal_id"],
        )
        assert (payment["memo"], payment["journal_id"][0]) == ("pi_e2e_paid", bank)
        [credit_note] = credit_notes(odoo, sale["id"])
        assert (credit_note["state"], credit_note["amount_total"]) == ("posted", 23.79)
        assert credit_note["payment_state"] in ("paid", "in_payment"), "paid back, reconciled"
        [line] = odoo.search_read(
            "account.move.line",
            [("move_id", "=", credit_note["id"]), ("display_type", "=", "product")],
            ["quantity", "price_subtotal", "tax_ids", "product_id"],
        )
        assert (line["quantity"], line["price_subtotal"], len(line["tax_ids"])) == (1, 19.99, 1)

        odoo_note = odoo.credit_note_of_line(invoice["id"], 2)  # new_order()'s shipping
        maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
        run_for_each_store(maintenance, "relay.jobs.push_outbox")
        [made] = [refund for refund in woo.refunds[order["id"]] if refund["meta_data"]]
        assert made["amount"] == "5.83"
        assert [(item["total"], item["total_tax"]) for item in made["line_items"]] == [
            ("-4.90", "-0.93")
        ]
        [binding] = odoo.search_read(
            "integration.binding",
            [("model", "=", "account.move"), ("external_id", "=", made["id"])],
            ["res_id"],
        )
        assert binding["res_id"] == odoo_note

        both = [{"id": made["id"], "reason": made["reason"], "total": "-5.83"}, listed]
        echo = deliver(relay, "order.updated", updated(order, modified, 10, refunds=both))
        wait_for(lambda: finished(redis_url, echo["event_id"]), 60, "the echo in Odoo")
        assert len(credit_notes(odoo, sale["id"])) == 2, "the echo books nothing"
    finally:
        odoo.set_param("elitaco_integration.invoice_policy", "none")


def updated(order: dict, modified: datetime, minutes: int, **changes) -> dict:
    later = modified + timedelta(minutes=minutes)
    return order | {"date_modified_gmt": later.strftime("%Y-%m-%dT%H:%M:%S")} | changes


def shirt_refund(refund_id: int) -> dict:
    """A refund of one of new_order()'s shirts, as GET /orders/<id>/refunds/<id> shows it."""
    return {
        "id": refund_id,
        "amount": "23.79",
        "reason": "One shirt back",
        "refunded_payment": True,
        "meta_data": [],
        "line_items": [
            {
                "id": refund_id + 1,
                "name": "Linen Shirt",
                "product_id": 120,
                "variation_id": 0,
                "quantity": -1,
                "total": "-19.99",
                "total_tax": "-3.80",
                "taxes": [{"id": 1, "total": "-3.80", "subtotal": "-3.80"}],
                "meta_data": [{"key": "_refunded_item_id", "value": "1"}],
            }
        ],
        "shipping_lines": [],
        "fee_lines": [],
    }


def credit_notes(odoo: OdooServer, sale_id: int) -> list[dict]:
    return odoo.search_read(
        "account.move",
        [("woo_sale_order_id", "=", sale_id), ("move_type", "=", "out_refund")],
        ["state", "amount_total", "payment_state"],
    )


def test_a_duplicate_and_a_stale_delivery_change_nothing(
    odoo, relay, start_worker, redis_url
) -> None:
    modified = datetime.now(UTC).replace(microsecond=0)
    order = new_order("processing", modified)
    older = new_order("on-hold", modified - timedelta(minutes=5), id=order["id"])
    first = deliver(relay, "order.updated", order)
    worker = start_worker()
    wait_for(lambda: finished(redis_url, first["event_id"]), 60, "the first delivery")
    before = sale_order(odoo, order["id"])

    again = deliver(relay, "order.updated", order)
    stale = deliver(relay, "order.updated", older)
    assert again["idempotency_key"] == first["idempotency_key"]
    wait_for(lambda: finished(redis_url, again["event_id"], stale["event_id"]), 60, "both")
    connection = Redis.from_url(redis_url)
    assert Job.fetch(again["event_id"], connection=connection).return_value()["status"] == (
        "duplicate"
    )
    assert Job.fetch(stale["event_id"], connection=connection).return_value()["status"] == (
        "ignored"
    )
    assert sale_order(odoo, order["id"]) == before, "neither delivery wrote to the order"
    assert [row["state"] for row in ledger(odoo, order["id"])] == ["done", "ignored"]
    assert "Stale update ignored" in ledger(odoo, order["id"])[1]["message"]
    worker.stop()


def test_an_event_odoo_rejects_is_dead_at_once_and_replayed_from_odoo(
    odoo, relay, start_worker, redis_url
) -> None:
    """A currency Odoo does not know fails the same way every time: no retry is spent on it."""
    order = new_order("processing", currency="ZZZ")
    accepted = deliver(relay, "order.updated", order)
    start_worker()
    queue = Queue("woo-events", connection=Redis.from_url(redis_url))
    wait_for(lambda: FailedJobRegistry(queue=queue).count, 60, "the dead letter")
    assert FailedJobRegistry(queue=queue).get_job_ids() == [accepted["event_id"]]

    dead = odoo.search_read(
        "integration.event", [("state", "=", "dead")], ["event_id", "attempts", "last_error"]
    )
    assert [row["event_id"] for row in dead] == [accepted["event_id"]]
    assert dead[0]["attempts"] == 1, "rejected: not retried"
    assert "Unknown currency ZZZ" in dead[0]["last_error"]

    # The manager maps the currency, then presses Replay on the dead letter.
    pricelist = odoo.search_read("product.pricelist", [], ["id"], limit=1)[0]["id"]
    odoo.execute(
        "integration.value.map",
        "create",
        {"kind": "currency", "woo_value": "ZZZ", "pricelist_id": pricelist},
    )
    odoo.execute("integration.event", "action_replay", [dead[0]["id"]])
    assert sale_order(odoo, order["id"])["state"] == "sale"
    [entry] = timeline(relay.url, order["id"]).json()["entries"]
    assert (entry["kind"], entry["attempts"]) == ("processed", 2), "one row, the dead one's"
    assert "Applied on attempt 2." in entry["story"] and "Replayed by" in entry["story"]


def run_maintenance_job(redis_url: str, name: str) -> dict:
    """A cron job, enqueued as `rq cron` does, run by the test's worker processes."""
    maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
    job = maintenance.enqueue(name)
    wait_for(lambda: job.get_status(refresh=True) in ("finished", "failed"), 60, name)
    assert job.get_status() == JobStatus.FINISHED, job.latest_result().exc_string
    return job.return_value()


def test_a_dead_letter_replayed_in_odoo_leaves_rq_and_health_is_ok_again(
    odoo, relay, start_worker, redis_url
) -> None:
    """One truth (issue 26, item 11): the workers ask Odoo, as the Integration User with its
    API key (POST /elitaco/v1/events/states), which dead letters it has done, and take those
    out of RQ's failed jobs: the RQ dashboard, /health and `python -m relay replay` agree."""
    order = new_order("processing", currency="ZZY")
    accepted = deliver(relay, "order.updated", order)
    start_worker()
    queue = Queue("woo-events", connection=Redis.from_url(redis_url))
    wait_for(lambda: FailedJobRegistry(queue=queue).count, 60, "the dead letter")
    health = requests.get(f"{relay.url}/health", timeout=10).json()
    assert health["status"] == "degraded"
    assert health["dead_letters"]["count"] == 1 and health["failed_jobs"] == 1
    assert "see Integration › Dead letters in Odoo" in health["dead_letters"]["problem"]
    assert health["last_error"]["job_id"] == accepted["event_id"]

    waiting = run_maintenance_job(redis_url, "relay.jobs.sync_dead_letters")
    assert (waiting["dead_letters"], waiting["waiting"], waiting["removed"]) == (1, 1, 0)
    assert FailedJobRegistry(queue=queue).get_job_ids() == [accepted["event_id"]]

    # The manager maps the currency, then presses Replay on the dead letter, in Odoo.
    [dead] = odoo.search_read(
        "integration.event", [("event_id", "=", accepted["event_id"])], ["id"]
    )
    map_currency_and_replay(odoo, "ZZY", dead["id"])
    assert sale_order(odoo, order["id"])["state"] == "sale"

    done = run_maintenance_job(redis_url, "relay.jobs.sync_dead_letters")
    assert (done["dead_letters"], done["removed"]) == (1, 1), done
    assert FailedJobRegistry(queue=queue).count == 0
    assert not Job.exists(accepted["event_id"], connection=queue.connection)
    health = requests.get(f"{relay.url}/health", timeout=10).json()
    assert health["status"] == "ok", health["problems"]
    assert health["failed_jobs"] == 0 and health["last_error"] is None


def test_odoo_restarting_in_a_burst_loses_and_dead_letters_nothing(
    odoo, relay, start_worker, redis_url
) -> None:
    # Enough that Odoo stops in the middle of the burst, though the workers send it batches.
    orders = [new_order("processing") for _ in range(40)]
    accepted = [deliver(relay, "order.updated", order) for order in orders]
    start_worker()
    start_worker()
    queue = Queue("woo-events", connection=Redis.from_url(redis_url))
    wait_for(
        lambda: (
            sum(job_status(redis_url, a["event_id"]) == JobStatus.FINISHED for a in accepted) >= 2
        ),
        60,
        "the first events",
    )
    odoo.stop()
    time.sleep(3)  # the workers find Odoo gone and wait for it
    assert FailedJobRegistry(queue=queue).count == 0
    assert not finished(redis_url, *(a["event_id"] for a in accepted)), "events wait"
    odoo.start()
    wait_for(lambda: finished(redis_url, *(a["event_id"] for a in accepted)), 180, "the burst")

    assert FailedJobRegistry(queue=queue).count == 0, "nothing dead-lettered"
    for order in orders:
        assert sale_order(odoo, order["id"])["state"] == "sale"
        assert [row["state"] for row in ledger(odoo, order["id"])] == ["done"], "landed once"


def test_a_cancellation_in_odoo_is_pushed_to_woocommerce(
    odoo, with_store, start_worker, redis_url
) -> None:
    """The relay and the workers serve one store (WOO_STORE_URL): its orders' changes go back
    to it."""
    woo, store, relay = with_store
    order = new_order("processing")
    accepted = deliver(relay, "order.updated", order)
    start_worker(**store)
    wait_for(lambda: finished(redis_url, accepted["event_id"]), 60, "the order in Odoo")
    sale_id = sale_order(odoo, order["id"])["id"]
    odoo.execute("sale.order", "action_cancel", [sale_id], context={"disable_cancel_warning": True})
    assert sale_order(odoo, order["id"])["state"] == "cancel"

    maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
    run_for_each_store(maintenance, "relay.jobs.push_outbox")
    assert woo.order_status == {order["id"]: "cancelled"}
    outbox = odoo.search_read(
        "integration.outbox", [("sale_order_id", "=", sale_id)], ["state", "store"]
    )
    assert [(row["state"], row["store"]) for row in outbox] == [("done", woo.store)]
    kinds = [entry["kind"] for entry in timeline(relay.url, order["id"]).json()["entries"]]
    assert kinds[0] == "outbound"


def test_the_relays_read_only_key_reads_timelines_and_nothing_else(odoo, relay) -> None:
    """The relay holds ODOO_READ_API_KEY (a Timeline Reader), never the workers' key."""
    reader = odoo_client.OdooClient(odoo_client.OdooConfig(url=odoo.url, api_key=odoo.reader_key))
    with pytest.raises(odoo_client.OdooRefused):
        reader.process_event(example_envelope("woo.order.created"))
    with pytest.raises(odoo_client.OdooRefused):
        reader.claim_outbox("relay", 10, 60, "shop.example.com")
    answer = timeline(relay.url, 999999)
    assert answer.status_code == 404, answer.text  # Odoo answered the reader: no such order


def test_the_workers_key_is_known_to_odoo(odoo, redis_url) -> None:
    client = odoo_client.OdooClient(odoo_client.OdooConfig(url=odoo.url, api_key=odoo.worker_key))
    report = check_odoo_access(client, Redis.from_url(redis_url))
    assert report["error"] is None, report
    assert report["user"] == odoo.worker_login and not report["refused"]
    assert report["api_key_expires_at"] is not None


def test_cancelled_and_trashed_in_woocommerce_cancel_confirmed_orders(
    odoo, relay, start_worker, redis_url
) -> None:
    """Orders with a shipping line, as the Integration User: Odoo flushes with the request's
    user, and a right missing for any model on the way (an order line) refused this once."""
    placed = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    cancelled, trashed = new_order("processing", placed), new_order("processing", placed)
    accepted = [deliver(relay, "order.updated", order) for order in (cancelled, trashed)]
    start_worker()
    wait_for(lambda: finished(redis_url, *(a["event_id"] for a in accepted)), 60, "the orders")
    assert sale_order(odoo, cancelled["id"])["state"] == "sale"

    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    accepted = [
        deliver(relay, "order.updated", dict(cancelled, status="cancelled", date_modified_gmt=now)),
        deliver(relay, "order.deleted", {"id": trashed["id"]}),
    ]
    wait_for(lambda: finished(redis_url, *(a["event_id"] for a in accepted)), 60, "both")
    assert sale_order(odoo, cancelled["id"])["state"] == "cancel"
    assert sale_order(odoo, trashed["id"])["state"] == "cancel"
    assert sale_order(odoo, trashed["id"])["woo_status"] == "trash"


def test_created_and_updated_together_on_eight_workers(
    odoo, relay, start_worker, redis_url
) -> None:
    """WooCommerce sends order.created and order.updated, identical, for every order made over
    REST. With 8 workers taking them at once: one sale order each, no failure, no retry used,
    no sale order number skipped."""
    orders = [new_order("processing") for _ in range(12)]
    accepted = []
    for order in orders:
        accepted += [deliver(relay, topic, order) for topic in ("order.created", "order.updated")]
    for _ in range(8):
        start_worker()
    wait_for(lambda: finished(redis_url, *(a["event_id"] for a in accepted)), 120, "the orders")

    names = []
    for order in orders:
        rows = ledger(odoo, order["id"])
        assert [(row["state"], row["attempts"]) for row in rows] == [("done", 1)] * 2, rows
        names.append(sale_order(odoo, order["id"])["name"])
    numbers = sorted(int(name.removeprefix("S")) for name in names)
    assert numbers == list(range(numbers[0], numbers[0] + len(orders))), "no number skipped"


def test_odoo_with_worker_processes_as_deployed(odoo, relay, start_worker, redis_url) -> None:
    """Production runs Odoo with --workers (docker-compose.prod.yml): its HTTP worker processes
    apply each order's created and updated from 4 workers at once, and its gevent process (the
    bus) starts and stays up instead of dying and being started again."""
    logged = odoo.log_path.stat().st_size
    odoo.stop()
    odoo.start(workers=2, log_level="info")  # info: the gevent process says it runs
    try:
        orders = [new_order("processing") for _ in range(6)]
        accepted = [
            deliver(relay, topic, order)
            for order in orders
            for topic in ("order.created", "order.updated")
        ]
        for _ in range(4):
            start_worker()
        wait_for(lambda: finished(redis_url, *(a["event_id"] for a in accepted)), 120, "orders")
        for order in orders:
            rows = ledger(odoo, order["id"])
            assert [(row["state"], row["attempts"]) for row in rows] == [("done", 1)] * 2, rows
            assert sale_order(odoo, order["id"])["state"] == "sale"
        with odoo.log_path.open() as log:
            log.seek(logged)
            written = log.read()
        assert "Evented Service (longpolling) running" in written
        assert "Traceback" not in written, written[-3000:]
    finally:
        odoo.stop()
        odoo.start()


def test_two_states_of_one_second_delivered_out_of_order_are_settled_by_the_store(
    odoo, with_store, start_worker, redis_url
) -> None:
    """Created pending and paid within one second, and WooCommerce delivers the pending state
    last: Odoo cannot tell from the two which is current, so a worker reads the order again
    from the store and that reading is applied."""
    woo, store, relay = with_store
    modified = datetime.now(UTC).replace(microsecond=0)
    paid = new_order("processing", modified)
    pending = new_order("pending", modified, id=paid["id"])
    woo.orders = [paid]  # what the store holds now
    start_worker(**store)
    first = deliver(relay, "order.updated", paid)
    wait_for(lambda: finished(redis_url, first["event_id"]), 60, "the paid state")
    late = deliver(relay, "order.created", pending)
    wait_for(lambda: finished(redis_url, late["event_id"]), 60, "the pending state")

    def reread_applied() -> list[dict]:
        return [
            row
            for row in ledger(odoo, paid["id"])
            if ":reread-" in row["idempotency_key"] and row["state"] == "done"
        ]

    wait_for(reread_applied, 60, "the order read again from the store, applied")
    result = sale_order(odoo, paid["id"])
    assert (result["woo_status"], result["state"]) == ("processing", "sale")
    assert len(ledger(odoo, paid["id"])) == 3, "the two deliveries and one reading, no loop"


def test_an_import_started_in_odoo_binds_what_odoo_has_and_reports_every_record(
    odoo, with_store, start_worker, redis_url
) -> None:
    """Integration › Configuration › Imports: the workers read the store for it (through the
    outbox, as the Integration User) and the import's report says what each record became."""
    woo, store, _relay = with_store
    tag = uuid.uuid4().hex[:8].upper()
    odoo.set_param("elitaco_integration.product_master", "woo")
    odoo.set_param("elitaco_integration.customer_match", "email")
    try:
        [kept_product] = odoo.execute(
            "product.product", "create", [{"name": "Mug Odoo had", "default_code": f"MUG-{tag}"}]
        )
        email = f"anna.{tag.lower()}@example.com"
        [kept_partner] = odoo.execute("res.partner", "create", [{"name": "Anna", "email": email}])
        simple = copy.deepcopy(example_payload("woo.product.updated")) | {
            "type": "simple",
            "parent_id": 0,
        }
        woo.products = [
            simple
            | {"id": 70_001, "sku": f"MUG-{tag}", "date_modified_gmt": "2026-03-01T10:00:00"},
            simple
            | {"id": 70_002, "sku": f"NEW-{tag}", "date_modified_gmt": "2026-03-01T10:00:01"},
        ]
        customer = copy.deepcopy(example_payload("woo.customer.updated"))
        customer |= {"id": 70_003, "email": email, "date_modified_gmt": "2026-03-01T10:00:02"}
        customer["billing"]["email"] = email
        woo.customers = [customer]
        order = new_order("processing", customer_id=70_003)
        order["billing"]["email"] = email
        woo.orders = [order]
        [import_id] = odoo.execute(
            "integration.import", "create", [{"store_url": woo.url, "since": "2026-01-01 00:00:00"}]
        )
        odoo.execute("integration.import", "action_start", [import_id])

        start_worker(**store)
        maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
        run_for_each_store(maintenance, "relay.jobs.push_outbox")

        def report() -> dict:
            [run] = odoo.search_read(
                "integration.import", [("id", "=", import_id)], ["state", "waiting_count", "error"]
            )
            return run

        wait_for(
            lambda: report()["state"] == "done" and report()["waiting_count"] == 0,
            120,
            "the import read and applied",
        )
        lines = odoo.search_read(
            "integration.import.line",
            [("import_id", "=", import_id)],
            ["woo_id", "outcome", "result_id", "result_model", "create_uid"],
        )
        outcomes = {line["woo_id"]: (line["outcome"], line["result_id"]) for line in lines}
        assert outcomes[70_001] == ("matched", kept_product)
        assert outcomes[70_002][0] == "created"
        assert outcomes[70_003] == ("matched", kept_partner)
        assert outcomes[order["id"]][0] == "created"
        assert sale_order(odoo, order["id"])["state"] == "sale"
        assert {line["create_uid"][1] for line in lines} == {odoo.worker_login}, "the workers"
    finally:
        odoo.set_param("elitaco_integration.customer_match", "woo")


def test_a_products_image_reaches_odoo_once_and_not_the_ledger(
    odoo, with_store, start_worker, redis_url
) -> None:
    woo, store, relay = with_store
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
    )
    woo.files["/wp-content/uploads/cup.png"] = ("image/png", png)
    woo_id = random.randint(10_000_000, 99_999_999)
    product = copy.deepcopy(example_payload("woo.product.updated")) | {
        "id": woo_id,
        "type": "simple",
        "parent_id": 0,
        "sku": f"CUP-{woo_id}",
        "images": [{"id": 5, "src": f"{woo.url}/wp-content/uploads/cup.png"}],
    }
    odoo.set_param("elitaco_integration.product_master", "woo")
    start_worker(**store)
    first = deliver(relay, "product.updated", product)
    wait_for(lambda: finished(redis_url, first["event_id"]), 60, "the product in Odoo")
    stock_change = product | {"stock_quantity": 3, "date_modified_gmt": "2026-02-11T07:45:00"}
    second = deliver(relay, "product.updated", stock_change)
    wait_for(lambda: finished(redis_url, second["event_id"]), 60, "the stock change in Odoo")

    [in_odoo] = odoo.search_read(
        "product.product", [("default_code", "=", f"CUP-{woo_id}")], ["image_128"]
    )
    assert in_odoo["image_128"], "the image the worker read"
    assert sum("cup.png" in line for line in woo.requests) == 1, "read once"
    events = odoo.search_read(
        "integration.event", [("woo_resource_id", "=", woo_id)], ["payload"], order="id"
    )
    image = events[0]["payload"]["fetched"]["image"]
    assert "content" not in image and image["src"].endswith("cup.png")
    assert "image" not in (events[1]["payload"].get("fetched") or {})


def test_a_product_sold_from_odoo_is_created_in_woocommerce_and_its_echo_changes_nothing(
    odoo, with_store, start_worker, redis_url
) -> None:
    """Odoo as master of product data: a product ticked *Sell in WooCommerce* reaches the store
    through the outbox (the worker as the Integration User), is bound to the id WooCommerce
    gave it, and the product.created webhook WooCommerce then sends leaves it as it is."""
    woo, store, relay = with_store
    code = f"MUG-{uuid.uuid4().hex[:8].upper()}"
    before = {key: odoo.get_param(key) for key in (MASTER_PARAM, STORE_PARAM)}
    odoo.set_param(MASTER_PARAM, "odoo")
    odoo.set_param(STORE_PARAM, woo.url)
    try:
        odoo.execute(
            "product.template",
            "create",
            [{"name": "Odoo's mug", "default_code": code, "list_price": 9.9, "woo_publish": True}],
        )
        start_worker(**store)
        maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
        run_for_each_store(maintenance, "relay.jobs.push_outbox")
        [in_store] = [product for product in woo.products if product.get("sku") == code]
        assert (in_store["name"], in_store["regular_price"], in_store["status"]) == (
            "Odoo's mug",
            "9.90",
            "publish",
        )
        [binding] = odoo.search_read(
            "integration.binding",
            [("model", "=", "product.product"), ("external_id", "=", in_store["id"])],
            ["res_id"],
        )
        [product] = odoo.search_read("product.product", [("default_code", "=", code)], ["name"])
        assert binding["res_id"] == product["id"]

        echo = copy.deepcopy(example_payload("woo.product.updated")) | in_store
        echo |= {"parent_id": 0, "name": "Renamed in WooCommerce"}
        accepted = deliver(relay, "product.created", echo)
        wait_for(lambda: finished(redis_url, accepted["event_id"]), 60, "the echo in Odoo")
        assert odoo.search_read("product.product", [("id", "=", product["id"])], ["name"]) == [
            {"id": product["id"], "name": "Odoo's mug"}
        ], "Odoo is master: the echo only binds"
    finally:
        # The store first: a store's setting set as a parameter is the default store's, so
        # the master goes back to the store it was taken from.
        odoo.set_param(STORE_PARAM, before[STORE_PARAM] or "")
        odoo.set_param(MASTER_PARAM, before[MASTER_PARAM] or "")
