"""A preview of a first sync against a real WooCommerce 11 store and a real Odoo 18: the
workers read the store by pages as the import would (asked from Odoo's import, and from the
command line with --dry-run), Odoo reports what would be matched and that a tax rate of the
orders has no map, and nothing else changes in Odoo. Starting the import then asks first."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq import Queue

from relay.config import events_queue_name
from tests.e2e.conftest import Shop
from tests.e2e.test_real_store import BUYER, place_order, push_outbox, sku
from tests.waiting import wait_for

WRITTEN_BY_AN_IMPORT = (
    "sale.order",
    "res.partner",
    "product.product",
    "integration.binding",
    "integration.event",
    "integration.value.map",
)


def counts(shop: Shop) -> dict[str, int]:
    return {model: shop.odoo.execute(model, "search_count", []) for model in WRITTEN_BY_AN_IMPORT}


def events_queue(shop: Shop) -> Queue:
    return Queue(events_queue_name(), connection=Redis.from_url(shop.env["REDIS_URL"]))


def quiet(shop: Shop) -> None:
    """Nothing left on the events queue: what earlier tests sent is applied."""
    queue = events_queue(shop)
    wait_for(
        lambda: queue.count == 0 and queue.started_job_registry.count == 0,
        120,
        "the events queue empty",
    )


@pytest.fixture
def webhooks_paused(shop: Shop) -> Iterator[None]:
    """The store's webhooks paused, as for a shop that sold before it was connected."""
    hooks = [
        hook
        for hook in shop.store.rest("GET", "/webhooks", per_page=100)
        if hook["status"] == "active"
    ]
    for hook in hooks:
        shop.store.rest("PUT", f"/webhooks/{hook['id']}", {"status": "paused"})
    try:
        yield
    finally:
        for hook in hooks:
            shop.store.rest("PUT", f"/webhooks/{hook['id']}", {"status": "active"})


@pytest.fixture
def store_tax_rate(shop: Shop) -> Iterator[dict]:
    """A tax rate of the store's own (taxed by the billing address, as the store is set up),
    charged beside its VAT (a priority of its own): Odoo has no map for it."""
    rate = shop.store.rest(
        "POST",
        "/taxes",
        {"country": "DE", "rate": "2.0000", "name": f"Levy {sku()}", "priority": 2},
    )
    try:
        yield rate
    finally:
        shop.store.rest("DELETE", f"/taxes/{rate['id']}", force="true")


def test_a_preview_finds_an_unmapped_rate_and_writes_nothing(
    shop: Shop, webhooks_paused: None, store_tax_rate: dict
) -> None:
    code = sku()
    email = f"preview.{code.lower()}@example.com"
    [odoo_product_id] = shop.odoo.execute(
        "product.product", "create", [{"name": f"Odoo's {code}", "default_code": code}]
    )
    [odoo_partner_id] = shop.odoo.execute(
        "res.partner", "create", [{"name": "Petra Vorschau", "email": email}]
    )
    since = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
    product = shop.store.rest(
        "POST",
        "/products",
        {"name": f"Mug {code}", "type": "simple", "regular_price": "10.00", "sku": code},
    )
    customer = shop.store.rest(
        "POST",
        "/customers",
        {"email": email, "first_name": "Petra", "last_name": "Vorschau", "billing": BUYER},
    )
    order = place_order(
        shop,
        product,
        customer_id=customer["id"],
        billing=BUYER | {"email": email},
        payment_method="cod",
    )
    assert store_tax_rate["id"] in [line["rate_id"] for line in order["tax_lines"]]
    shop.odoo.set_param("elitaco_integration.customer_match", "email")
    try:
        quiet(shop)
        before = counts(shop)
        [import_id] = shop.odoo.execute(
            "integration.import", "create", [{"store_url": shop.store.url, "since": since}]
        )
        shop.odoo.execute("integration.import", "action_preview", [import_id])
        push_outbox(shop)
        [preview] = wait_for(
            lambda: [
                preview
                for preview in shop.odoo.search_read(
                    "integration.import.preview",
                    [("import_id", "=", import_id)],
                    ["state", "error"],
                )
                if preview["state"] in ("done", "failed")
            ],
            120,
            "the preview read",
        )
        assert preview["state"] == "done", preview["error"]
        lines = shop.odoo.search_read(
            "integration.import.preview.line",
            [("preview_id", "=", preview["id"])],
            ["key", "outcome", "matched_by", "result_id", "kind", "code", "order_count"],
        )
        by_key = {line["key"]: line for line in lines}
        assert by_key[f"product:{product['id']}"]["outcome"] == "matched"
        assert by_key[f"product:{product['id']}"]["matched_by"] == "sku"
        assert by_key[f"product:{product['id']}"]["result_id"] == odoo_product_id
        assert by_key[f"customer:{customer['id']}"]["outcome"] == "matched"
        assert by_key[f"customer:{customer['id']}"]["matched_by"] == "email"
        assert by_key[f"customer:{customer['id']}"]["result_id"] == odoo_partner_id
        assert by_key[f"order:{order['id']}"]["outcome"] == "created"
        rate = by_key[f"code:tax_rate:{store_tax_rate['id']}"]
        assert (rate["outcome"], rate["order_count"]) == ("not_mapped", 1)
        assert counts(shop) == before, "a preview writes nothing but its report"

        dry_run = shop.cli("import", "orders", "--since", since.replace(" ", "T"), "--dry-run")
        assert dry_run.returncode == 0, dry_run.stderr
        [rate_said] = [
            line
            for line in dry_run.stdout.splitlines()
            if f"not mapped: tax_rate {store_tax_rate['id']} " in line
        ]
        assert f"({store_tax_rate['name']} (2 %)), orders: 1;" in rate_said
        # The store is shared with the session's other tests: their orders of the last minute
        # are read too; the one with the unmapped rate is this test's alone (above).
        [read] = re.findall(r"^orders: (\d+) read$", dry_run.stdout, re.MULTILINE)
        assert int(read) >= 1, dry_run.stdout
        assert counts(shop) == before
        assert events_queue(shop).count == 0, "a dry run enqueues nothing"

        asked = shop.odoo.execute("integration.import", "action_start", [import_id])
        assert asked["res_model"] == "integration.import.confirm"
        wizard = shop.odoo.search_read(
            "integration.import.confirm", [("id", "=", asked["res_id"])], ["unmapped"]
        )
        assert store_tax_rate["name"] in wizard[0]["unmapped"]
        [run] = shop.odoo.search_read("integration.import", [("id", "=", import_id)], ["state"])
        assert run["state"] == "draft", "not started before it is confirmed"
    finally:
        shop.odoo.set_param("elitaco_integration.customer_match", "woo")
