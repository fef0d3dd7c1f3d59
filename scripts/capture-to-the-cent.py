"""Capture the orders of the to-the-cent matrix from a real WooCommerce store (as
../shared/woocommerce/setup starts one; its woo.env in the environment) into
odoo_addons/elitaco_integration/tests/data/to_the_cent.json, the module's table-driven test.

    set -a; . /tmp/store/woo.env; set +a
    REQUESTS_CA_BUNDLE=$WOO_CA_BUNDLE python scripts/capture-to-the-cent.py

Each case is made by WooCommerce itself (its coupons, fees, rates and rounding), so the test
holds Odoo to what a shop really charges. The store's tax settings are changed while it runs."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import requests

OUT = Path(__file__).resolve().parents[1] / (
    "odoo_addons/elitaco_integration/tests/data/to_the_cent.json"
)
KEPT = (
    "prices_include_tax",
    "currency",
    "discount_total",
    "discount_tax",
    "shipping_total",
    "shipping_tax",
    "cart_tax",
    "total",
    "total_tax",
    "line_items",
    "tax_lines",
    "shipping_lines",
    "fee_lines",
    "coupon_lines",
)
BUYER = {
    "first_name": "Erika",
    "last_name": "Muster",
    "email": "erika@example.com",
    "address_1": "Hauptstr. 1",
    "city": "Berlin",
    "postcode": "10115",
    "country": "DE",
}
FLAT_RATE = {"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}

session = requests.Session()
session.auth = (os.environ["WOO_CONSUMER_KEY"], os.environ["WOO_CONSUMER_SECRET"])
BASE = os.environ["WOO_STORE_URL"] + "/wp-json/wc/v3"


def rest(method: str, path: str, body: dict | None = None) -> dict:
    response = session.request(method, BASE + path, json=body, timeout=60)
    response.raise_for_status()
    return response.json()


def product(name: str, price: str, tax_class: str = "") -> int:
    return rest(
        "POST",
        "/products",
        {
            "name": name,
            "regular_price": price,
            "sku": f"CENT-{uuid.uuid4().hex[:8]}",
            "tax_class": tax_class,
        },
    )["id"]


def coupon(kind: str, amount: str) -> str:
    code = f"cent{uuid.uuid4().hex[:6]}"
    rest("POST", "/coupons", {"code": code, "discount_type": kind, "amount": amount})
    return code


def order(lines: list[tuple[int, int]], **fields) -> dict:
    body = {
        "billing": BUYER,
        "shipping": BUYER,
        "payment_method": "bacs",
        "set_paid": True,
        "line_items": [{"product_id": pid, "quantity": qty} for pid, qty in lines],
    } | fields
    made = rest("POST", "/orders", body)
    return {key: made[key] for key in KEPT}


def prices_include_tax(value: bool) -> None:
    rest("PUT", "/settings/tax/woocommerce_prices_include_tax", {"value": "yes" if value else "no"})


def round_at_subtotal(value: bool) -> None:
    rest(
        "PUT",
        "/settings/tax/woocommerce_tax_round_at_subtotal",
        {"value": "yes" if value else "no"},
    )


def vat_cases(cases: dict) -> None:
    """Gross prices with coupons over 19 % and 7 % lines, with tax rounded per line and at the
    subtotal: the VAT per rate WooCommerce charges is what the invoice must say (issue 28)."""
    prices_include_tax(True)
    socks = product("Socks", "9.99")
    mug = product("Mug", "4.99")
    book = product("Book", "12.95", "reduced-rate")
    tea = product("Tea", "3.49", "reduced-rate")
    for at_subtotal in (False, True):
        round_at_subtotal(at_subtotal)
        basis = "gross, rounded at subtotal" if at_subtotal else "gross, rounded per line"
        mixed = [(socks, 3), (mug, 2), (book, 1), (tea, 3)]
        cases[f"{basis}: two rates, 3.33 fixed-cart coupon"] = order(
            mixed, coupon_lines=[{"code": coupon("fixed_cart", "3.33")}]
        )
        cases[f"{basis}: two rates, 5.00 fixed-cart coupon, shipping"] = order(
            [(socks, 1), (mug, 1), (book, 2), (tea, 1)],
            coupon_lines=[{"code": coupon("fixed_cart", "5")}],
            shipping_lines=[FLAT_RATE],
        )
        cases[f"{basis}: two rates, 15 % coupon"] = order(
            mixed, coupon_lines=[{"code": coupon("percent", "15")}]
        )
        cases[f"{basis}: one rate, 15 % coupon"] = order(
            [(socks, 3), (mug, 1)], coupon_lines=[{"code": coupon("percent", "15")}]
        )
    round_at_subtotal(False)


def main() -> None:
    if not any(t["class"] == "reduced-rate" for t in rest("GET", "/taxes")):
        rest(
            "POST",
            "/taxes",
            {
                "country": "DE",
                "rate": "7.0000",
                "name": "MwSt. 7%",
                "class": "reduced-rate",
                "shipping": False,
            },
        )
    cases = {}
    round_at_subtotal(False)
    for included in (False, True):
        prices_include_tax(included)
        basis = "gross" if included else "net"
        socks = product("Socks", "9.99")
        book = product("Book", "12.95", "reduced-rate")
        free = product("Voucher", "15.00", "zero-rate")
        cases[f"{basis}: one rate, 3 x 9.99, taxed shipping"] = order(
            [(socks, 3)], shipping_lines=[FLAT_RATE]
        )
        cases[f"{basis}: two rates"] = order([(socks, 2), (book, 1)], shipping_lines=[FLAT_RATE])
        cases[f"{basis}: two rates, 10 % coupon"] = order(
            [(socks, 2), (book, 1)], coupon_lines=[{"code": coupon("percent", "10")}]
        )
        cases[f"{basis}: two rates, 5.00 fixed-cart coupon"] = order(
            [(socks, 1), (book, 2)], coupon_lines=[{"code": coupon("fixed_cart", "5")}]
        )
        cases[f"{basis}: one rate, a 15 % coupon and a 2.00 coupon"] = order(
            [(socks, 3)],
            coupon_lines=[{"code": coupon("percent", "15")}, {"code": coupon("fixed_cart", "2")}],
        )
        cases[f"{basis}: a taxed fee and a negative fee"] = order(
            [(socks, 2)],
            fee_lines=[
                {"name": "Gift wrap", "total": "2.50", "tax_status": "taxable"},
                {"name": "Loyalty", "total": "-3.00", "tax_status": "none"},
            ],
        )
        cases[f"{basis}: zero rate only"] = order([(free, 2)])
    vat_cases(cases)
    prices_include_tax(False)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, case in cases.items():
        print(f"{case['total']:>8} {name}")


if __name__ == "__main__":
    main()
