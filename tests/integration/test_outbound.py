"""Odoo → WooCommerce: outbox rows claimed from (fake) Odoo, pushed to (fake) WooCommerce."""

from __future__ import annotations

import json
import uuid

import pytest
from rq import Queue
from rq.job import Job

from relay.clients.odoo import OdooClient, OdooConfig
from relay.clients.woo import WooClient, WooConfig
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.work.outbound import push_outbox, split_tax
from relay.work.shipments import TRACKING_META


@pytest.fixture
def clients(fake_odoo, fake_woo) -> tuple[OdooClient, WooClient]:
    odoo = OdooClient(OdooConfig(fake_odoo.url, fake_odoo.api_key))
    woo = WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))
    return odoo, woo


def outbox_envelope(event_type: str, data: dict) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "source": "odoo",
        "occurred_at": "2026-02-20T10:30:00Z",
        "idempotency_key": f"odoo:x-1:{event_type[5:]}:{uuid.uuid4().hex}",
        "trace_id": str(uuid.uuid4()),
        "data": data,
    }


def stock(woo_id: int, quantity: float, parent: int | None = None) -> dict:
    return outbox_envelope(
        "odoo.stock.changed",
        {
            "items": [
                {"woo_product_id": woo_id, "woo_parent_id": parent, "stock_quantity": quantity}
            ]
        },
    )


def acks(fake_odoo) -> dict[str, bool]:
    return {
        row["envelope"]["event_id"]: row["acks"][-1]["ok"]
        for row in fake_odoo.outbox
        if row["acks"]
    }


def test_stock_goes_through_batches_of_at_most_100(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    for n in range(150):
        fake_odoo.add_outbox(stock(1000 + n, n), fake_woo.store)
    fake_odoo.add_outbox(stock(122, 5, parent=120), fake_woo.store)
    fake_odoo.add_outbox(stock(123, 0, parent=120), fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1", limit=200)
    assert (report.claimed, report.pushed, report.failed) == (152, 152, 0)
    assert sorted(fake_woo.batch_sizes) == [2, 50, 100]
    assert fake_woo.stock[1149] == 149 and fake_woo.stock[122] == 5
    assert any("/products/120/variations/batch" in line for line in fake_woo.requests)
    assert all(acks(fake_odoo).values())


def test_a_product_woocommerce_rejects_is_acknowledged_as_failed(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    good, bad = stock(131, 7), stock(999, 1)
    fake_odoo.add_outbox(good, fake_woo.store)
    fake_odoo.add_outbox(bad, fake_woo.store)
    fake_woo.unknown_products.add(999)
    report = push_outbox(odoo, woo, "worker-1")
    assert (report.pushed, report.failed) == (1, 1)
    assert acks(fake_odoo) == {good["event_id"]: True, bad["event_id"]: False}
    failed = next(r for r in fake_odoo.outbox if r["envelope"] is bad)["acks"][-1]
    assert "Invalid ID" in failed["error"]
    assert failed["worker"] == "worker-1", "the lease holder says so (Odoo checks it)"


def test_shipped_completes_the_order_with_a_tracking_note(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(
        outbox_envelope(
            "odoo.order.shipped",
            {
                "woo_order_id": 4711,
                "odoo_order": "S00042",
                "tracking_ref": "0034043",
                "carrier": "DHL",
            },
        ),
        fake_woo.store,
    )
    fake_odoo.add_outbox(
        outbox_envelope(
            "odoo.order.cancelled", {"woo_order_id": 4712, "odoo_order": "S00043", "reason": None}
        ),
        fake_woo.store,
    )
    push_outbox(odoo, woo, "worker-1")
    assert fake_woo.order_status == {4711: "completed", 4712: "cancelled"}
    assert fake_woo.notes[4711] == ["Shipped from Odoo (S00042): tracking 0034043 with DHL"]
    assert all(acks(fake_odoo).values())


def shipment(delivery: str, tracking: str, complete: bool) -> dict:
    return outbox_envelope(
        "odoo.order.shipped",
        {
            "woo_order_id": 4711,
            "odoo_order": "S00042",
            "delivery": delivery,
            "tracking_ref": tracking,
            "carrier": "DHL",
            "shipped_at": "2026-02-21T09:00:00Z",
            "complete": complete,
            "items": [{"name": "Linen Shirt", "quantity": 1.0}],
        },
    )


def test_each_delivery_is_told_when_it_leaves_and_the_last_completes_the_order(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_woo.order_status[4711] = "processing"
    fake_odoo.add_outbox(shipment("WH/OUT/00012", "0034043", complete=False), fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert fake_woo.order_status[4711] == "processing", "a backorder follows"
    [first] = fake_woo.order_meta[4711][TRACKING_META]
    assert (first["tracking_number"], first["custom_tracking_provider"]) == ("0034043", "DHL")
    assert first["date_shipped"] == "1771664400"
    note = "Shipped: WH/OUT/00012 with DHL, tracking number 0034043 (1 × Linen Shirt)."
    assert fake_woo.notes[4711] == [f"{note} The rest of your order follows."]
    assert fake_woo.customer_notes == set(fake_woo.notes[4711]), "the customer reads it"

    last = shipment("WH/OUT/00013", "0034044", complete=True)
    fake_odoo.add_outbox(last, fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert fake_woo.order_status[4711] == "completed"
    items = fake_woo.order_meta[4711][TRACKING_META]
    assert [item["tracking_number"] for item in items] == ["0034043", "0034044"]

    again = shipment("WH/OUT/00013", "0034044", complete=True)  # the same, pushed again
    fake_odoo.add_outbox(again, fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert len(fake_woo.order_meta[4711][TRACKING_META]) == 2
    assert len(fake_woo.notes[4711]) == 2
    assert all(acks(fake_odoo).values())


def test_a_push_repeated_after_a_lost_answer_adds_no_second_note(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    shipped = outbox_envelope(
        "odoo.order.shipped",
        {"woo_order_id": 4711, "odoo_order": "S00042", "tracking_ref": "7", "carrier": "B&W"},
    )
    fake_odoo.add_outbox(shipped, fake_woo.store)
    fake_woo.lose_note_answers = 1  # WooCommerce kept the note, its answer got lost
    assert push_outbox(odoo, woo, "worker-1").failed == 1
    assert acks(fake_odoo) == {shipped["event_id"]: False}
    assert push_outbox(odoo, woo, "worker-1").pushed == 1  # Odoo offers the row again
    assert fake_woo.notes[4711] == ["Shipped from Odoo (S00042): tracking 7 with B&W"]
    assert acks(fake_odoo) == {shipped["event_id"]: True}


def test_a_cancellation_is_pushed_before_the_stock_it_gave_back(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(stock(131, 10), fake_woo.store)  # claimed first, pushed last
    fake_odoo.add_outbox(
        outbox_envelope("odoo.order.cancelled", {"woo_order_id": 4712, "odoo_order": "S00043"}),
        fake_woo.store,
    )
    assert push_outbox(odoo, woo, "worker-1").pushed == 2
    writes = [request.split("?")[0] for request in fake_woo.requests if request.startswith("PUT")]
    assert writes == ["PUT /wp-json/wc/v3/orders/4712", "PUT /wp-json/wc/v3/products/batch"]


def test_429_is_honoured(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(stock(131, 3), fake_woo.store)
    fake_woo.throttle_next = 2
    report = push_outbox(odoo, woo, "worker-1")
    assert report.pushed == 1 and fake_woo.stock[131] == 3


def test_woocommerce_down_is_a_failed_push_that_odoo_retries(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    envelope = outbox_envelope(
        "odoo.order.cancelled", {"woo_order_id": 4712, "odoo_order": "S00043"}
    )
    fake_odoo.add_outbox(envelope, fake_woo.store)
    fake_woo.fail_everything = True
    report = push_outbox(odoo, woo, "worker-1")
    assert report.failed == 1
    row = fake_odoo.outbox[0]
    assert row["state"] == "pending" and "500" in row["acks"][-1]["error"]
    fake_woo.fail_everything = False
    assert push_outbox(odoo, woo, "worker-1").pushed == 1


def test_a_leased_row_is_not_pushed_twice(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(stock(131, 3), fake_woo.store)
    fake_odoo.outbox[0]["state"] = "leased"  # another worker holds it
    assert push_outbox(odoo, woo, "worker-2").claimed == 0
    assert fake_woo.stock == {}


def test_the_cron_job_pushes_in_a_worker(fake_odoo, fake_woo, queue, monkeypatch) -> None:
    from rq import SimpleWorker

    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", fake_woo.secret)
    fake_odoo.add_outbox(stock(131, 9), fake_woo.store)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    cron = maintenance.enqueue("relay.jobs.push_outbox")
    SimpleWorker([maintenance], connection=queue.connection).work(burst=True)
    (job_id,) = cron.return_value()["stores"].values()  # one store: one push of its own
    push = Job.fetch(job_id, connection=queue.connection)
    assert push.return_value() == {"claimed": 1, "pushed": 1, "failed": 0, "store": "default"}
    assert fake_woo.stock[131] == 9


def test_another_stores_rows_are_left_to_its_own_workers(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(stock(131, 3), "other-shop.example.com")
    fake_odoo.add_outbox(stock(132, 4), fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").claimed == 1
    assert fake_woo.stock == {132: 4}
    assert [row["state"] for row in fake_odoo.outbox] == ["pending", "done"]


def woo_order_with_two_rates() -> dict:
    return {
        "id": 4711,
        "line_items": [
            {"id": 311, "taxes": [{"id": 1, "total": "7.35", "subtotal": "8.40"}]},
            {"id": 313, "taxes": [{"id": 1, "total": "0.70"}, {"id": 2, "total": "0.35"}]},
        ],
        "shipping_lines": [{"id": 314, "taxes": [{"id": 1, "total": "1.03"}]}],
        "fee_lines": [],
    }


def refunded(credit_note_id: int = 58) -> dict:
    return outbox_envelope(
        "odoo.order.refunded",
        {
            "woo_order_id": 4711,
            "odoo_order": "S00042",
            "credit_note": "RINV/2026/00007",
            "credit_note_id": credit_note_id,
            "amount": "29.98",
            "currency": "EUR",
            "reason": "Odoo credit note RINV/2026/00007: wrong size",
            "api_refund": False,
            "lines": [
                {"woo_line_id": 311, "quantity": 1, "total": "17.50", "total_tax": "3.68"},
                {"woo_line_id": 313, "quantity": 1, "total": "5.00", "total_tax": "1.05"},
            ],
            "meta_data": [{"key": "elitaco_credit_note_id", "value": str(credit_note_id)}],
        },
    )


def test_a_credit_note_becomes_one_refund_with_its_lines_and_taxes(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_woo.orders = [woo_order_with_two_rates()]
    event = refunded()
    fake_odoo.add_outbox(event, fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").pushed == 1
    [refund] = fake_woo.refunds[4711]
    assert (refund["amount"], refund["refunded_payment"], refund["api_restock"]) == (
        "29.98",
        False,
        False,
    )
    assert refund["meta_data"] == [{"key": "elitaco_credit_note_id", "value": "58"}]
    shirt, wrapping = refund["line_items"]
    assert (shirt["total"], shirt["taxes"]) == ("-17.50", [{"id": 1, "total": "-3.68"}])
    # 1.05 over rates charged 0.70 and 0.35: in that proportion
    assert wrapping["taxes"] == [{"id": 1, "total": "-0.70"}, {"id": 2, "total": "-0.35"}]
    [ack] = [row["acks"][-1] for row in fake_odoo.outbox]
    assert ack["ok"] and '"id": 9000' in ack["response"], "Odoo binds the refund's id"


def test_a_refund_repeated_after_a_lost_answer_is_made_once(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_woo.orders = [woo_order_with_two_rates()]
    event = refunded()
    fake_odoo.add_outbox(event, fake_woo.store)
    fake_woo.lose_refund_answers = 1  # WooCommerce made it, its answer got lost
    assert push_outbox(odoo, woo, "worker-1").failed == 1
    assert push_outbox(odoo, woo, "worker-1").pushed == 1
    assert len(fake_woo.refunds[4711]) == 1
    assert acks(fake_odoo) == {event["event_id"]: True}


def test_a_refund_woocommerce_refuses_says_why(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    event = refunded()
    fake_odoo.add_outbox(event, fake_woo.store)  # the order is not in the store
    assert push_outbox(odoo, woo, "worker-1").failed == 1
    [row] = fake_odoo.outbox
    error = row["acks"][-1]["error"]
    assert "404" in error and "(Invalid ID.)" in error, "WooCommerce's own words"


@pytest.mark.parametrize(
    ("tax", "rates", "expected"),
    [
        ("3.68", [{"id": 1, "total": "7.35"}], [{"id": 1, "refund_total": "3.68"}]),
        (
            "1.00",
            [{"id": 1, "total": "1.00"}, {"id": 2, "total": "1.00"}, {"id": 3, "total": "1.00"}],
            [
                {"id": 1, "refund_total": "0.33"},
                {"id": 2, "refund_total": "0.33"},
                {"id": 3, "refund_total": "0.34"},
            ],
        ),
        ("0.00", [{"id": 1, "total": "7.35"}], []),
        ("1.00", [{"id": 1, "total": "0.00"}], []),
    ],
)
def test_a_refund_lines_tax_is_split_over_its_rates(tax, rates, expected) -> None:
    assert split_tax(tax, rates) == expected


def test_an_import_request_becomes_one_job_however_often_it_is_claimed(
    clients, fake_odoo, fake_woo, queue
) -> None:
    odoo, woo = clients
    request = outbox_envelope("odoo.import.requested", {"import_id": 7, "store_url": woo.store})
    fake_odoo.add_outbox(request, fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1", connection=queue.connection)
    assert (report.claimed, report.pushed) == (1, 1)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    [job] = maintenance.get_jobs()
    assert (job.id, job.func_name, job.args, job.timeout) == (
        "import-7",
        "relay.jobs.run_import",
        (7,),
        -1,
    )
    assert job.retries_left == 3

    # Its acknowledgement lost, the request is claimed again: the waiting job stays the one.
    fake_odoo.outbox[0]["state"] = "pending"
    push_outbox(odoo, woo, "worker-2", connection=queue.connection)
    assert maintenance.job_ids == ["import-7"]
    assert all(acks(fake_odoo).values())


def product_changed(sku: str, woo_id: int | None = None, **changes) -> dict:
    return outbox_envelope(
        "odoo.product.changed",
        {
            "odoo_product_id": 1,
            "woo_product_id": woo_id,
            "sku": sku,
            "name": f"Mug {sku}",
            "regular_price": "12.50",
            "status": "publish",
            "short_description": "",
            "weight": "0.4",
            "category_ids": [],
            "manage_stock": True,
        }
        | changes,
    )


def acked_ids(fake_odoo) -> dict[str, int | None]:
    return {
        row["envelope"]["data"]["sku"]: json.loads(row["acks"][-1]["response"] or "{}").get("id")
        for row in fake_odoo.outbox
        if row["acks"] and row["acks"][-1]["ok"]
    }


def test_products_sold_from_odoo_are_created_once_and_then_updated(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_woo.products = [{"id": 77, "sku": "MUG-BY-HAND", "name": "made in WooCommerce"}]
    fake_odoo.add_outbox(product_changed("MUG-NEW", stock_quantity=7.0), fake_woo.store)
    fake_odoo.add_outbox(product_changed("MUG-BY-HAND", stock_quantity=7.0), fake_woo.store)
    fake_odoo.add_outbox(product_changed("MUG-GONE", woo_id=404_404), fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1")
    assert (report.pushed, report.failed) == (2, 1)
    ids = acked_ids(fake_odoo)
    assert ids["MUG-BY-HAND"] == 77, "found by SKU, not created twice"
    created = next(p for p in fake_woo.products if p["sku"] == "MUG-NEW")
    assert ids["MUG-NEW"] == created["id"]
    assert (created["type"], created["manage_stock"], created["regular_price"]) == (
        "simple",
        True,
        "12.50",
    )
    assert created["stock_quantity"] == 7, "made with its stock, not out of stock"
    assert fake_woo.products[0]["name"] == "Mug MUG-BY-HAND"
    assert "stock_quantity" not in fake_woo.products[0], "an update leaves stock to its rows"
    failed = [row for row in fake_odoo.outbox if not row["acks"][-1]["ok"]]
    assert "Invalid ID" in failed[0]["acks"][-1]["error"]

    # The create's answer lost: pushed again, the SKU finds what it made.
    fake_odoo.add_outbox(product_changed("MUG-NEW", status="draft"), fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert [p["sku"] for p in fake_woo.products].count("MUG-NEW") == 1
    assert created["status"] == "draft"


def test_products_go_through_batches_of_at_most_100(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    for n in range(150):
        fake_odoo.add_outbox(product_changed(f"MUG-{n}"), fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1", limit=200)
    assert (report.pushed, report.failed) == (150, 0)
    assert fake_woo.batch_sizes == [100, 50]


def tee(woo_id: int | None = None, variation_ids=(None, None), **changes) -> dict:
    return outbox_envelope(
        "odoo.product.changed",
        {
            "type": "variable",
            "odoo_template_id": 5,
            "woo_product_id": woo_id,
            "name": "Tee",
            "status": "publish",
            "short_description": "",
            "category_ids": [],
            "attributes": [{"name": "Size", "options": ["S", "M"]}],
            "variations": [
                {
                    "odoo_product_id": 50 + n,
                    "woo_variation_id": variation_ids[n],
                    "sku": f"TEE-{size}",
                    "regular_price": f"{20 + n}.00",
                    "status": "publish",
                    "weight": "",
                    "manage_stock": True,
                    "attributes": [{"name": "Size", "option": size}],
                }
                for n, size in enumerate(("S", "M"))
            ],
        }
        | changes,
    )


def test_a_product_with_variants_becomes_a_variable_product_made_once(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(tee(), fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").pushed == 1
    [parent] = fake_woo.products
    assert parent["type"] == "variable"
    assert parent["attributes"][0] | {} == {
        "name": "Size",
        "options": ["S", "M"],
        "variation": True,
        "visible": True,
    }
    variations = fake_woo.variations[parent["id"]]
    assert [(v["sku"], v["regular_price"]) for v in variations] == [
        ("TEE-S", "20.00"),
        ("TEE-M", "21.00"),
    ]
    answer = json.loads(fake_odoo.outbox[0]["acks"][-1]["response"])
    assert answer == {
        "id": parent["id"],
        "variations": {"50": variations[0]["id"], "51": variations[1]["id"]},
        "categories": {},
    }

    # Its answer lost, the push comes again without ids: a variation's SKU finds the product.
    fake_odoo.add_outbox(tee(name="Tee, organic"), fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert len(fake_woo.products) == 1 and len(fake_woo.variations[parent["id"]]) == 2
    assert parent["name"] == "Tee, organic"


def new_categories(*names: str, parent_id: int | None = None) -> list[dict]:
    """Odoo's categories 1, 2, … named `names`, from the top down, none in the store yet."""
    return [
        {
            "odoo_id": n,
            "name": name,
            "parent_odoo_id": n - 1 if n > 1 else None,
            "parent_id": None if n > 1 else parent_id,
        }
        for n, name in enumerate(names, start=1)
    ]


def test_categories_odoo_has_are_made_once_in_the_store_and_named_in_the_answer(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_woo.categories[15] = {"id": 15, "name": "Home", "parent": 0}
    tree = new_categories("Kitchen", "Mugs", parent_id=15)
    fake_odoo.add_outbox(product_changed("MUG-1", new_categories=tree), fake_woo.store)
    fake_odoo.add_outbox(product_changed("MUG-2", new_categories=tree), fake_woo.store)
    fake_odoo.add_outbox(tee(new_categories=tree[:1]), fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1")
    assert (report.pushed, report.failed) == (3, 0)
    made = {c["name"]: c for c in fake_woo.categories.values()}
    assert sorted(made) == ["Home", "Kitchen", "Mugs"], "each made once"
    assert made["Kitchen"]["parent"] == 15 and made["Mugs"]["parent"] == made["Kitchen"]["id"]
    by_sku = {p.get("sku"): p for p in fake_woo.products}
    assert by_sku["MUG-1"]["categories"] == [{"id": made["Mugs"]["id"]}]
    assert by_sku["MUG-2"]["categories"] == [{"id": made["Mugs"]["id"]}]
    assert by_sku[None]["categories"] == [{"id": made["Kitchen"]["id"]}], "the variable product"
    answers = [json.loads(row["acks"][-1]["response"]) for row in fake_odoo.outbox]
    both = {"1": made["Kitchen"]["id"], "2": made["Mugs"]["id"]}
    assert [answer["categories"] for answer in answers] == [both, both, {"1": both["1"]}]

    # The answer lost, the next push makes them again: the store's own are taken.
    fake_odoo.add_outbox(product_changed("MUG-3", new_categories=tree), fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    assert len(fake_woo.categories) == 3
    assert json.loads(fake_odoo.outbox[-1]["acks"][-1]["response"])["categories"] == both


def test_a_category_the_store_refuses_fails_the_push_saying_why(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    tree = new_categories("Mugs", parent_id=404)  # its bound parent deleted in WooCommerce
    fake_odoo.add_outbox(product_changed("MUG-1", new_categories=tree), fake_woo.store)
    report = push_outbox(odoo, woo, "worker-1")
    assert (report.pushed, report.failed) == (0, 1)
    assert "Parent term does not exist" in fake_odoo.outbox[0]["acks"][-1]["error"]
    assert not fake_woo.products


def test_variations_odoo_no_longer_has_stop_being_sold(clients, fake_odoo, fake_woo) -> None:
    odoo, woo = clients
    fake_odoo.add_outbox(tee(), fake_woo.store)
    push_outbox(odoo, woo, "worker-1")
    [parent] = fake_woo.products
    small, medium = fake_woo.variations[parent["id"]]
    # Size M deleted (or archived) in Odoo: the next push has only S.
    only_small = tee(woo_id=parent["id"], variation_ids=(small["id"], None))
    only_small["data"]["variations"] = only_small["data"]["variations"][:1]
    fake_odoo.add_outbox(only_small, fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").failed == 0
    assert (small["status"], medium["status"]) == ("publish", "private")
    answer = json.loads(fake_odoo.outbox[-1]["acks"][-1]["response"])
    assert answer["variations"] == {"50": small["id"]}, "Odoo binds only its own"


def test_a_category_renamed_or_moved_in_odoo_is_renamed_or_moved_in_the_store(
    clients, fake_odoo, fake_woo
) -> None:
    odoo, woo = clients
    fake_woo.categories[31] = {"id": 31, "name": "Mugs", "parent": 0}
    renamed = {"odoo_id": 8, "woo_category_id": 31, "name": "Cups & Mugs", "category_ids": []}
    fake_odoo.add_outbox(outbox_envelope("odoo.category.changed", renamed), fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").pushed == 1
    assert fake_woo.categories[31] == {"id": 31, "name": "Cups & Mugs", "parent": 0}

    # Moved under a new category of Odoo's, which the store makes first.
    moved = renamed | {"category_ids": [], "new_categories": new_categories("Kitchen")}
    fake_odoo.add_outbox(outbox_envelope("odoo.category.changed", moved), fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").pushed == 1
    kitchen = next(c for c in fake_woo.categories.values() if c["name"] == "Kitchen")
    assert fake_woo.categories[31]["parent"] == kitchen["id"]
    answer = json.loads(fake_odoo.outbox[-1]["acks"][-1]["response"])
    assert answer == {"id": 31, "categories": {"1": kitchen["id"]}}

    gone = renamed | {"woo_category_id": 404}  # deleted in WooCommerce meanwhile
    fake_odoo.add_outbox(outbox_envelope("odoo.category.changed", gone), fake_woo.store)
    assert push_outbox(odoo, woo, "worker-1").failed == 1
    assert "Resource does not exist" in fake_odoo.outbox[-1]["acks"][-1]["error"]
