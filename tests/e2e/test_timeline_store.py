"""Products, variations and customers of the real store have their timeline in Odoo: each event
the store's webhooks bring (through the relay and the workers, as the Integration User) takes one
row on the product or the contact, its warnings first: here, variations whose prices Odoo's
attribute extras cannot express, with no default pricelist to hold them."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import Shop
from tests.e2e.test_real_store import odoo_variant, sku
from tests.waiting import wait_for

PRICELIST_PARAM = "elitaco_integration.pricelist_id"
WARNING = "set a default pricelist"
# M is 2 more than S and Blue 3 more than Red, except M-Blue: 26, not 25.
PRICES = {("S", "Red"): 20, ("M", "Red"): 22, ("S", "Blue"): 23, ("M", "Blue"): 26}


def timeline(shop: Shop, domain: list) -> list[dict]:
    return shop.odoo.search_read(
        "integration.timeline",
        domain,
        ["kind", "message", "warnings", "product_id", "event_id", "create_uid", "repeats"],
    )


def test_a_variation_price_warning_is_said_on_its_product(shop: Shop) -> None:
    code = sku()
    before = shop.odoo.get_param(PRICELIST_PARAM)
    shop.odoo.set_param(PRICELIST_PARAM, "")
    try:
        tee = shop.store.rest(
            "POST",
            "/products",
            {
                "name": f"Tee {code}",
                "type": "variable",
                "sku": code,
                "attributes": [
                    {"name": "Size", "options": ["S", "M"], "variation": True, "visible": True},
                    {
                        "name": "Color",
                        "options": ["Red", "Blue"],
                        "variation": True,
                        "visible": True,
                    },
                ],
            },
        )
        for (size, color), price in PRICES.items():
            shop.store.rest(
                "POST",
                f"/products/{tee['id']}/variations",
                {
                    "regular_price": f"{price}.00",
                    "sku": f"{code}-{size}-{color}",
                    "attributes": [
                        {"name": "Size", "option": size},
                        {"name": "Color", "option": color},
                    ],
                },
            )
        for size, color in PRICES:
            wait_for(
                lambda s=size, c=color: odoo_variant(shop, f"{code}-{s}-{c}"), 90, f"{size}-{color}"
            )
        [variant] = shop.odoo.search_read(
            "product.product", [("default_code", "=", f"{code}-S-Red")], ["product_tmpl_id"]
        )
        template = {"id": variant["product_tmpl_id"][0]}

        def warned() -> list[dict]:
            rows = timeline(shop, [("product_tmpl_id", "=", template["id"])])
            return [row for row in rows if WARNING in (row["warnings"] or "")]

        rows = wait_for(warned, 90, "a row on the product that says the price warning")
        assert all(row["kind"] == "processed" and row["product_id"] for row in rows), rows
        assert code in "\n".join(row["warnings"] for row in rows), "naming the variant"
        every = timeline(shop, [("product_tmpl_id", "=", template["id"])])
        events = [row["event_id"][0] for row in every if row["event_id"]]
        assert len(events) == len(set(events)), "one row per event"
        assert {row["create_uid"][1] for row in every} == {shop.odoo.worker_login}, "the workers"
    finally:
        shop.odoo.set_param(PRICELIST_PARAM, before or "")


def test_a_customer_event_leaves_a_row_on_the_contact(shop: Shop) -> None:
    email = f"tl-{uuid.uuid4().hex[:8]}@example.org"
    customer = shop.store.rest(
        "POST",
        "/customers",
        {"email": email, "first_name": "Tilda", "last_name": "Lines"},
    )

    def created() -> list[dict]:
        partners = shop.odoo.search_read("res.partner", [("email", "=", email)], ["id"])
        rows = partners and timeline(shop, [("partner_id", "=", partners[0]["id"])])
        return [
            row for row in rows or [] if f"Customer {customer['id']} created as" in row["message"]
        ]

    [row] = wait_for(created, 90, "the customer's row on the contact")
    assert (row["kind"], row["create_uid"][1]) == ("processed", shop.odoo.worker_login), row
