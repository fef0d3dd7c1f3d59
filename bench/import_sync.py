"""First-sync measurement (not a test): an import started in Odoo reads a big shop from a
WooCommerce stand-in through the workers into a real Odoo, and this times it.

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.import_sync --products 5000 --sizes 4 --customers 4000 \
        --orders 10000 --workers 2

Odoo runs as deployed, with `--odoo-workers` worker processes (2; 0 for its threaded server).
The shop: `--products` variable products (T-shirts in `--sizes` sizes, so products × sizes
variations), each in one of 12 categories of a two-level tree; `--customers` registered
customers; `--orders` completed orders of two variations each, by those customers. The stand-in
serves them over HTTP as WooCommerce's REST API does (paged by modification time). Odoo has
nothing of it beforehand, WooCommerce is master of product data.

The run is what an operator does: Integration › Configuration › Imports › New › Start. It
prints when the reading ended and when the last event was applied, events a second, the peak
memory of each kind of process, Redis's own peak of data and the longest the events queue
got, and checks that Odoo has one template per product, one variant
per variation, one partner per customer and one confirmed sale order per order, with nothing
failed.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from copy import deepcopy
from pathlib import Path

from redis import Redis
from rq import Queue

from bench import odoo_installation
from bench.soak import Peaks
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from tests.fake_woo import FakeWoo
from tests.odoo_server import ADMIN_PASSWORD, ADMIN_UID, OdooServer
from tests.processes import (
    PROCESS_MARKER_VARIABLE,
    WorkerProcess,
    processes_marked,
    relay_environment,
)
from tests.redis_server import RedisServer
from tests.woo import example_payload

SIZES = ["XS", "S", "M", "L", "XL", "XXL"]


def moment(n: int) -> str:
    """The n-th second of 2025: every record its own modification second."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(1735689600 + n))


def categories() -> dict[int, dict]:
    tree = {1: {"id": 1, "name": "Clothing", "parent": 0}}
    for n in range(2, 14):
        tree[n] = {"id": n, "name": f"Shirts {n}", "parent": 1}
    return tree


def catalog(products: int, sizes: int) -> tuple[list[dict], dict[int, list[dict]]]:
    variation = example_payload("woo.product.updated")
    variable, variations = [], {}
    options = SIZES[:sizes]
    for n in range(products):
        woo_id = 100_000 + n * 10
        variable.append(
            {
                "id": woo_id,
                "name": f"Shirt {n}",
                "type": "variable",
                "status": "publish",
                "sku": f"SHIRT-{n}",
                "price": "20.00",
                "regular_price": "",
                "sale_price": "",
                "date_modified_gmt": moment(n),
                "manage_stock": False,
                "categories": [{"id": 2 + n % 12, "name": f"Shirts {2 + n % 12}"}],
                "attributes": [
                    {"id": 2, "name": "Size", "variation": True, "options": options},
                ],
                "meta_data": [],
            }
        )
        variations[woo_id] = [
            deepcopy(variation)
            | {
                "id": woo_id + 1 + k,
                "parent_id": woo_id,
                "name": f"Shirt {n} - {size}",
                "sku": f"SHIRT-{n}-{size}",
                "price": f"{20 + k:.2f}",
                "regular_price": f"{20 + k:.2f}",
                "date_modified_gmt": moment(n),
                "attributes": [{"id": 2, "name": "Size", "option": size}],
            }
            for k, size in enumerate(options)
        ]
    return variable, variations


def people(count: int, offset: int) -> list[dict]:
    base = example_payload("woo.customer.updated")
    customers = []
    for n in range(count):
        email = f"import-{n}@example.com"
        customer = deepcopy(base) | {
            "id": 1000 + n,
            "email": email,
            "first_name": "Kim",
            "last_name": f"Import {n}",
            "date_modified_gmt": moment(offset + n),
        }
        customer["billing"] |= {"email": email, "first_name": "Kim", "last_name": f"Import {n}"}
        customers.append(customer)
    return customers


def order_book(
    count: int, customers: list[dict], variations: dict[int, list[dict]], offset: int
) -> list[dict]:
    base = example_payload("woo.order.updated")
    sold = [item for items in variations.values() for item in items]
    orders = []
    for n in range(count):
        customer = customers[n % len(customers)]
        lines = [sold[(n * 7 + k * 13) % len(sold)] for k in range(2)]
        total = sum(float(line["price"]) for line in lines)
        order = deepcopy(base) | {
            "id": 500_000 + n,
            "number": str(500_000 + n),
            "status": "completed",
            "customer_id": customer["id"],
            "billing": customer["billing"],
            "date_modified_gmt": moment(offset + n),
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "tax_lines": [],
            "refunds": [],
            "total": f"{total:.2f}",
            "total_tax": "0.00",
            "line_items": [
                {
                    "id": 2 * n + k + 1,
                    "name": line["name"],
                    "product_id": line["parent_id"],
                    "variation_id": line["id"],
                    "quantity": 1,
                    "sku": line["sku"],
                    "price": float(line["price"]),
                    "subtotal": line["price"],
                    "subtotal_tax": "0.00",
                    "total": line["price"],
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
                for k, line in enumerate(lines)
            ],
        }
        orders.append(order)
    return orders


def count(odoo: OdooServer, model: str, domain: list) -> int:
    return odoo.execute(model, "search_count", domain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--sizes", type=int, default=4, help="variations per product (≤ 6)")
    parser.add_argument("--customers", type=int, default=4000)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--odoo-workers", type=int, default=2, help="Odoo's worker processes")
    args = parser.parse_args()
    installation = odoo_installation()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))

    variable, variations = catalog(args.products, args.sizes)
    customers = people(args.customers, args.products)
    orders = order_book(args.orders, customers, variations, args.products + args.customers)
    store = FakeWoo()
    store.products, store.variations = variable, variations
    store.customers, store.orders, store.categories = customers, orders, categories()
    store.start()
    odoo = OdooServer(installation, workdir)
    redis_server = RedisServer(workdir)
    workers: list[WorkerProcess] = []
    peaks = Peaks()
    stop_sampling = threading.Event()
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        odoo.start(workers=args.odoo_workers)
        # As an operator does: Settings › Integration, the store's URL and WooCommerce as
        # master of product data, saved (which makes the store's record).
        values = {"elitaco_store_url": store.url, "elitaco_product_master": "woo"}
        admin = (ADMIN_UID, ADMIN_PASSWORD, "res.config.settings")
        settings = odoo._execute_kw(*admin, "create", (values,), {})
        odoo._execute_kw(*admin, "execute", ([settings],), {})
        redis_server.start()
        env = relay_environment(
            redis_server.url,
            workdir / "spool",
            ODOO_URL=odoo.url,
            ODOO_API_KEY=odoo.worker_key,
            ODOO_OUTAGE_BACKOFF_MAX="2",
            WOO_STORE_URL=store.url,
            WOO_CONSUMER_KEY=store.key,
            WOO_CONSUMER_SECRET=store.secret,
            LOG_LEVEL="WARNING",
        )
        workers = [
            WorkerProcess(env, workdir / f"worker-{n}.log", burst=False)
            for n in range(args.workers)
        ]

        events_queue = Queue("woo-events", connection=Redis.from_url(redis_server.url))
        longest_queue = 0

        def sample() -> None:
            nonlocal longest_queue
            while not stop_sampling.wait(1):
                longest_queue = max(longest_queue, events_queue.count)
                for worker in workers:
                    for pid in processes_marked(PROCESS_MARKER_VARIABLE, worker.marker):
                        peaks.sample("RQ worker" if pid == worker.pid else "work horse", pid)
                peaks.sample("redis", redis_server.process.pid)
                if odoo.process is not None:
                    peaks.sample("odoo", odoo.process.pid)

        threading.Thread(target=sample, daemon=True).start()
        events = len(variable) + sum(map(len, variations.values())) + len(customers) + len(orders)
        print(
            f"{len(variable)} products, {events - len(variable) - len(customers) - len(orders)} "
            f"variations, {len(customers)} customers, {len(orders)} orders: {events} events",
            flush=True,
        )
        [import_id] = odoo.execute("integration.import", "create", [{"store_url": store.url}])
        started = time.monotonic()
        odoo.execute("integration.import", "action_start", [import_id])
        Queue(MAINTENANCE_QUEUE, connection=Redis.from_url(redis_server.url)).enqueue(
            "relay.jobs.push_outbox"
        )
        read_at = None
        fields = ["state", "read_count", "waiting_count", "failed_count", "error"]
        while True:
            time.sleep(5)
            [run] = odoo.search_read("integration.import", [("id", "=", import_id)], fields)
            elapsed = time.monotonic() - started
            if read_at is None and run["state"] == "done":
                read_at = elapsed
                print(f"read the store in {read_at:.0f} s", flush=True)
            if run["state"] == "failed":
                raise SystemExit(f"the import failed: {run['error']}")
            if run["state"] == "done" and run["waiting_count"] == 0:
                break
            if int(elapsed) % 60 < 5:
                print(
                    f"{elapsed:5.0f} s: {run['read_count']} read, {run['waiting_count']} waiting",
                    flush=True,
                )
        applied_at = time.monotonic() - started
        stop_sampling.set()
        outcomes = {
            row["outcome"]: row["outcome_count"]
            for row in odoo.execute(
                "integration.import.line",
                "read_group",
                [("import_id", "=", import_id)],
                ["outcome"],
                ["outcome"],
            )
        }
        found = {
            "templates": count(odoo, "integration.binding", [("model", "=", "product.template")]),
            "variants": count(
                odoo,
                "product.product",
                [("product_template_attribute_value_ids", "!=", False)],
            ),
            "partners": count(odoo, "res.partner", [("email", "=like", "import-%@example.com")]),
            "orders": count(odoo, "sale.order", [("state", "=", "sale")]),
        }
        expected = {
            "templates": len(variable),
            "variants": events - len(variable) - len(customers) - len(orders),
            "partners": len(customers),
            "orders": len(orders),
        }
        print(f"\nread in {read_at:.0f} s; everything applied in {applied_at:.0f} s")
        print(f"{events / applied_at:.1f} events a second ({args.workers} workers)")
        print(f"outcomes: {outcomes}")
        print(f"in Odoo: {found}; expected {expected}")
        mib = {kind: round(kib / 1024, 1) for kind, kib in sorted(peaks.kib.items())}
        print(f"peak memory (MiB): {mib}")
        redis_peak = events_queue.connection.info("memory")["used_memory_peak"] / 2**20
        print(f"Redis: {redis_peak:.1f} MiB of data at most; {longest_queue} queued events at most")
        problems = [
            f"{key}: {found[key]} != {expected[key]}"
            for key in found
            if found[key] != expected[key]
        ]
        if outcomes.get("failed") or outcomes.get("unmatched"):
            problems.append("failed or unmatched records")
        print("problems: " + ("; ".join(problems) if problems else "none"))
    finally:
        stop_sampling.set()
        for worker in workers:
            worker.stop()
        redis_server.stop()
        odoo.stop()
        odoo.drop_database()
        store.stop()
    print(f"logs in {workdir}")


if __name__ == "__main__":
    main()
