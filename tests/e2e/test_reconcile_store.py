"""Reconciliation against a real WooCommerce 11 store (no Odoo needed): a bulk edit that saves
more orders in one second than a page holds, some of them modified again while reconcile
pages through that second."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from relay.clients.woo import WooClient
from relay.config import WooConfig
from relay.work.reconcile import read_checkpoint, reconcile_orders
from tests.woo_store import WooStore

BULK = 130  # more than a page (100)


class ModifiedMeanwhile(requests.Session):
    """The REST session of reconcile: after its second order list, `modify` runs, as a shop
    manager saving orders while reconcile pages."""

    def __init__(self, modify) -> None:
        super().__init__()
        self.modify, self.order_lists = modify, 0

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        response = super().request(method, url, *args, **kwargs)
        if method == "GET" and url.endswith("/orders"):
            self.order_lists += 1
            if self.order_lists == 2:
                self.modify()
        return response


def set_modified(store: WooStore, ids: list[int], moment: datetime) -> None:
    """As a bulk edit leaves them: one modification second for all (HPOS order table)."""
    env = store.env
    at = moment.strftime("%Y-%m-%d %H:%M:%S")
    sql = (
        f"UPDATE wp_wc_orders SET date_updated_gmt = '{at}' WHERE id IN ({','.join(map(str, ids))})"
    )
    subprocess.run(
        [
            "mysql",
            "-h",
            env["DB_HOST"],
            "-P",
            env["DB_PORT"],
            "-u",
            env["DB_USER"],
            f"-p{env['DB_PASSWORD']}",
            env["DB_NAME"],
            "-e",
            sql,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_a_bulk_edited_second_is_read_whole_from_the_store(woo_store: WooStore, queue) -> None:
    created = [
        order["id"]
        for start in range(0, BULK, 65)
        for order in woo_store.rest(
            "POST",
            "/orders/batch",
            {"create": [{"status": "on-hold"}] * min(65, BULK - start)},
        )["create"]
    ]
    bulk = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    set_modified(woo_store, created, bulk)
    after = [woo_store.rest("POST", "/orders", {"status": "on-hold"})["id"] for _ in range(3)]

    def modify_five() -> None:
        for order_id in sorted(created)[:5]:
            woo_store.rest("PUT", f"/orders/{order_id}", {"customer_note": "Leave at the door"})

    config = WooConfig(
        woo_store.url,
        woo_store.env["WOO_CONSUMER_KEY"],
        woo_store.env["WOO_CONSUMER_SECRET"],
        ca_bundle=woo_store.ca_bundle,
    )
    woo = WooClient(config, session=ModifiedMeanwhile(modify_five))
    within = woo_store.session.get(
        f"{woo_store.url}/wp-json/wc/v3/orders",
        params={
            "modified_after": (bulk - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
            "modified_before": (bulk + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
            "dates_are_gmt": "true",
            "per_page": 1,
        },
        timeout=60,
        verify=woo_store.ca_bundle,
    )
    assert within.headers["X-WP-Total"] == str(BULK), "both bounds exclusive, as in the fake"
    reconcile_orders(woo, queue, woo_store.url, since=bulk - timedelta(minutes=10))
    queued = {job.args[0]["data"]["id"] for job in queue.get_jobs()}
    assert set(created) - queued == set(), "none skipped"
    assert set(after) <= queued
    assert read_checkpoint(queue.connection, woo_store.url) > bulk
