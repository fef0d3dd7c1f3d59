"""A real WooCommerce 11 store (../shared/woocommerce), the relay, two `python -m relay worker`
processes and a real Odoo 18 with the module, set up as README says. No stand-in on this path:
the store sends its own webhooks and answers the workers' REST calls."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from relay.config import store_identity
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.work.webhooks import TOPICS
from tests.e2e.conftest import Shop
from tests.waiting import run_for_each_store, wait_for

BUYER = {
    "first_name": "Erika",
    "last_name": "Muster",
    "address_1": "Hauptstr. 5",
    "city": "Berlin",
    "postcode": "10117",
    "country": "DE",
    "email": "erika@example.com",
    "phone": "030 1234567",
}
PRODUCT_MASTER = "elitaco_integration.product_master"
FLAT_RATE = {"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}


def sku() -> str:
    return f"E2E-{uuid.uuid4().hex[:8].upper()}"


def odoo_order(shop: Shop, woo_id: int) -> dict | None:
    """This store's order `woo_id` in Odoo (another store of the same Odoo, as the several
    stores' test makes, numbers its orders from the same first id)."""
    orders = shop.odoo.search_read(
        "sale.order",
        [("woo_order_id", "=", woo_id), ("woo_store", "=", store_identity(shop.store.url))],
        ["name", "state", "amount_total", "woo_status", "partner_id", "picking_ids"],
    )
    assert len(orders) <= 1, orders
    return orders[0] if orders else None


def wait_for_order(shop: Shop, woo_id: int, woo_status: str, timeout: float = 60) -> dict:
    try:
        return wait_for(
            lambda: (
                (order := odoo_order(shop, woo_id)) and order["woo_status"] == woo_status and order
            ),
            timeout,
            f"WooCommerce order {woo_id} ({woo_status}) in Odoo",
        )
    except AssertionError as exc:  # what Odoo has, to tell a lost delivery from a wrong state
        raise AssertionError(
            f"{exc}; Odoo has {odoo_order(shop, woo_id)}, ledger {ledger(shop, woo_id)}"
        ) from exc


def ledger(shop: Shop, woo_id: int) -> list[dict]:
    return shop.odoo.search_read(
        "integration.event",
        [
            ("woo_resource_id", "=", woo_id),
            ("event_type", "like", "woo.order."),
            ("store", "=", store_identity(shop.store.url)),
        ],
        ["idempotency_key", "state", "attempts", "message"],
        order="id",
    )


def odoo_product(shop: Shop, code: str) -> dict | None:
    products = shop.odoo.search_read(
        "product.product",
        [("default_code", "=", code)],
        ["name", "list_price", "is_storable", "qty_available"],
    )
    return products[0] if products else None


def odoo_variant(shop: Shop, code: str) -> dict | None:
    """The product with this SKU, with the names of its attribute values."""
    product = odoo_product(shop, code)
    if product is None:
        return None
    [variant] = shop.odoo.search_read(
        "product.product",
        [("id", "=", product["id"])],
        [
            "default_code",
            "product_tmpl_id",
            "is_storable",
            "lst_price",
            "product_template_attribute_value_ids",
        ],
    )
    values = shop.odoo.search_read(
        "product.template.attribute.value",
        [("id", "in", variant["product_template_attribute_value_ids"])],
        ["name"],
    )
    return variant | {"attribute_values": [value["name"] for value in values]}


def simple_product(shop: Shop, price: str = "19.99", stock: int = 10) -> tuple[dict, dict]:
    """A simple product created in WooCommerce, once it has reached Odoo."""
    code = sku()
    product = shop.store.rest(
        "POST",
        "/products",
        {
            "name": f"Mug {code}",
            "type": "simple",
            "regular_price": price,
            "sku": code,
            "manage_stock": True,
            "stock_quantity": stock,
        },
    )
    in_odoo = wait_for(lambda: odoo_product(shop, code), 60, f"product {code} in Odoo")
    return product, in_odoo


def place_order(shop: Shop, product: dict, quantity: int = 1, **fields) -> dict:
    """An order placed over the REST API for `product`, with `fields` (status, set_paid,
    payment_method, shipping_lines ...)."""
    line = {"product_id": product["id"], "quantity": quantity}
    return shop.store.rest("POST", "/orders", {"billing": BUYER, "line_items": [line]} | fields)


@pytest.fixture
def odoo_is_master(shop: Shop) -> Iterator[None]:
    """Odoo as master of product data for one test (the shop's setting is WooCommerce)."""
    shop.odoo.set_param(PRODUCT_MASTER, "odoo")
    yield
    shop.odoo.set_param(PRODUCT_MASTER, "woo")


def push_outbox(shop: Shop) -> None:
    """What the cron service does every OUTBOX_INTERVAL seconds."""
    queue = Queue(MAINTENANCE_QUEUE, connection=Redis.from_url(shop.env["REDIS_URL"]))
    run_for_each_store(queue, "relay.jobs.push_outbox")


def test_the_cli_registered_every_webhook_in_the_store(shop: Shop) -> None:
    assert sorted(line.split()[1] for line in shop.registered.splitlines() if "  " in line) == (
        sorted(TOPICS)
    )
    hooks = shop.store.rest("GET", "/webhooks", per_page=100)
    mine = [hook for hook in hooks if hook["delivery_url"] == f"{shop.relay.url}/webhook/woo"]
    assert sorted(hook["topic"] for hook in mine) == sorted(TOPICS)
    assert {hook["status"] for hook in mine} == {"active"}
    again = shop.cli("register-webhooks", "--url", f"{shop.relay.url}/webhook/woo")
    assert again.stdout.count("exists ") == len(TOPICS), again.stdout


def test_simple_and_variable_products_reach_odoo(shop: Shop) -> None:
    _, in_odoo = simple_product(shop, price="19.99")
    assert in_odoo["list_price"] == 19.99
    assert in_odoo["is_storable"], "WooCommerce manages its stock: Odoo tracks it"

    code = sku()
    clothing = shop.store.rest("POST", "/products/categories", {"name": f"Clothing {code}"})
    tees = shop.store.rest(
        "POST", "/products/categories", {"name": f"Tees {code}", "parent": clothing["id"]}
    )
    tee = shop.store.rest(
        "POST",
        "/products",
        {
            "name": f"Tee {code}",
            "type": "variable",
            "sku": code,
            "categories": [{"id": tees["id"]}],
            "attributes": [
                {"name": "Size", "options": ["S", "M"], "variation": True, "visible": True}
            ],
        },
    )
    prices = {"S": "25.00", "M": "27.50"}
    for size in ("S", "M"):
        shop.store.rest(
            "POST",
            f"/products/{tee['id']}/variations",
            {
                "regular_price": prices[size],
                "sku": f"{code}-{size}",
                "manage_stock": True,
                "stock_quantity": 5,
                "attributes": [{"name": "Size", "option": size}],
            },
        )
    variants = [
        wait_for(lambda s=size: odoo_variant(shop, f"{code}-{s}"), 60, f"variation {size}")
        for size in ("S", "M")
    ]
    assert len({variant["product_tmpl_id"][0] for variant in variants}) == 1, "one template"
    assert [variant["attribute_values"] for variant in variants] == [["S"], ["M"]]
    assert all(variant["is_storable"] for variant in variants), "WooCommerce manages the stock"
    wait_for(
        lambda: (
            [odoo_variant(shop, f"{code}-{size}")["lst_price"] for size in ("S", "M")]
            == [25.0, 27.5]
        ),
        60,
        "each variant at its variation's price",
    )
    [template] = shop.odoo.search_read(
        "product.template", [("id", "=", variants[0]["product_tmpl_id"][0])], ["name", "categ_id"]
    )
    assert template["name"] == f"Tee {code}"
    assert template["categ_id"][1] == f"All / Clothing {code} / Tees {code}", "with its parent"
    bindings = shop.odoo.search_read(
        "integration.binding", [("woo_parent_id", "=", tee["id"])], ["external_id"]
    )
    assert len(bindings) == 2, "each variation bound with its variable product"
    assert odoo_product(shop, code) is None, "the variable product itself is not sold"

    line = {"product_id": tee["id"], "variation_id": bindings[0]["external_id"], "quantity": 1}
    order = shop.store.rest(
        "POST", "/orders", {"billing": BUYER, "line_items": [line], "status": "processing"}
    )
    in_odoo = wait_for_order(shop, order["id"], "processing")
    [line] = shop.odoo.search_read(
        "sale.order.line",
        [("order_id", "=", in_odoo["id"]), ("product_id.default_code", "like", code)],
        ["product_id"],
    )
    sold = next(v for v in variants if v["id"] == line["product_id"][0])
    assert sold["default_code"] in (f"{code}-S", f"{code}-M"), "the line is a variant"


def test_a_paid_rest_order_and_a_guest_checkout_are_confirmed_to_the_cent(shop: Shop) -> None:
    product, _ = simple_product(shop)
    paid = place_order(
        shop, product, 2, payment_method="cod", set_paid=True, shipping_lines=[FLAT_RATE]
    )
    checkout = shop.store.checkout(product["id"], 1, BUYER | {"email": "guest@example.net"})
    guest = shop.store.rest("GET", f"/orders/{checkout['order_id']}")
    assert guest["customer_id"] == 0

    for order in (paid, guest):
        in_odoo = wait_for_order(shop, order["id"], order["status"])
        assert in_odoo["state"] == "sale", order["status"]
        assert in_odoo["amount_total"] == float(order["total"]), "WooCommerce's total, to the cent"
        # created and updated arrive together and go to two workers: neither fails
        rows = ledger(shop, order["id"])
        assert {row["state"] for row in rows} <= {"done", "ignored"}, rows
        assert {row["attempts"] for row in rows} == {1}, rows
    partner = shop.odoo.search_read(
        "res.partner", [("id", "=", odoo_order(shop, guest["id"])["partner_id"][0])], ["email"]
    )
    assert partner[0]["email"] == "guest@example.net"


def test_pending_then_processing_in_the_same_second(shop: Shop) -> None:
    """Created pending and at once paid: two states, one date_modified_gmt."""
    product, _ = simple_product(shop)
    # A POST and a PUT take about half a second each here: within one second only now and then.
    for _attempt in range(12):
        pending = place_order(shop, product, status="pending")
        paid = shop.store.rest("PUT", f"/orders/{pending['id']}", {"status": "processing"})
        if paid["date_modified_gmt"] == pending["date_modified_gmt"]:
            break
    else:
        pytest.fail("the store never made two states within one second")
    in_odoo = wait_for_order(shop, paid["id"], "processing")
    assert in_odoo["state"] == "sale", "the paid state wins, not the quotation"
    reconciled = shop.cli("reconcile", "--since", _minutes_ago(5))
    assert reconciled.returncode == 0, reconciled.stderr
    wait_for(
        lambda: all(row["state"] in ("done", "ignored") for row in ledger(shop, paid["id"])),
        60,
        "the reconciled state",
    )
    assert odoo_order(shop, paid["id"])["state"] == "sale"


def test_completed_and_cancelled_in_woocommerce(shop: Shop) -> None:
    product, _ = simple_product(shop)
    orders = [
        place_order(shop, product, payment_method="bacs", set_paid=True, shipping_lines=[FLAT_RATE])
        for _ in range(2)
    ]
    for order in orders:
        wait_for_order(shop, order["id"], order["status"])
    completed = shop.store.rest("PUT", f"/orders/{orders[0]['id']}", {"status": "completed"})
    cancelled = shop.store.rest("PUT", f"/orders/{orders[1]['id']}", {"status": "cancelled"})
    assert wait_for_order(shop, completed["id"], "completed")["state"] == "sale"
    assert wait_for_order(shop, cancelled["id"], "cancelled")["state"] == "cancel"
    assert all(row["state"] != "failed" for row in ledger(shop, cancelled["id"]))


def count_on_hand(shop: Shop, product_id: int, quantity: float) -> None:
    """The warehouse's stock of the product counted in Odoo (an inventory adjustment)."""
    odoo = shop.odoo
    stock = odoo.search_read("stock.warehouse", [], ["lot_stock_id"], limit=1)[0]["lot_stock_id"]
    quant = odoo.execute(
        "stock.quant",
        "create",
        {"product_id": product_id, "location_id": stock[0], "inventory_quantity": quantity},
    )
    odoo.execute("stock.quant", "action_apply_inventory", [quant])


def test_cancel_ship_and_stock_in_odoo_reach_woocommerce(shop: Shop) -> None:
    product, in_odoo = simple_product(shop, stock=10)
    orders = [
        place_order(
            shop, product, payment_method="cod", status="processing", shipping_lines=[FLAT_RATE]
        )
        for _ in range(2)
    ]
    shipped, cancelled = (wait_for_order(shop, o["id"], o["status"]) for o in orders)
    odoo = shop.odoo
    # The warehouse counts 25 on hand; shipping one leaves 24 for WooCommerce to sell.
    count_on_hand(shop, in_odoo["id"], 25)
    odoo.execute(
        "sale.order", "action_cancel", [cancelled["id"]], context={"disable_cancel_warning": True}
    )
    [picking] = shipped["picking_ids"]
    odoo.execute("stock.picking", "action_assign", [picking])
    moves = odoo.search_read("stock.move", [("picking_id", "=", picking)], ["product_uom_qty"])
    for move in moves:
        odoo.execute(
            "stock.move",
            "write",
            [move["id"]],
            {"quantity": move["product_uom_qty"], "picked": True},
        )
    odoo.execute("stock.picking", "button_validate", [picking], context={"skip_sms": True})
    reference = odoo.search_read("stock.picking", [("id", "=", picking)], ["name"])[0]["name"]

    push_outbox(shop)
    assert orders[0]["status"] == "processing"
    assert shop.store.rest("GET", f"/orders/{orders[0]['id']}")["status"] == "completed"
    notes = shop.store.rest("GET", f"/orders/{orders[0]['id']}/notes")
    assert sum(reference in note["note"] for note in notes) == 1, notes
    assert shop.store.rest("GET", f"/orders/{orders[1]['id']}")["status"] == "cancelled"
    assert shop.store.rest("GET", f"/products/{product['id']}")["stock_quantity"] == 24
    outbox = odoo.search_read(
        "integration.outbox", [("sale_order_id", "in", [shipped["id"], cancelled["id"]])], ["state"]
    )
    assert {row["state"] for row in outbox} == {"done"}


def validate(shop: Shop, picking: int, quantity: float, tracking: str) -> str:
    """Ship `quantity` of the delivery's one move with a carrier's tracking number; the rest,
    if any, waits in a backorder. Gives the delivery's reference."""
    odoo = shop.odoo
    odoo.execute("stock.picking", "action_assign", [picking])
    [move] = odoo.search_read("stock.move", [("picking_id", "=", picking)], ["id"])
    odoo.execute("stock.move", "write", [move["id"]], {"quantity": quantity, "picked": True})
    odoo.execute("stock.picking", "write", [picking], {"carrier_tracking_ref": tracking})
    odoo.execute(
        "stock.picking",
        "button_validate",
        [picking],
        context={"skip_sms": True, "skip_backorder": True},
    )
    return odoo.search_read("stock.picking", [("id", "=", picking)], ["name"])[0]["name"]


def test_a_delivery_in_two_parts_reaches_woocommerce_part_by_part(shop: Shop) -> None:
    product, in_odoo = simple_product(shop, stock=10)
    order = place_order(
        shop,
        product,
        quantity=2,
        payment_method="cod",
        status="processing",
        shipping_lines=[FLAT_RATE],
    )
    sale = wait_for_order(shop, order["id"], "processing")
    odoo = shop.odoo
    count_on_hand(shop, in_odoo["id"], 25)

    [picking] = sale["picking_ids"]
    first = validate(shop, picking, 1, "TRACK-PART-1")
    push_outbox(shop)
    in_store = shop.store.rest("GET", f"/orders/{order['id']}")
    assert in_store["status"] == "processing", "one of two left: not complete yet"
    meta = {item["key"]: item["value"] for item in in_store["meta_data"]}
    [tracked] = meta["_wc_shipment_tracking_items"]
    assert tracked["tracking_number"] == "TRACK-PART-1"
    notes = shop.store.rest("GET", f"/orders/{order['id']}/notes", type="customer")
    assert [n["note"] for n in notes if first in n["note"]], notes
    assert "The rest of your order follows." in notes[0]["note"]

    [backorder] = odoo.search_read("stock.picking", [("backorder_id", "=", picking)], ["id"])
    validate(shop, backorder["id"], 1, "TRACK-PART-2")
    push_outbox(shop)
    in_store = shop.store.rest("GET", f"/orders/{order['id']}")
    assert in_store["status"] == "completed", "its last delivery completes the order"
    meta = {item["key"]: item["value"] for item in in_store["meta_data"]}
    numbers = [item["tracking_number"] for item in meta["_wc_shipment_tracking_items"]]
    assert numbers == ["TRACK-PART-1", "TRACK-PART-2"]
    customer_notes = shop.store.rest("GET", f"/orders/{order['id']}/notes", type="customer")
    assert len(customer_notes) == 2, customer_notes


def test_orders_placed_while_the_relay_is_down_are_reconciled(shop: Shop, tmp_path) -> None:
    product, _ = simple_product(shop)
    since = _minutes_ago(1)
    shop.relay.stop()
    try:
        missed = place_order(shop, product, payment_method="cod", set_paid=True)
    finally:
        shop.restart_relay(tmp_path)
    assert odoo_order(shop, missed["id"]) is None, "no webhook reached the relay"
    reconciled = shop.cli("reconcile", "--since", since)
    assert reconciled.returncode == 0, reconciled.stderr
    assert wait_for_order(shop, missed["id"], missed["status"])["state"] == "sale"


def test_a_checkout_delivered_as_rest_no_route_is_reconciled_within_a_minute(shop: Shop) -> None:
    """WooCommerce 9.4+ delivering synchronously at the end of a Store API checkout builds the
    payload without the REST routes (the test store keeps them loaded; this undoes that)."""
    product, _ = simple_product(shop)
    plugin = Path(shop.store.env["WP_DIR"]) / "wp-content" / "mu-plugins" / "zz-rest-no-route.php"
    plugin.write_text("<?php\nremove_all_filters( 'wc_rest_should_load_namespace' );\n")
    try:
        checkout = shop.store.checkout(product["id"], 1, BUYER)
    finally:
        plugin.unlink()
    relay_log = shop.relay.log()
    assert '"rest_error":"rest_no_route"' in relay_log and '"level":"WARNING"' in relay_log
    order = shop.store.rest("GET", f"/orders/{checkout['order_id']}")
    in_odoo = wait_for_order(shop, order["id"], order["status"], timeout=60)
    assert in_odoo["state"] == "sale"
    assert in_odoo["amount_total"] == float(order["total"])
    events = shop.odoo.search_read(
        "integration.event", [("woo_resource_id", "=", order["id"])], ["payload"]
    )
    assert all(event["payload"]["meta"].get("reconciled") for event in events), "not a webhook"


def _minutes_ago(minutes: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S")


def posted_move(shop: Shop, order_name: str, move_type: str) -> dict | None:
    moves = shop.odoo.search_read(
        "account.move",
        [
            ("invoice_origin", "=", order_name),
            ("move_type", "=", move_type),
            ("state", "=", "posted"),
        ],
        ["name", "amount_total", "payment_state", "ref"],
    )
    assert len(moves) <= 1, moves
    return moves[0] if moves else None


def test_a_paid_order_is_invoiced_and_refunds_are_credited_both_ways(shop: Shop) -> None:
    """Invoices and payments switched on: a paid order is a posted, paid invoice at WooCommerce's
    total; a refund of one item made in WooCommerce (an order.updated: there is no refund
    webhook) is one posted credit note with that item's line, left open (the gateway did not pay
    it back: the shop does, by hand); a credit note made in Odoo is a refund in the store, once,
    and the order update that refund causes books nothing."""
    bank = shop.odoo.shop_bank_journal_id()
    shop.odoo.set_param("elitaco_integration.payment_journal_id", str(bank))
    shop.odoo.set_param("elitaco_integration.invoice_policy", "paid")
    try:
        product, _ = simple_product(shop)
        order = place_order(
            shop, product, 2, payment_method="bacs", set_paid=True, shipping_lines=[FLAT_RATE]
        )
        sale = wait_for_order(shop, order["id"], order["status"])
        invoice = wait_for(lambda: posted_move(shop, sale["name"], "out_invoice"), 60, "invoice")
        assert invoice["amount_total"] == float(order["total"]), "WooCommerce's total, to the cent"
        assert invoice["payment_state"] in ("paid", "in_payment")

        item = order["line_items"][0]
        unit_tax = f"{float(item['total_tax']) / 2:.2f}"
        refund = shop.store.rest(
            "POST",
            f"/orders/{order['id']}/refunds",
            {
                "amount": f"{float(item['price']) + float(unit_tax):.2f}",
                "reason": "one broke",
                "api_refund": False,
                "line_items": [
                    {
                        "id": item["id"],
                        "quantity": 1,
                        "refund_total": f"{item['price']:.2f}",
                        "refund_tax": [{"id": item["taxes"][0]["id"], "refund_total": unit_tax}],
                    }
                ],
            },
        )
        credit = wait_for(lambda: credit_notes(shop, sale["id"]), 60, "the credit note")[0]
        assert credit["amount_total"] == float(refund["amount"])
        assert str(refund["id"]) in credit["ref"]
        assert credit["payment_state"] == "not_paid", "bank transfer: paid back by hand"
        [line] = shop.odoo.search_read(
            "account.move.line",
            [("move_id", "=", credit["id"]), ("display_type", "=", "product")],
            ["quantity", "price_subtotal", "product_id"],
        )
        assert (line["quantity"], line["price_subtotal"]) == (1, float(item["price"]))

        odoo_note = shop.odoo.credit_note_of_line(invoice["id"], order["shipping_lines"][0]["id"])
        push_outbox(shop)
        made = [
            r
            for r in shop.store.rest("GET", f"/orders/{order['id']}/refunds")
            if any(meta["key"] == "elitaco_credit_note_id" for meta in r["meta_data"])
        ]
        assert [r["amount"] for r in made] == ["5.83"], "4.90 shipping and its 19 % VAT, once"
        binding = wait_for(
            lambda: shop.odoo.search_read(
                "integration.binding",
                [("model", "=", "account.move"), ("external_id", "=", made[0]["id"])],
                ["res_id"],
            ),
            60,
            "the refund bound to its credit note",
        )
        assert binding[0]["res_id"] == odoo_note
        # The store's order.updated for that refund comes through the relay and books nothing.
        wait_for(lambda: ledger_has_refund_update(shop, order["id"], made[0]["id"]), 60, "the echo")
        assert len(credit_notes(shop, sale["id"])) == 2
    finally:
        shop.odoo.set_param("elitaco_integration.invoice_policy", "none")


def credit_notes(shop: Shop, sale_id: int) -> list[dict]:
    return shop.odoo.search_read(
        "account.move",
        [
            ("woo_sale_order_id", "=", sale_id),
            ("move_type", "=", "out_refund"),
            ("state", "=", "posted"),
        ],
        ["amount_total", "payment_state", "ref"],
        order="id",
    )


def ledger_has_refund_update(shop: Shop, woo_order_id: int, refund_id: int) -> bool:
    events = shop.odoo.search_read(
        "integration.event",
        [
            ("woo_resource_id", "=", woo_order_id),
            ("event_type", "=", "woo.order.updated"),
            ("store", "=", store_identity(shop.store.url)),
        ],
        ["state", "payload"],
    )
    return any(
        event["state"] in ("done", "ignored")
        and refund_id
        in [r["id"] for r in (event["payload"] or {}).get("data", {}).get("refunds", [])]
        for event in events
    )


def test_a_first_import_binds_what_odoo_had_and_brings_what_it_lacked(shop: Shop, tmp_path) -> None:
    """A store that sold before it was connected: its product, customer and order reach no
    relay. Odoo already has the product (same SKU) and the customer (same e-mail); an import
    started in Odoo binds both, creates the order, and reports each."""
    code = sku()
    email = f"first.{code.lower()}@example.com"
    [odoo_product_id] = shop.odoo.execute(
        "product.product", "create", [{"name": f"Odoo's {code}", "default_code": code}]
    )
    [odoo_partner_id] = shop.odoo.execute(
        "res.partner", "create", [{"name": "Frieda Erst", "email": email}]
    )
    since = _minutes_ago(1)
    shop.relay.stop()
    try:
        product = shop.store.rest(
            "POST",
            "/products",
            {"name": f"Mug {code}", "type": "simple", "regular_price": "12.00", "sku": code},
        )
        customer = shop.store.rest(
            "POST",
            "/customers",
            {
                "email": email,
                "first_name": "Frieda",
                "last_name": "Erst",
                "billing": BUYER | {"email": email},
            },
        )
        order = place_order(
            shop, product, customer_id=customer["id"], payment_method="cod", set_paid=True
        )
    finally:
        shop.restart_relay(tmp_path)
    shop.odoo.set_param("elitaco_integration.customer_match", "email")
    try:
        [import_id] = shop.odoo.execute(
            "integration.import",
            "create",
            [{"store_url": shop.store.url, "since": since.replace("T", " ")}],
        )
        shop.odoo.execute("integration.import", "action_start", [import_id])
        push_outbox(shop)

        def state() -> dict:
            [run] = shop.odoo.search_read(
                "integration.import", [("id", "=", import_id)], ["state", "waiting_count", "error"]
            )
            return run

        wait_for(
            lambda: (run := state())["state"] == "done" and run["waiting_count"] == 0,
            120,
            "the import read and applied",
        )
    finally:
        shop.odoo.set_param("elitaco_integration.customer_match", "woo")
    lines = shop.odoo.search_read(
        "integration.import.line",
        [("import_id", "=", import_id)],
        ["resource", "woo_id", "outcome", "result_id"],
    )
    outcome = {(line["resource"], line["woo_id"]): line for line in lines}
    assert outcome[("product", product["id"])]["outcome"] == "matched"
    assert outcome[("product", product["id"])]["result_id"] == odoo_product_id
    assert outcome[("customer", customer["id"])]["outcome"] == "matched"
    assert outcome[("customer", customer["id"])]["result_id"] == odoo_partner_id
    assert outcome[("order", order["id"])]["outcome"] == "created"
    in_odoo = wait_for_order(shop, order["id"], order["status"])
    assert in_odoo["partner_id"][0] == odoo_partner_id
    assert in_odoo["state"] == "sale"


def test_a_product_sold_from_odoo_reaches_the_store_and_an_archive_drafts_it(
    shop: Shop, odoo_is_master: None
) -> None:
    """Odoo as master of product data, against the real store: the product ticked *Sell in
    WooCommerce* is created there through the outbox, in its Odoo category made there first,
    bound, its own product.created webhook changes nothing in Odoo, and archiving it in Odoo
    makes it a draft in WooCommerce."""
    code = sku()
    [kitchen] = shop.odoo.execute("product.category", "create", [{"name": f"Kitchen {code}"}])
    [mugs] = shop.odoo.execute(
        "product.category", "create", [{"name": "Mugs", "parent_id": kitchen}]
    )

    def odoo_mug(code: str) -> int:
        values = {
            "name": f"Odoo mug {code}",
            "default_code": code,
            "list_price": 14.5,
            "is_storable": True,
            "woo_publish": True,
            "categ_id": mugs,
        }
        return shop.odoo.execute("product.template", "create", [values])[0]

    template_id = odoo_mug(code)
    [variant] = shop.odoo.search_read("product.product", [("default_code", "=", code)], ["id"])
    stock = shop.odoo.search_read("stock.warehouse", [], ["lot_stock_id"], limit=1)
    quant = shop.odoo.execute(
        "stock.quant",
        "create",
        {
            "product_id": variant["id"],
            "location_id": stock[0]["lot_stock_id"][0],
            "inventory_quantity": 6,
        },
    )
    shop.odoo.execute("stock.quant", "action_apply_inventory", [quant])
    push_outbox(shop)
    [in_store] = shop.store.rest("GET", "/products", sku=code)
    assert in_store["stock_quantity"] == 6, "made with its stock"
    assert (in_store["name"], in_store["regular_price"], in_store["status"]) == (
        f"Odoo mug {code}",
        "14.50",
        "publish",
    )
    assert in_store["manage_stock"] is True
    [category] = in_store["categories"]
    assert category["name"] == "Mugs"
    parent = shop.store.rest("GET", f"/products/categories/{category['id']}")["parent"]
    assert shop.store.rest("GET", f"/products/categories/{parent}")["name"] == f"Kitchen {code}"
    bound = shop.odoo.search_read(
        "integration.binding", [("model", "=", "product.category")], ["res_id", "external_id"]
    )
    assert {(b["res_id"], b["external_id"]) for b in bound} >= {
        (kitchen, parent),
        (mugs, category["id"]),
    }

    # A second product of the category: the bound one, none made again.
    second = sku()
    odoo_mug(second)
    push_outbox(shop)
    [in_store_too] = shop.store.rest("GET", "/products", sku=second)
    assert [c["id"] for c in in_store_too["categories"]] == [category["id"]]
    named = shop.store.rest("GET", "/products/categories", search=f"Kitchen {code}")
    assert len(named) == 1

    # Renamed and moved to the top in Odoo: the same in the store.
    shop.odoo.execute(
        "product.category", "write", [mugs], {"name": f"Cups {code}", "parent_id": False}
    )
    push_outbox(shop)
    moved = shop.store.rest("GET", f"/products/categories/{category['id']}")
    assert (moved["name"], moved["parent"]) == (f"Cups {code}", 0)
    wait_for(
        lambda: shop.odoo.search_read(
            "integration.event",
            [("woo_resource_id", "=", in_store["id"]), ("state", "=", "done")],
            ["id"],
        ),
        60,
        "the store's own product.created webhook applied",
    )
    [product] = shop.odoo.search_read(
        "product.product", [("default_code", "=", code)], ["name", "list_price"]
    )
    assert (product["name"], product["list_price"]) == (f"Odoo mug {code}", 14.5)

    shop.odoo.execute("product.template", "action_archive", [template_id])
    push_outbox(shop)
    assert shop.store.rest("GET", f"/products/{in_store['id']}")["status"] == "draft"


def test_a_product_with_variants_sold_from_odoo_is_a_variable_product_in_the_store(
    shop: Shop, odoo_is_master: None
) -> None:
    code = sku()
    [size] = shop.odoo.execute(
        "product.attribute",
        "create",
        [{"name": f"Size {code}", "value_ids": [(0, 0, {"name": "S"}), (0, 0, {"name": "M"})]}],
    )
    values = shop.odoo.search_read(
        "product.attribute.value", [("attribute_id", "=", size)], ["name"]
    )
    [template_id] = shop.odoo.execute(
        "product.template",
        "create",
        [
            {
                "name": f"Tee {code}",
                "list_price": 20,
                "is_storable": True,
                "attribute_line_ids": [
                    (
                        0,
                        0,
                        {
                            "attribute_id": size,
                            "value_ids": [(6, 0, [v["id"] for v in values])],
                        },
                    )
                ],
            }
        ],
    )
    variants = shop.odoo.search_read(
        "product.product",
        [("product_tmpl_id", "=", template_id)],
        ["product_template_attribute_value_ids"],
    )
    for variant in variants:
        [value] = shop.odoo.search_read(
            "product.template.attribute.value",
            [("id", "in", variant["product_template_attribute_value_ids"])],
            ["name"],
        )
        extra = {"price_extra": 2.5} if value["name"] == "M" else {}
        shop.odoo.execute(
            "product.template.attribute.value",
            "write",
            [value["id"]],
            extra or {"price_extra": 0},
        )
        shop.odoo.execute(
            "product.product",
            "write",
            [variant["id"]],
            {"default_code": f"{code}-{value['name']}"},
        )
    shop.odoo.execute("product.template", "action_woo_publish", [template_id])
    push_outbox(shop)
    [variation] = shop.store.rest("GET", "/products", sku=f"{code}-M")
    parent = shop.store.rest("GET", f"/products/{variation['parent_id']}")
    assert (parent["type"], parent["name"]) == ("variable", f"Tee {code}")
    in_store = shop.store.rest("GET", f"/products/{parent['id']}/variations")
    assert sorted((v["sku"], v["regular_price"]) for v in in_store) == [
        (f"{code}-M", "22.50"),
        (f"{code}-S", "20.00"),
    ]
    [binding] = shop.odoo.search_read(
        "integration.binding",
        [("model", "=", "product.template"), ("external_id", "=", parent["id"])],
        ["res_id"],
    )
    assert binding["res_id"] == template_id

    # Size M taken off the product in Odoo (its variant deleted): it can no longer be bought.
    [line] = shop.odoo.search_read(
        "product.template.attribute.line", [("product_tmpl_id", "=", template_id)], ["id"]
    )
    medium_value = next(value["id"] for value in values if value["name"] == "M")
    shop.odoo.execute(
        "product.template",
        "write",
        [template_id],
        {"attribute_line_ids": [(1, line["id"], {"value_ids": [(3, medium_value)]})]},
    )
    assert not shop.odoo.search_read(
        "product.product", [("default_code", "=", f"{code}-M")], ["id"]
    )
    push_outbox(shop)
    in_store = shop.store.rest("GET", f"/products/{parent['id']}/variations")
    assert sorted((v["sku"], v["status"]) for v in in_store) == [
        (f"{code}-M", "private"),
        (f"{code}-S", "publish"),
    ]
