"""Capture the orders of the to-the-cent matrix from a real WooCommerce store (as
../shared/woocommerce/setup starts one; its woo.env in the environment) into
odoo_addons/elitaco_integration/tests/data/to_the_cent.json, the module's table-driven test,
and partial refunds of such orders into to_the_cent_refunds.json (`refunds`: only those).

    set -a; . /tmp/store/woo.env; set +a
    REQUESTS_CA_BUNDLE=$WOO_CA_BUNDLE python scripts/capture-to-the-cent.py [refunds]

Each case is made by WooCommerce itself (its coupons, fees, rates and rounding), so the test
holds Odoo to what a shop really charges. The store's tax settings are changed while it runs."""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

import requests

DATA = Path(__file__).resolve().parents[1] / "odoo_addons/elitaco_integration/tests/data"
OUT = DATA / "to_the_cent.json"
REFUNDS_OUT = DATA / "to_the_cent_refunds.json"
REFUND_KEPT = ("id", "amount", "reason", "refunded_payment", "line_items", "shipping_lines")
REFUND_KEPT += ("fee_lines", "tax_lines")
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
    return {key: placed(lines, **fields)[key] for key in KEPT}


def placed(lines: list[tuple[int, int]], **fields) -> dict:
    body = {
        "billing": BUYER,
        "shipping": BUYER,
        "payment_method": "bacs",
        "set_paid": True,
        "line_items": [{"product_id": pid, "quantity": qty} for pid, qty in lines],
    } | fields
    return rest("POST", "/orders", body)


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


def refund(made: dict, quantities: dict[str, int], shipping: bool = False) -> dict:
    """A partial refund of `made` as wp-admin makes one: each refunded line's total and tax per
    rate are its stored amounts (read at 6 decimals) times the share of its quantity, the
    shipping's in full; WooCommerce itself then totals its tax per rate. Returns the case: the
    order, its `refunds` as an order update lists them, and the refund's details as the
    workers read them (GET /orders/<id>/refunds/<refund id>)."""
    precise = session.get(f"{BASE}/orders/{made['id']}", params={"dp": 6}, timeout=60).json()
    items, total = [], 0.0
    for item in precise["line_items"] + (precise["shipping_lines"] if shipping else []):
        quantity = quantities.get(item["name"], 0) if "quantity" in item else 1
        if not quantity:
            continue
        share = quantity / item.get("quantity", 1)
        net = round(float(item["total"]) * share, 6)
        taxes = [
            {"id": tax["id"], "refund_total": f"{round(float(tax['total']) * share, 6):.6f}"}
            for tax in item["taxes"]
        ]
        total += net + sum(float(tax["refund_total"]) for tax in taxes)
        refunded = {"id": item["id"], "refund_total": f"{net:.6f}", "refund_tax": taxes}
        items.append(refunded | ({"quantity": quantity} if "quantity" in item else {}))
    body = {"amount": f"{total:.2f}", "reason": "Partial", "api_refund": False, "line_items": items}
    made_refund = rest("POST", f"/orders/{made['id']}/refunds", body)
    updated = rest("GET", f"/orders/{made['id']}")
    return {
        "order": {key: made[key] for key in KEPT},
        "refunds": updated["refunds"],
        "refund": {key: made_refund[key] for key in REFUND_KEPT},
    }


def refund_cases() -> dict:
    """Partial refunds of a gross 19 % / 7 % cart with a coupon, with the store's tax rounded
    per line and at the subtotal: each credit note's VAT per rate must be what WooCommerce
    refunded (the refund's tax_lines), as the invoice's is what it charged."""
    prices_include_tax(True)
    socks = product("Socks", "9.99")
    mug = product("Mug", "4.99")
    book = product("Book", "12.95", "reduced-rate")
    tea = product("Tea", "3.49", "reduced-rate")
    cart = [(socks, 3), (mug, 2), (book, 1), (tea, 3)]
    cases = {}
    for at_subtotal in (False, True):
        round_at_subtotal(at_subtotal)
        basis = "gross, rounded at subtotal" if at_subtotal else "gross, rounded per line"
        fixed = placed(
            cart,
            coupon_lines=[{"code": coupon("fixed_cart", "3.33")}],
            shipping_lines=[FLAT_RATE],
        )
        cases[f"{basis}: 3.33 fixed-cart coupon, a mug, the book and a tea refunded"] = refund(
            fixed, {"Mug": 1, "Book": 1, "Tea": 1}
        )
        percent = placed(cart, coupon_lines=[{"code": coupon("percent", "15")}])
        cases[f"{basis}: 15 % coupon, a pair of socks and a mug refunded"] = refund(
            percent, {"Socks": 1, "Mug": 1}
        )
        shipped = placed(
            cart,
            coupon_lines=[{"code": coupon("percent", "15")}],
            shipping_lines=[FLAT_RATE],
        )
        cases[f"{basis}: 15 % coupon, two socks, two teas and the shipping refunded"] = refund(
            shipped, {"Socks": 2, "Tea": 2}, shipping=True
        )
    round_at_subtotal(False)
    prices_include_tax(False)
    return cases


def main() -> None:
    if sys.argv[1:] == ["refunds"]:
        ensure_reduced_rate()
        write(REFUNDS_OUT, refund_cases())
        return
    ensure_reduced_rate()
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
    write(OUT, cases)
    write(REFUNDS_OUT, refund_cases())


def ensure_reduced_rate() -> None:
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


def write(path: Path, cases: dict) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, case in cases.items():
        print(f"{case.get('total') or case['refund']['amount']:>8} {name}")


if __name__ == "__main__":
    main()
