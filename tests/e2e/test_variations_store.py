"""A variation deleted for good in the real store (as wp-admin's "Remove" does): WooCommerce
sends no webhook for it, not even the variable product's product.updated, though the deletion
moves the variable product's date_modified. The product reconcile reads that state, whose
`variations` no longer lists it, and Odoo archives its variant."""

from __future__ import annotations

from tests.e2e.conftest import Shop
from tests.e2e.test_real_store import _minutes_ago, odoo_variant, sku
from tests.waiting import wait_for


def archived(shop: Shop, code: str) -> bool:
    return bool(
        shop.odoo.search_read(
            "product.product", [("default_code", "=", code), ("active", "=", False)], ["id"]
        )
    )


def test_a_variation_deleted_for_good_archives_its_variant(shop: Shop) -> None:
    code = sku()
    tee = shop.store.rest(
        "POST",
        "/products",
        {
            "name": f"Tee {code}",
            "type": "variable",
            "sku": code,
            "attributes": [
                {"name": "Size", "options": ["S", "M"], "variation": True, "visible": True}
            ],
        },
    )
    variations = {
        size: shop.store.rest(
            "POST",
            f"/products/{tee['id']}/variations",
            {
                "regular_price": "25.00",
                "sku": f"{code}-{size}",
                "attributes": [{"name": "Size", "option": size}],
            },
        )
        for size in ("S", "M")
    }
    for size in ("S", "M"):
        wait_for(lambda s=size: odoo_variant(shop, f"{code}-{s}"), 60, f"variation {size}")

    since = _minutes_ago(1)
    gone = variations["M"]["id"]
    shop.store.rest("DELETE", f"/products/{tee['id']}/variations/{gone}", force="true")
    assert gone not in shop.store.rest("GET", f"/products/{tee['id']}")["variations"]
    reconciled = shop.cli("reconcile", "--since", since)
    assert reconciled.returncode == 0, reconciled.stderr
    wait_for(lambda: archived(shop, f"{code}-M"), 60, "the deleted variation's variant archived")
    assert odoo_variant(shop, f"{code}-S"), "the other one stays on sale"
