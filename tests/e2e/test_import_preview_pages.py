"""A preview reads the store by pages and hands Odoo each page in one call: a real Odoo 18
over HTTP as the workers' Integration User, a store stand-in (tests/fake_woo.py) for the
volume (250 orders, 120 products of which two variable ones carry their variations)."""

from __future__ import annotations

from typing import Any

import requests

from relay.clients.odoo import OdooClient
from relay.clients.woo import WooClient, WooConfig
from relay.config import OdooConfig
from relay.work.import_preview import preview_store
from tests.fake_woo import FakeWoo
from tests.integration.test_first_sync import numbered
from tests.odoo_server import OdooServer


class CountedCalls(requests.Session):
    """The workers' session to Odoo, counting the routes it calls."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: list[str] = []

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        self.routes.append(url.split("/elitaco/v1/", 1)[-1])
        return super().request(method, url, *args, **kwargs)


def test_a_preview_hands_odoo_one_page_at_a_time(odoo: OdooServer, fake_woo: FakeWoo) -> None:
    fake_woo.orders = numbered("woo.order.updated", 250, 9000)
    products = numbered("woo.product.updated", 120, 500)
    for product in products:
        product |= {"type": "simple", "parent_id": 0, "sku": f"PAGE-{product['id']}"}
    for parent in products[:2]:
        parent["type"] = "variable"
        fake_woo.variations[parent["id"]] = [
            {**products[2], "id": parent["id"] * 10 + n, "parent_id": parent["id"]}
            for n in range(3)
        ]
    fake_woo.products = products
    calls = CountedCalls()
    odoo_client = OdooClient(OdooConfig(odoo.url, odoo.worker_key), session=calls)
    woo = WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))

    plan = odoo_client.begin_preview(fake_woo.url, ["product", "order"], None)
    read = preview_store(odoo_client, woo, plan)
    summary = odoo_client.preview_done(plan["preview_id"])

    assert read == {"product": 126, "order": 250}
    assert calls.routes.count("imports/preview/page") == 2 + 3, "one call per page"
    assert summary["status"] == "done"
    assert sum(summary["counts"].values()) - summary["counts"]["not_mapped"] == 126 + 250
    assert not [line for line in fake_woo.requests if line.startswith("POST")]
