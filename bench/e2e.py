"""End-to-end benchmark (not a test): the same WooCommerce orders made three ways in one fresh
Odoo 18 with sale_management, sale_stock and elitaco_integration.

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.e2e --orders 100 --workers 1 2 4 --odoo-workers 0 2

- naive connector: what the usual connectors do over XML-RPC, one order at a time, as the
  Integration User with its API key: search the partner, create it if missing, search each of
  the 3 products by SKU, create the order, confirm it (7 calls for a new customer, 6 for a
  returning one);
- ORM limit: the same orders created and confirmed in-process (`odoo-bin shell`), one
  transaction each: what one Odoo worker can do at best (a partner of a name and an e-mail and
  a confirmed sale order, as the superuser);
- ORM limit of the same records (measured in the project rows' rounds): what the module books
  for each order (the customer's address, a delivery contact, both on the order), made in the
  shell as the Integration User: Odoo's own cost of the module's result under the workers' rights;
- this project: signed WooCommerce webhooks (8 concurrent senders) -> relay -> Redis -> K RQ
  workers -> the module, for each K and each Odoo `--workers` setting (after 20 orders that warm
  Odoo's processes up, not measured); from the first POST until every event is processed.

This machine's speed drifts by a third within minutes, so each project row is measured in
`--rounds` rounds that alternate with the ORM limit's: in each round, a slice of the ORM
limit's orders in `odoo-bin shell` (after 3 orders that warm the shell's caches, not measured),
the same slice as the same records' ORM limit, then the same slice of the project's orders
through the relay and workers (started once for the row; they and Odoo's server wait idle while
the shell runs). A row's ratio is its orders/s over the ORM limit's in the same rounds, so
drift affects both sides alike; the table also shows each round's ratio and the ratio to the
one ORM limit measured at the start.

Each way gets the same orders under its own WooCommerce ids (3 lines, every other customer
from the 11th order on a returning one, of the order 11 before). Reports orders/s, the ratios
to the other ways, Odoo's CPU time per order (user + system of Odoo's whole process group),
and what a duplicate delivery costs: Odoo's CPU and the worker's wall time for the same
envelopes sent again, and whether any sale order was written.
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import xmlrpc.client
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import requests
from redis import Redis
from rq.registry import FinishedJobRegistry

from bench import odoo_installation
from relay.clients.odoo import OdooClient
from relay.config import OdooConfig
from tests.odoo_server import OdooServer
from tests.processes import RelayServer, WorkerProcess, relay_environment
from tests.woo import example_payload, woo_delivery

SECRET = "bench-secret-0123456789"
REDIS_URL = "redis://127.0.0.1:6379/12"
SKUS = ("BENCH-SHIRT", "BENCH-SOCKS", "BENCH-MUG")
RETURNING_AFTER = 11  # a returning customer's order comes this many orders after their last
TICKS = os.sysconf("SC_CLK_TCK")
ORM_WARM_UP = 3  # orders each round's new `odoo-bin shell` makes before it is measured
SAME_RECORDS_OFFSET = 4_000_000  # the same records' ORM limit: its orders' ids over the limit's

# Runs in `odoo-bin shell`: the ORM limit. Reads the orders from ORDERS_PATH, prints the time.
ORM_SCRIPT = """
import json, time
orders = json.load(open(ORDERS_PATH))
started, cpu = time.perf_counter(), time.process_time()
for n, data in enumerate(orders):
    if n == WARM_UP:  # the orders before are not measured: they fill this new process's caches
        started, cpu = time.perf_counter(), time.process_time()
    partner = env["res.partner"].search([("email", "=", data["billing"]["email"])], limit=1)
    if not partner:
        partner = env["res.partner"].create(
            {"name": data["billing"]["first_name"], "email": data["billing"]["email"]}
        )
    lines = []
    for item in data["line_items"]:
        product = env["product.product"].search([("default_code", "=", item["sku"])], limit=1)
        lines.append((0, 0, {"product_id": product.id, "product_uom_qty": item["quantity"],
                             "price_unit": float(item["subtotal"]) / item["quantity"]}))
    order = env["sale.order"].create({"partner_id": partner.id, "order_line": lines,
                                      "client_order_ref": str(data["id"])})
    order.action_confirm()
    env.cr.commit()
print("ELITACO_ORM_SECONDS", time.perf_counter() - started, time.process_time() - cpu)
"""
AS_INTEGRATION_USER = "env = env(user=env['res.users'].search([('login', '=', WORKER)]).id)\n"
# The ORM limit of what the module books for an order, made directly as the workers' user: the
# customer with its address, a delivery contact for a shipping address that differs, the sale
# order with both addresses and no tax (as the orders' WooCommerce taxes), confirmed. Odoo's own
# cost of the same result and rights, without the ledger, timeline, bindings and checks.
SAME_RECORDS_SCRIPT = """
import json, time
orders = json.load(open(ORDERS_PATH))
partners = env["res.partner"]
country = env["res.country"].search([("code", "=", "DE")], limit=1)
state = env["res.country.state"].search([("country_id", "=", country.id), ("code", "=", "NW")])
started, cpu = time.perf_counter(), time.process_time()

def address(values):
    return {"street": values["address_1"], "street2": values["address_2"] or False,
            "city": values["city"], "zip": values["postcode"], "country_id": country.id,
            "state_id": state.id}

for n, data in enumerate(orders):
    if n == WARM_UP:  # the orders before are not measured: they fill this new process's caches
        started, cpu = time.perf_counter(), time.process_time()
    billing, shipping = data["billing"], data["shipping"]
    name = f"{billing['first_name']} {billing['last_name']}"
    partner = partners.search([("email", "=", billing["email"]), ("type", "=", "contact")],
                              limit=1)
    if not partner:
        partner = partners.create(
            {"name": name, "email": billing["email"], "phone": billing["phone"]} | address(billing))
    delivery = partner.child_ids.filtered(
        lambda child: child.type == "delivery" and child.street == shipping["address_1"])[:1]
    if not delivery:
        delivery = partners.with_context(mail_create_nolog=True).create(
            {"name": name, "type": "delivery", "parent_id": partner.id} | address(shipping))
    lines = []
    for item in data["line_items"]:
        product = env["product.product"].search([("default_code", "=", item["sku"])], limit=1)
        lines.append((0, 0, {"product_id": product.id, "product_uom_qty": item["quantity"],
                             "price_unit": float(item["subtotal"]) / item["quantity"],
                             "tax_id": [(6, 0, [])]}))
    order = env["sale.order"].with_context(mail_create_nosubscribe=True).create({
        "partner_id": partner.id, "partner_invoice_id": partner.id,
        "partner_shipping_id": delivery.id, "order_line": lines,
        "client_order_ref": str(data["id"])})
    order.action_confirm()
    env.cr.commit()
print("ELITACO_ORM_SECONDS", time.perf_counter() - started, time.process_time() - cpu)
"""


@dataclass
class Result:
    way: str
    orders: int
    seconds: float
    odoo_cpu_seconds: float
    limit: Result | None = None  # the ORM limit measured in the rounds of this row
    rounds: list[tuple[Result, Result]] = field(default_factory=list)  # (ORM limit, row)
    same_records: Result | None = None  # the same records' ORM limit in the rounds of this row
    same_records_rounds: list[Result] = field(default_factory=list)

    @classmethod
    def summed(cls, results: list[Result]) -> Result:
        return cls(
            results[0].way,
            sum(result.orders for result in results),
            sum(result.seconds for result in results),
            sum(result.odoo_cpu_seconds for result in results),
        )

    @classmethod
    def of_rounds(cls, rounds: list[tuple[Result, Result]]) -> Result:
        """The row over all its rounds, against the ORM limit over the same rounds."""
        row = cls.summed([row for _limit, row in rounds])
        row.limit = cls.summed([limit for limit, _row in rounds])
        row.rounds = rounds
        return row

    @property
    def per_second(self) -> float:
        return self.orders / self.seconds

    @property
    def cpu_ms_per_order(self) -> float:
        return 1000 * self.odoo_cpu_seconds / self.orders


def make_products(odoo: OdooServer) -> None:
    """The orders' products, unless this Odoo has them already."""
    for sku in SKUS:
        if not odoo.execute("product.product", "search_count", [("default_code", "=", sku)]):
            odoo.execute(
                "product.product", "create", {"name": sku, "default_code": sku, "list_price": 5}
            )


def make_orders(count: int, first_id: int) -> list[dict]:
    """`count` orders of 3 lines (no tax: the three ways book the same amounts), every other
    one (from the 11th on) by the customer of an earlier order."""
    base = example_payload("woo.order.updated")
    orders = []
    for n in range(count):
        # Odd orders from the 11th on: the customer of the order 11 before. (The customer of
        # the order just before would make two workers wait on one customer's lock nearly
        # every time, which a shop sees only when one person orders twice within a second.)
        customer = n - RETURNING_AFTER if n % 2 and n >= RETURNING_AFTER else n
        order = deepcopy(base)
        order |= {
            "id": first_id + n,
            "number": str(first_id + n),
            "customer_id": 0,
            "status": "processing",
            "billing": base["billing"] | {"email": f"bench-{first_id}-{customer}@example.com"},
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
            "tax_lines": [],
            "total": "30.00",
            "total_tax": "0.00",
            "line_items": [
                {
                    "id": 10 * n + k + 1,
                    "name": sku,
                    "product_id": 0,
                    "variation_id": 0,
                    "quantity": 1 + k,
                    "sku": sku,
                    "subtotal": f"{(1 + k) * 5:.2f}",
                    "subtotal_tax": "0.00",
                    "total": f"{(1 + k) * 5:.2f}",
                    "total_tax": "0.00",
                    "taxes": [],
                    "meta_data": [],
                }
                for k, sku in enumerate(SKUS)
            ],
        }
        orders.append(order)
    return orders


def renamed(data: dict) -> dict:
    """The same order under another id and its customer's e-mail under another name, so that
    the same records' ORM limit makes the same new and returning customers anew."""
    email = data["billing"]["email"]
    return data | {
        "id": data["id"] + SAME_RECORDS_OFFSET,
        "billing": data["billing"] | {"email": f"alike-{email}"},
    }


def odoo_cpu_seconds(odoo: OdooServer) -> float:
    """User + system time of the live processes of Odoo's group (its prefork workers included;
    not what exited processes left their parent: see docs/performance.md on the gevent
    process)."""
    group = os.getpgid(odoo.process.pid)
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def naive(odoo: OdooServer, orders: list[dict]) -> Result:
    proxy = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
    common = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common")
    uid = common.authenticate(odoo.db, odoo.worker_login, odoo.worker_key, {})

    def call(model: str, method: str, *args, **kwargs):
        return proxy.execute_kw(odoo.db, uid, odoo.worker_key, model, method, list(args), kwargs)

    cpu = odoo_cpu_seconds(odoo)
    started = time.perf_counter()
    for data in orders:
        email = data["billing"]["email"]
        partner = call("res.partner", "search", [("email", "=", email)], limit=1)
        if not partner:
            partner = [call("res.partner", "create", {"name": "Bench", "email": email})]
        lines = []
        for item in data["line_items"]:
            [product] = call("product.product", "search", [("default_code", "=", item["sku"])])
            price = float(item["subtotal"]) / item["quantity"]
            lines.append(
                (
                    0,
                    0,
                    {
                        "product_id": product,
                        "product_uom_qty": item["quantity"],
                        "price_unit": price,
                    },
                )
            )
        order = call(
            "sale.order",
            "create",
            {"partner_id": partner[0], "order_line": lines, "client_order_ref": str(data["id"])},
        )
        call("sale.order", "action_confirm", [order])
    return Result(
        "naive connector (XML-RPC)",
        len(orders),
        time.perf_counter() - started,
        odoo_cpu_seconds(odoo) - cpu,
    )


def orm_limit(
    odoo: OdooServer,
    orders: list[dict],
    workdir: Path,
    warm_up: int = 0,
    same_records: bool = False,
) -> Result:
    """`orders` in a new `odoo-bin shell`, the first `warm_up` of them not measured;
    `same_records`: the module's records as the Integration User (SAME_RECORDS_SCRIPT)."""
    path = workdir / "orm-orders.json"
    path.write_text(json.dumps(orders))
    prelude = f"ORDERS_PATH = {str(path)!r}\nWARM_UP = {warm_up}\nWORKER = {odoo.worker_login!r}\n"
    script = AS_INTEGRATION_USER + SAME_RECORDS_SCRIPT if same_records else ORM_SCRIPT
    output = odoo._shell(prelude + script)
    line = next(line for line in output.splitlines() if line.startswith("ELITACO_ORM_SECONDS"))
    seconds, cpu = (float(value) for value in line.split()[1:])
    way = "ORM limit of the same records" if same_records else "ORM limit (odoo-bin shell)"
    return Result(way, len(orders) - warm_up, seconds, cpu)


class Pipeline:
    """The relay and `workers` RQ workers, started once for any number of `run`s."""

    def __init__(
        self,
        odoo: OdooServer,
        workers: int,
        odoo_workers: int,
        workdir: Path,
        redis_url: str = REDIS_URL,
    ) -> None:
        self.odoo = odoo
        self.way = f"project: {workers} RQ worker(s), Odoo --workers {odoo_workers}"
        self.redis = Redis.from_url(redis_url)
        self.env = relay_environment(
            redis_url,
            workdir / f"spool-{workers}-{odoo_workers}",
            WOO_WEBHOOK_SECRET=SECRET,
            ODOO_URL=odoo.url,
            ODOO_API_KEY=odoo.worker_key,
            ODOO_READ_API_KEY=odoo.reader_key,
            LOG_LEVEL="WARNING",
        )
        self.workers = workers
        self.workdir = workdir
        self.relay: RelayServer | None = None
        self.pool: list[WorkerProcess] = []

    def __enter__(self) -> Self:
        self.redis.flushdb()
        try:
            self.relay = RelayServer(self.env, self.workdir / "relay.log")
            for n in range(self.workers):
                log = self.workdir / f"worker-{n}.log"
                self.pool.append(WorkerProcess(self.env, log, ("woo-events",), burst=False))
        except BaseException:
            self.__exit__()
            raise
        time.sleep(2)  # the workers are up and waiting
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.relay:
            self.relay.stop()
        for worker in self.pool:
            worker.stop()
        self.redis.flushdb()

    def run(self, orders: list[dict]) -> tuple[Result, list[dict]]:
        """Every order as a signed order.updated; the result, and the envelopes Odoo got."""
        deliveries = [woo_delivery("order.updated", data, SECRET) for data in orders]
        finished = FinishedJobRegistry("woo-events", connection=self.redis)
        expected = finished.count + len(orders)
        cpu = odoo_cpu_seconds(self.odoo)
        started = time.perf_counter()

        def send(delivery) -> dict:
            response = requests.post(
                f"{self.relay.url}/webhook/woo",
                data=delivery.body,
                headers=delivery.headers,
                timeout=30,
            )
            response.raise_for_status()
            return response.json()

        with ThreadPoolExecutor(8) as senders:
            accepted = list(senders.map(send, deliveries))
        refused = [answer for answer in accepted if not answer.get("event_id")]
        if refused:
            raise RuntimeError(f"{len(refused)} deliveries not enqueued, e.g. {refused[0]}")
        while finished.count < expected:  # Redis, so that waiting puts no load on Odoo
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"{expected - finished.count} events unfinished after 10 min")
            # 10 ms: a round of 25 orders takes about 3 s, and a 50 ms wait added 25 ms to each
            # (1 %) on average.
            time.sleep(0.01)
        seconds = time.perf_counter() - started
        result = Result(self.way, len(orders), seconds, odoo_cpu_seconds(self.odoo) - cpu)
        ids = [data["id"] for data in orders]
        confirmed = self.odoo.execute(
            "sale.order", "search_count", [("woo_order_id", "in", ids), ("state", "=", "sale")]
        )
        if confirmed != len(orders):
            raise RuntimeError(f"{confirmed} of {len(orders)} orders confirmed in Odoo")
        event_ids = [answer["event_id"] for answer in accepted]
        envelopes = [
            event["payload"]
            for event in self.odoo.search_read(
                "integration.event", [("event_id", "in", event_ids)], ["payload"]
            )
        ]
        return result, envelopes


def project(
    odoo: OdooServer,
    orders: list[dict],
    workers: int,
    odoo_workers: int,
    workdir: Path,
    on_finished: Callable[[Redis], None] | None = None,
) -> tuple[Result, list[dict]]:
    """`orders` through a pipeline of their own; `on_finished` may read RQ's jobs before Redis
    is emptied."""
    with Pipeline(odoo, workers, odoo_workers, workdir) as pipeline:
        result, envelopes = pipeline.run(orders)
        if on_finished:
            on_finished(pipeline.redis)
    return result, envelopes


def duplicate_cost(odoo: OdooServer, envelopes: list[dict]) -> dict:
    """The same envelopes handed to Odoo again, as a worker would after a redelivery."""
    client = OdooClient(OdooConfig(odoo.url, odoo.worker_key))
    written = odoo.execute(
        "sale.order", "search_read", [], ["write_date"], order="write_date desc", limit=1
    )
    cpu = odoo_cpu_seconds(odoo)
    started = time.perf_counter()
    statuses = [client.process_event(envelope)["status"] for envelope in envelopes]
    seconds = time.perf_counter() - started
    cpu_used = odoo_cpu_seconds(odoo) - cpu
    after = odoo.execute(
        "sale.order", "search_read", [], ["write_date"], order="write_date desc", limit=1
    )
    return {
        "duplicates": len(envelopes),
        "all_duplicate": set(statuses) == {"duplicate"},
        "odoo_cpu_ms": 1000 * cpu_used / len(envelopes),
        "wall_ms": 1000 * seconds / len(envelopes),
        "sale_orders_written": written != after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--odoo-workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--rounds", type=int, default=4, help="ORM limit and row alternations")
    args = parser.parse_args()
    installation = odoo_installation()
    workdir = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    odoo = OdooServer(installation, workdir)
    results: list[Result] = []
    duplicates = {}
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        odoo.start()
        make_products(odoo)
        first_id = 1_000_000
        results.append(naive(odoo, make_orders(args.orders, first_id)))
        print(results[-1], flush=True)
        odoo.stop()
        limit = orm_limit(odoo, make_orders(args.orders, first_id + 100_000), workdir)
        results[0].limit = limit
        results.append(limit)
        print(limit, flush=True)
        for n, odoo_workers in enumerate(args.odoo_workers):
            odoo.start(workers=odoo_workers)
            # Not measured: Odoo's processes load the registry on their first requests.
            project(odoo, make_orders(20, first_id + 900_000 + 1000 * n), 2, odoo_workers, workdir)
            for m, workers in enumerate(args.workers):
                row = n * len(args.workers) + m
                result, envelopes = paired_rounds(
                    odoo,
                    make_orders(args.orders, first_id + 200_000 * (1 + n) + 10_000 * m),
                    make_orders(args.orders, first_id + 100_000 + 10_000 * (row + 1)),
                    workers,
                    odoo_workers,
                    args.rounds,
                    workdir,
                )
                results.append(result)
                print(result.way, result.per_second, result.limit.per_second, flush=True)
                if not duplicates:  # after the first row, with its Odoo
                    duplicates = duplicate_cost(odoo, envelopes[:50])
            odoo.stop()
    finally:
        odoo.stop()
        odoo.drop_database()
    report(results, duplicates)


def paired_rounds(
    odoo: OdooServer,
    orders: list[dict],
    orm_orders: list[dict],
    workers: int,
    odoo_workers: int,
    rounds: int,
    workdir: Path,
    redis_url: str = REDIS_URL,
) -> tuple[Result, list[dict]]:
    """`orders` through the project in `rounds` slices, each right after the same slice of
    `orm_orders` as the ORM limit; the row, and the envelopes Odoo received."""
    size = -(-len(orders) // rounds)
    measured: list[tuple[Result, Result]] = []
    same_records: list[Result] = []
    envelopes: list[dict] = []
    with Pipeline(odoo, workers, odoo_workers, workdir, redis_url) as pipeline:
        for start in range(0, len(orders), size):
            warm_up = make_orders(ORM_WARM_UP, orm_orders[0]["id"] + 5_000 + ORM_WARM_UP * start)
            some = orm_orders[start : start + size]
            limit = orm_limit(odoo, warm_up + some, workdir, ORM_WARM_UP)
            alike = [renamed(data) for data in warm_up + some]
            same_records.append(orm_limit(odoo, alike, workdir, ORM_WARM_UP, same_records=True))
            row, received = pipeline.run(orders[start : start + size])
            measured.append((limit, row))
            envelopes += received
            print(
                f"  round: {row.per_second / limit.per_second:.2f} × the ORM limit, "
                f"{row.per_second / same_records[-1].per_second:.2f} × the same records'",
                flush=True,
            )
    result = Result.of_rounds(measured)
    result.same_records = Result.summed(same_records)
    result.same_records_rounds = same_records
    return result, envelopes


def report(results: list[Result], duplicates: dict) -> None:
    naive_rate = results[0].per_second
    orm_rate = results[1].per_second
    print(
        "\n| way | orders | seconds | orders/s | × naive | × the first ORM limit "
        "| ORM limit in its rounds, orders/s | × that ORM limit | each round "
        "| × the same records' ORM limit (its orders/s) | each round | Odoo CPU ms/order |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        limit = result.limit or result
        each = ", ".join(f"{row.per_second / lim.per_second:.2f}" for lim, row in result.rounds)
        alike, alike_each = "–", "–"
        if result.same_records:
            rate = result.same_records.per_second
            alike = f"{result.per_second / rate:.2f} ({rate:.2f})"
            alike_each = ", ".join(
                f"{row.per_second / same.per_second:.2f}"
                for (_limit, row), same in zip(
                    result.rounds, result.same_records_rounds, strict=True
                )
            )
        print(
            f"| {result.way} | {result.orders} | {result.seconds:.1f} | {result.per_second:.2f} "
            f"| {result.per_second / naive_rate:.2f} | {result.per_second / orm_rate:.2f} "
            f"| {limit.per_second:.2f} | {result.per_second / limit.per_second:.2f} "
            f"| {each or '–'} | {alike} | {alike_each} | {result.cpu_ms_per_order:.0f} |"
        )
    if duplicates:
        print(f"\nduplicate deliveries: {json.dumps(duplicates)}")


if __name__ == "__main__":
    main()
