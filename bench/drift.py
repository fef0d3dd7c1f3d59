"""Drift measurement (not a test): `python -m relay drift` compares a big shop, served by the
WooCommerce stand-in, with a real Odoo that has the same shop, and this times it.

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.drift --products 5000 --variable 500 --sizes 4 --orders 10000

The shop: `--products` simple products; `--variable` variable products of `--sizes`
variations each; `--orders` pending orders of one simple product each. Odoo gets the same shop
written straight into its database (an import of it through the pipeline takes over an hour,
docs/performance.md): products, variants and orders, each bound to its WooCommerce id. A few
differences are planted on purpose (`--planted` of each kind: price, stock, status, total, an
order missing in Odoo, a product bound to nothing); the run must find exactly those.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import odoo_installation
from tests.fake_woo import FakeWoo
from tests.odoo_server import OdooServer
from tests.processes import ROOT, relay_environment
from tests.redis_server import RedisServer

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
MODIFIED = "2026-06-01T10:00:00"

# Written in `odoo shell`: the shop of the stand-in, as an import would have left it, bound.
SEED_SCRIPT = """
import json, time
from odoo import Command
spec = json.loads(SPEC)
store = spec["store"]
started = time.monotonic()
products = env["product.product"].create([
    {"name": f"Mug {n}", "default_code": f"MUG-{n}", "list_price": 10 + n % 50,
     "is_storable": True, "taxes_id": [Command.clear()]}
    for n in range(spec["products"])
])
size = env["product.attribute"].create({"name": "Drift size", "create_variant": "always",
    "value_ids": [Command.create({"name": name}) for name in spec["sizes"]]})
templates = env["product.template"].create([
    {"name": f"Shirt {n}", "list_price": 20, "is_storable": True, "taxes_id": [Command.clear()],
     "attribute_line_ids": [Command.create({"attribute_id": size.id,
                                            "value_ids": [Command.set(size.value_ids.ids)]})]}
    for n in range(spec["variable"])
])
rows = [("product.product", 100000 + n, product.id, 0) for n, product in enumerate(products)]
for n, template in enumerate(templates):
    parent = 300000 + n * 10
    rows.append(("product.template", parent, template.id, 0))
    for k, variant in enumerate(template.product_variant_ids.sorted("id")):
        variant.default_code = f"SHIRT-{n}-{k}"
        rows.append(("product.product", parent + 1 + k, variant.id, parent))
partner = env["res.partner"].create({"name": "Drift buyer"})
orders = env["sale.order"].create([
    {"partner_id": partner.id, "woo_order_id": 500000 + n, "woo_store": store,
     "woo_status": "pending",
     "order_line": [Command.create({"product_id": products[n % len(products)].id,
                                    "product_uom_qty": 1,
                                    "price_unit": 10 + (n % len(products)) % 50,
                                    "tax_id": [Command.clear()]})]}
    for n in range(spec["orders"])
])
rows += [("sale.order", order.woo_order_id, order.id, 0) for order in orders]
env.cr.execute("UPDATE sale_order SET woo_date_modified = %s WHERE id IN %s",
               (spec["modified"], tuple(orders.ids)))
env.cr.executemany(
    "INSERT INTO integration_binding (store, model, external_id, res_id, woo_parent_id, "
    "sync_date, create_date, write_date, create_uid, write_uid) "
    "VALUES (%s, %s, %s, %s, %s, now(), now(), now(), 1, 1)",
    [(store,) + row for row in rows],
)
env.cr.commit()
print("SEEDED", json.dumps({"seconds": round(time.monotonic() - started),
                            "bindings": len(rows)}))
"""


def woo_shop(args: argparse.Namespace) -> tuple[list[dict], dict[int, list[dict]], list[dict]]:
    """The stand-in's products, variations and orders, as Odoo is seeded with them."""
    products = [
        {
            "id": 100000 + n,
            "type": "simple",
            "name": f"Mug {n}",
            "sku": f"MUG-{n}",
            "status": "publish",
            "price": f"{10 + n % 50:.2f}",
            "regular_price": f"{10 + n % 50:.2f}",
            "manage_stock": True,
            "stock_quantity": 0,
            "date_modified_gmt": MODIFIED,
        }
        for n in range(args.products)
    ]
    variations: dict[int, list[dict]] = {}
    for n in range(args.variable):
        parent = 300000 + n * 10
        products.append(
            {
                "id": parent,
                "type": "variable",
                "name": f"Shirt {n}",
                "sku": "",
                "status": "publish",
                "price": "20.00",
                "regular_price": "",
                "manage_stock": False,
                "stock_quantity": None,
                "date_modified_gmt": MODIFIED,
            }
        )
        variations[parent] = [
            {
                "id": parent + 1 + k,
                "type": "variation",
                "name": f"Shirt {n} - {SIZES[k]}",
                "sku": f"SHIRT-{n}-{k}",
                "status": "publish",
                "price": "20.00",
                "regular_price": "20.00",
                "manage_stock": True,
                "stock_quantity": 0,
                "date_modified_gmt": MODIFIED,
            }
            for k in range(args.sizes)
        ]
    orders = [
        {
            "id": 500000 + n,
            "number": str(500000 + n),
            "status": "pending",
            "currency": "EUR",
            "total": f"{10 + (n % args.products) % 50:.2f}",
            "total_tax": "0.00",
            "date_modified_gmt": MODIFIED,
        }
        for n in range(args.orders)
    ]
    return products, variations, orders


def plant(
    products: list[dict], variations: dict[int, list[dict]], orders: list[dict], count: int
) -> dict[str, int]:
    """Differences made on purpose on the WooCommerce side: how many of each kind."""
    for n in range(count):
        products[n]["price"] = products[n]["regular_price"] = "99.99"
        products[count + n]["stock_quantity"] = 7
        orders[n]["status"] = "cancelled"
        orders[count + n]["total"] = "1000.00"
    first_parent = next(iter(variations), None)
    if first_parent is not None:
        variations[first_parent][0]["price"] = "21.00"
    orders += [
        dict(orders[0], id=900000 + n, number=str(900000 + n), status="pending")
        for n in range(count)
    ]
    products += [
        dict(products[0], id=800000 + n, sku=f"UNBOUND-{n}", price="10.00", stock_quantity=0)
        for n in range(count)
    ]
    return {
        "price": count + (1 if first_parent is not None else 0),
        "stock": count,
        "order_status": count,
        "order_total": count,
        "order_missing_odoo": count,
        "product_missing_odoo": count,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--variable", type=int, default=500)
    parser.add_argument("--sizes", type=int, default=4, help="variations per product (≤ 6)")
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--planted", type=int, default=5)
    args = parser.parse_args()
    installation = odoo_installation()
    workdir = Path(tempfile.mkdtemp(prefix="bench-drift-"))
    products, variations, orders = woo_shop(args)
    planted = plant(products, variations, orders, args.planted)
    store = FakeWoo()
    store.products, store.variations, store.orders = products, variations, orders
    store.start()
    odoo = OdooServer(installation, workdir)
    redis_server = RedisServer(workdir)
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        spec = {
            "store": store.store,
            "products": args.products,
            "variable": args.variable,
            "sizes": SIZES[: args.sizes],
            "orders": args.orders,
            "modified": MODIFIED.replace("T", " "),
        }
        print("seeding Odoo with the same shop ...", flush=True)
        output = odoo._shell(f"SPEC = {json.dumps(spec)!r}\n" + SEED_SCRIPT)
        seeded = next(line for line in output.splitlines() if line.startswith("SEEDED"))
        print(seeded, flush=True)
        odoo.start()
        odoo.set_param("elitaco_integration.store_url", store.url)
        redis_server.start()
        env = relay_environment(
            redis_server.url,
            workdir / "spool",
            ODOO_URL=odoo.url,
            ODOO_API_KEY=odoo.worker_key,
            WOO_STORE_URL=store.url,
            WOO_CONSUMER_KEY=store.key,
            WOO_CONSUMER_SECRET=store.secret,
            LOG_LEVEL="WARNING",
        )
        store.requests.clear()
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "relay", "drift", "--since", "2026-01-01T00:00:00"],
            env=env | {"PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        print(run.stdout, run.stderr, sep="\n")
        [result] = odoo.search_read(
            "integration.drift",
            [],
            ["order_count", "product_count", "variation_count", "drift_count", "state"],
        )
        found = {
            row["kind"]: row["kind_count"]
            for row in odoo.execute("integration.drift.line", "read_group", [], ["kind"], ["kind"])
        }
        variations_count = sum(map(len, variations.values()))
        print(
            f"\ncompared {result['order_count']} orders, {result['product_count']} products, "
            f"{result['variation_count']} variations in {seconds:.1f} s "
            f"({len(store.requests)} requests to the store)"
        )
        print(
            f"store: {len(orders)} orders, {len(products)} products, {variations_count} variations"
        )
        print(f"found: {found}")
        print(f"planted: {planted}")
        print("problems: " + ("none" if found == planted else "found != planted"))
    finally:
        redis_server.stop()
        odoo.stop()
        odoo.drop_database()
        store.stop()
    print(f"logs in {workdir}")


if __name__ == "__main__":
    main()
