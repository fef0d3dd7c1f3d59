"""bench/e2e.py's rounds, small: each round's ORM limit and project slice are made and counted
in real Odoo, so the benchmark's ratios are over the orders they claim to be over."""

from __future__ import annotations

from pathlib import Path

from bench.e2e import (
    ORM_WARM_UP,
    SAME_RECORDS_OFFSET,
    Pipeline,
    make_orders,
    make_products,
    paired_rounds,
)
from bench.lag import lag_of
from tests.odoo_server import OdooServer


def test_each_round_pairs_a_slice_of_the_orm_limit_with_a_slice_of_the_project(
    odoo: OdooServer, redis_url: str, tmp_path: Path
) -> None:
    make_products(odoo)
    orders = make_orders(4, 7_100_000)
    orm_orders = make_orders(4, 7_200_000)

    result, envelopes = paired_rounds(
        odoo, orders, orm_orders, 1, 0, rounds=2, workdir=tmp_path, redis_url=redis_url
    )

    assert [(limit.orders, row.orders) for limit, row in result.rounds] == [(2, 2), (2, 2)]
    assert (result.orders, result.limit.orders) == (4, 4)
    assert result.seconds == sum(row.seconds for _limit, row in result.rounds)
    assert result.limit.seconds == sum(limit.seconds for limit, _row in result.rounds)
    assert sorted(envelope["data"]["id"] for envelope in envelopes) == [o["id"] for o in orders]
    # The shell made every ORM-limit order, its warm-up ones too (which it did not time).
    orm_refs = [str(order["id"]) for order in orm_orders]
    assert odoo.execute(
        "sale.order", "search_count", [("client_order_ref", "in", orm_refs), ("state", "=", "sale")]
    ) == len(orm_orders)
    warm_ups = odoo.execute("sale.order", "search_count", [("client_order_ref", "like", "72050%")])
    assert warm_ups == 2 * ORM_WARM_UP

    # The same records' ORM limit: each round's slice again, as the workers' user, with the
    # customer's address and a delivery contact on each order, as the module books them.
    assert [limit.orders for limit in result.same_records_rounds] == [2, 2]
    assert result.same_records.orders == 4
    alike = odoo.search_read(
        "sale.order",
        [
            (
                "client_order_ref",
                "in",
                [str(order["id"] + SAME_RECORDS_OFFSET) for order in orm_orders],
            )
        ],
        ["state", "partner_id", "partner_shipping_id", "create_uid"],
    )
    assert [order["state"] for order in alike] == ["sale"] * len(orm_orders)
    [worker] = odoo.search_read("res.users", [("login", "=", odoo.worker_login)], ["id"])
    assert {order["create_uid"][0] for order in alike} == {worker["id"]}
    shipping = odoo.search_read(
        "res.partner",
        [("id", "in", [order["partner_shipping_id"][0] for order in alike])],
        ["type", "parent_id", "street"],
    )
    assert {(contact["type"], contact["street"]) for contact in shipping} == {
        ("delivery", orm_orders[0]["shipping"]["address_1"])
    }


def test_the_lag_of_a_single_order_ends_once_odoo_confirmed_it(
    odoo: OdooServer, redis_url: str, tmp_path: Path
) -> None:
    """bench/lag.py's measurement: from the relay's answer to the end of the order's job,
    by which time the sale order is confirmed."""
    make_products(odoo)
    [order] = make_orders(1, 7_300_000)
    with Pipeline(odoo, 1, 0, tmp_path, redis_url) as pipeline:
        lag = lag_of(pipeline, order)
    assert 0 < lag < 60
    assert (
        odoo.execute(
            "sale.order",
            "search_count",
            [("woo_order_id", "=", order["id"]), ("state", "=", "sale")],
        )
        == 1
    )
