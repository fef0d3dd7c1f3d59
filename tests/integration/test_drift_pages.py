"""How a drift run reads the store (relay/work/drift.py), against the WooCommerce stand-in
over HTTP: orders of the period by id, page after page; every product, each page with its
variable products' variations; only the fields Odoo compares."""

from __future__ import annotations

from datetime import UTC, datetime

from relay.clients.woo import WooClient, WooConfig
from relay.work.drift import ORDER_FIELDS, order_pages, product_pages
from tests.fake_woo import FakeWoo


def client(fake_woo: FakeWoo) -> WooClient:
    return WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))


def order(woo_id: int, modified: str) -> dict:
    return {
        "id": woo_id,
        "number": str(woo_id),
        "status": "processing",
        "currency": "EUR",
        "total": "10.00",
        "total_tax": "1.60",
        "date_modified_gmt": modified,
        "billing": {"email": "kim@example.com"},
        "line_items": [{"id": 1}],
    }


def test_orders_of_the_period_are_read_by_pages_of_a_hundred(fake_woo: FakeWoo) -> None:
    fake_woo.orders = [order(1000 + n, "2026-03-01T10:00:00") for n in range(230)]
    fake_woo.orders.append(order(5, "2026-01-01T10:00:00"))  # modified before the period
    pages = list(order_pages(client(fake_woo), datetime(2026, 2, 1, tzinfo=UTC)))
    assert [len(page) for page in pages] == [100, 100, 30]
    assert [o["id"] for page in pages for o in page] == list(range(1000, 1230))
    assert set(pages[0][0]) == set(ORDER_FIELDS), "only what Odoo compares"


def test_products_come_with_their_variations(fake_woo: FakeWoo) -> None:
    modified = "2026-03-01T10:00:00"
    fake_woo.products = [
        {"id": 10, "type": "simple", "sku": "MUG", "price": "9.00", "date_modified_gmt": modified},
        {"id": 20, "type": "variable", "sku": "SHIRT", "date_modified_gmt": modified},
    ]
    fake_woo.variations = {
        20: [
            {"id": 21, "sku": "SHIRT-S", "price": "20.00", "stock_quantity": 3},
            {"id": 22, "sku": "SHIRT-M", "price": "22.00", "stock_quantity": 0},
        ]
    }
    [page] = list(product_pages(client(fake_woo)))
    assert [(p["id"], p["parent_id"]) for p in page] == [(10, None), (20, None), (21, 20), (22, 20)]
    assert page[3]["price"] == "22.00"
    assert "date_modified_gmt" not in page[0]
