"""The store's tax rounding reaches Odoo: `python -m relay tax-rounding` reads the real store's
"Round tax at subtotal level" (the same function the hourly cron job runs) and tells the real
Odoo as the Integration User, which keeps it on the store and answers whether its company
rounds the same way."""

from __future__ import annotations

from relay.config import store_identity
from tests.e2e.conftest import Shop

SETTING = "/settings/tax/woocommerce_tax_round_at_subtotal"


def kept_in_odoo(shop: Shop) -> list[dict]:
    return shop.odoo.search_read(
        "integration.store",
        [("key", "=", store_identity(shop.store.url))],
        ["woo_tax_round_at_subtotal", "woo_tax_rounding_read_at"],
    )


def test_the_stores_tax_rounding_is_read_and_compared_with_odoos(shop: Shop) -> None:
    try:
        shop.store.rest("PUT", SETTING, {"value": "yes"})
        differs = shop.cli("tax-rounding")
        assert differs.returncode == 1, differs.stderr
        assert "rounds tax at the subtotal, Odoo per line" in differs.stdout
        assert "Settings › Integration › Tax rounding" in differs.stdout
        [store] = kept_in_odoo(shop)
        assert store["woo_tax_round_at_subtotal"] is True
        assert store["woo_tax_rounding_read_at"]

        shop.store.rest("PUT", SETTING, {"value": "no"})
        agrees = shop.cli("tax-rounding")
        assert agrees.returncode == 0, agrees.stderr
        assert "both round tax per line" in agrees.stdout
        assert kept_in_odoo(shop)[0]["woo_tax_round_at_subtotal"] is False
    finally:
        shop.store.rest("PUT", SETTING, {"value": "no"})
