"""Drift against a real WooCommerce 11 store and a real Odoo 18, through the relay and two
`python -m relay worker` processes: drift made on purpose (stock changed by hand over REST, a
price and an order's status changed while the store's webhooks did not reach the relay), found
by a run asked for with Integration › Drift's button, an order placed while they did not reach
it missing in Odoo, each fixed by its own button, the drift alert raised for the managers, and
a second run finding none of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis
from rq import Queue

from relay.pipeline.queueing import MAINTENANCE_QUEUE
from tests.e2e.conftest import Shop
from tests.e2e.test_real_store import (
    FLAT_RATE,
    count_on_hand,
    odoo_product,
    place_order,
    push_outbox,
    simple_product,
    wait_for_order,
)
from tests.waiting import run_for_each_store, wait_for


@contextmanager
def webhooks_not_delivered(shop: Shop) -> Iterator[None]:
    """The store's webhooks to the relay paused, as when deliveries do not reach it."""
    hooks = [
        hook
        for hook in shop.store.rest("GET", "/webhooks", per_page=100)
        if hook["delivery_url"] == f"{shop.relay.url}/webhook/woo" and hook["status"] == "active"
    ]
    for hook in hooks:
        shop.store.rest("PUT", f"/webhooks/{hook['id']}", {"status": "paused"})
    try:
        yield
    finally:
        for hook in hooks:
            shop.store.rest("PUT", f"/webhooks/{hook['id']}", {"status": "active"})


def cron_job(shop: Shop, name: str) -> None:
    """What the cron service runs (relay/cron_config.py), run once by the shop's workers: the
    job, and the job of each store it enqueues."""
    queue = Queue(MAINTENANCE_QUEUE, connection=Redis.from_url(shop.env["REDIS_URL"]))
    run_for_each_store(queue, f"relay.jobs.{name}", timeout=120)


def compare_now(shop: Shop) -> dict:
    """Integration › Drift › Compare now, picked up by the workers; the run once done."""
    action = shop.odoo.execute("integration.drift", "action_request_run")
    cron_job(shop, "drift_requests")

    def finished() -> dict | None:
        [run] = shop.odoo.search_read(
            "integration.drift",
            [("id", "=", action["res_id"])],
            ["state", "summary", "error", "order_count", "product_count", "drift_count"],
        )
        return run if run["state"] in ("done", "failed") else None

    run = wait_for(finished, 300, "the drift run")
    assert run["state"] == "done", run["error"]
    return run


def lines_of(shop: Shop, run: dict, woo_ids: list[int]) -> dict[tuple[str, int], dict]:
    lines = shop.odoo.search_read(
        "integration.drift.line",
        [("drift_id", "=", run["id"]), ("woo_id", "in", woo_ids)],
        ["kind", "woo_id", "woo_value", "odoo_value", "fix", "fix_state", "message"],
    )
    return {(line["kind"], line["woo_id"]): line for line in lines}


def test_drift_made_on_purpose_is_found_and_fixed_by_its_buttons(shop: Shop) -> None:
    mug, _ = simple_product(shop, price="19.99")
    shop.store.rest("PUT", f"/products/{mug['id']}", {"manage_stock": False})
    lamp, lamp_in_odoo = simple_product(shop, price="45.00", stock=8)
    count_on_hand(shop, lamp_in_odoo["id"], 8)  # both sides say 8
    order = place_order(shop, mug, payment_method="bacs", set_paid=True, shipping_lines=[FLAT_RATE])
    assert wait_for_order(shop, order["id"], "processing")["state"] == "sale"
    ids = [mug["id"], lamp["id"], order["id"]]

    before = lines_of(shop, compare_now(shop), ids)
    assert before == {}, before

    shop.store.rest("PUT", f"/products/{lamp['id']}", {"stock_quantity": 5})  # by hand
    with webhooks_not_delivered(shop):
        shop.store.rest("PUT", f"/products/{mug['id']}", {"regular_price": "24.99"})
        shop.store.rest("PUT", f"/orders/{order['id']}", {"status": "cancelled"})
        unheard = place_order(shop, mug, payment_method="bacs", set_paid=True)  # Odoo never heard
    ids.append(unheard["id"])

    run = compare_now(shop)
    found = lines_of(shop, run, ids)
    assert set(found) == {
        ("stock", lamp["id"]),
        ("price", mug["id"]),
        ("order_status", order["id"]),
        ("order_missing_odoo", unheard["id"]),
    }, found
    [alert] = shop.odoo.search_read(
        "integration.alert", [("kind", "=", "drift")], ["state", "count", "message"]
    )
    assert (alert["state"], alert["count"]) == ("open", run["drift_count"]), alert
    assert (found["stock", lamp["id"]]["woo_value"], found["stock", lamp["id"]]["odoo_value"]) == (
        "5",
        "8",
    )
    assert found["price", mug["id"]]["woo_value"] == "24.99"
    assert found["price", mug["id"]]["odoo_value"] == "19.99"
    assert found["order_status", order["id"]]["woo_value"] == "cancelled"
    assert "differences" in run["summary"], run

    odoo = shop.odoo
    odoo.execute("integration.drift.line", "action_fix", [found["stock", lamp["id"]]["id"]])
    odoo.execute("integration.drift.line", "action_pull_price", [found["price", mug["id"]]["id"]])
    odoo.execute("integration.drift.line", "action_fix", [found["order_status", order["id"]]["id"]])
    missing = found["order_missing_odoo", unheard["id"]]
    odoo.execute("integration.drift.line", "action_fix", [missing["id"]])
    cron_job(shop, "drift_requests")  # the rereads asked for
    push_outbox(shop)  # the stock push
    assert wait_for_order(shop, order["id"], "cancelled")["state"] == "cancel"
    assert wait_for_order(shop, unheard["id"], "processing")["state"] == "sale", "re-imported"
    wait_for(lambda: odoo_product(shop, mug["sku"])["list_price"] == 24.99, 60, "the price pulled")
    wait_for(
        lambda: shop.store.rest("GET", f"/products/{lamp['id']}")["stock_quantity"] == 8,
        60,
        "the stock pushed",
    )
    ledger = odoo.search_read(
        "integration.event",
        [("woo_resource_id", "=", order["id"]), ("idempotency_key", "like", ":reread-")],
        ["state"],
    )
    assert [row["state"] for row in ledger] == ["done"], "the re-import went through the ledger"

    push_outbox(shop)  # the re-imported order's stock, as the cron pushes it
    after = compare_now(shop)
    assert lines_of(shop, after, ids) == {}
    assert after["order_count"] >= 1 and after["product_count"] >= 2
    if not after["drift_count"]:  # other tests' records may still differ in the shared store
        [alert] = shop.odoo.search_read("integration.alert", [("kind", "=", "drift")], ["state"])
        assert alert["state"] == "cleared"


def test_the_daily_run_and_the_cli_compare_the_store_on_their_own(shop: Shop) -> None:
    simple_product(shop)  # 10 in stock in WooCommerce, none in Odoo: drift the CLI reports
    runs_before = shop.odoo.search_read("integration.drift", [], ["id"])
    cron_job(shop, "drift_daily")
    [daily] = shop.odoo.search_read(
        "integration.drift",
        [("trigger", "=", "cron"), ("id", "not in", [run["id"] for run in runs_before])],
        ["state", "summary", "product_count"],
    )
    assert daily["state"] == "done" and daily["product_count"] >= 1, daily

    done = shop.cli("drift", "--since", "2026-01-01T00:00:00")
    assert done.returncode in (0, 1), done.stderr
    [cli] = shop.odoo.search_read(
        "integration.drift", [("trigger", "=", "cli")], ["summary", "drift_count", "since"]
    )
    assert cli["summary"] in done.stdout.splitlines(), done.stdout  # besides the JSON logs
    assert cli["drift_count"] >= 1 and done.returncode == 1
    assert cli["since"] == "2026-01-01 00:00:00"

    refused = shop.cli("drift", "--since", "yesterday")
    assert refused.returncode == 2 and "--since must be a date" in refused.stderr
