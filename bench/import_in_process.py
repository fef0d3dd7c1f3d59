"""What an imported event costs in Odoo, per resource, without HTTP, the relay or RQ (not a
test).

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    git archive <commit> odoo_addons | tar -x -C /tmp/baseline
    .venv/bin/python -m bench.import_in_process --baseline /tmp/baseline/odoo_addons \
        --products 40 --rounds 3

bench/import_sync.py's shop, applied as the workers apply an import: one fresh Odoo 18
database with the module, WooCommerce master of product data, an import (Integration ›
Configuration › Imports) whose lines wait, then `integration.event.process_envelope` of each
record's envelope (with `meta.import_id`, `fetched.categories`) as the Integration User, one
commit per event as a request makes. Variable products first, then their variations,
customers, orders (completed, two variations each). A first slice, not counted, makes what
only the first products make (categories, the attribute).

Each round applies a new slice of the shop twice: once with the module of `--baseline` (an
`odoo_addons` folder, e.g. an older commit's), once with this worktree's; the two ways
alternate in each round, so that the machine's drift and the growing database fall on both.
Prints, per event of each resource and way: wall ms, the Odoo process's CPU ms (less
sensitive to what else runs on the machine) and SQL queries.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bench import odoo_installation
from bench.import_sync import catalog, categories, order_book, people
from relay.pipeline.envelope import build_woo_envelope
from tests.odoo_server import ROOT, OdooServer

STORE_URL = "https://shop.example.com"
RESOURCES = ["variable product", "variation", "customer", "order"]
SCRIPT = """
import json, time
from odoo import SUPERUSER_ID
batches = json.load(open(BATCHES_PATH))
root = env(user=SUPERUSER_ID)
run = root["integration.import"].create({"store_url": STORE_URL})
run.write({"state": "done"})  # read already: the workers apply what it enqueued
for envelopes in batches.values():
    root["integration.import.line"]._waiting(run, [
        {"idempotency_key": e["idempotency_key"], "event_type": e["event_type"],
         "woo_id": e["data"]["id"]} for e in envelopes])
env.cr.commit()
worker = env(user=env["res.users"].search([("login", "=", WORKER)]).id)
events = worker["integration.event"].with_context(elitaco_from_woo=True)
measured = {}
for resource, envelopes in batches.items():
    queries, started, cpu = env.cr.sql_log_count, time.perf_counter(), time.process_time()
    for envelope in envelopes:
        envelope["meta"]["import_id"] = run.id
        answer = events.process_envelope(envelope)
        assert answer["status"] == "processed", answer
        env.cr.commit()
    measured[resource] = (
        1000 * (time.perf_counter() - started) / len(envelopes),
        (env.cr.sql_log_count - queries) / len(envelopes),
        1000 * (time.process_time() - cpu) / len(envelopes),
    )
created = root["integration.import.line"].search_count(
    [("import_id", "=", run.id), ("outcome", "=", "created")])
assert created == sum(map(len, batches.values())), created
print("ELITACO_MEASURED", json.dumps(measured))
"""


class Shell(OdooServer):
    """An `odoo-bin shell` of the same database with another folder of the module."""

    def __init__(self, server: OdooServer, addons: Path) -> None:
        self.__dict__.update(server.__dict__)
        self.addons = addons

    def _command(self, *extra: str) -> list[str]:
        command = super()._command(*extra)
        at = command.index("--addons-path") + 1
        command[at] = command[at].replace(str(ROOT / "odoo_addons"), str(self.addons))
        return command


def envelope_of(item: dict, import_id: int = 0) -> dict:
    """A record as the import's reader enqueues it (relay/work/reconcile.py, categories.py)."""
    topic = f"{'order' if 'line_items' in item else 'customer' if 'email' in item else 'product'}"
    envelope = dict(
        build_woo_envelope(
            f"{topic}.updated", item, received_at=datetime.now(UTC), store_url=STORE_URL
        )
    )
    envelope["meta"] |= {"reconciled": True, "import_id": import_id}
    if item.get("categories"):
        tree = categories()
        category = tree[item["categories"][0]["id"]]
        envelope["fetched"] = {"categories": [category, tree[category["parent"]]]}
    return envelope


def shop_slices(products: int, sizes: int, slices: int) -> list[dict[str, list[dict]]]:
    """`slices` disjoint shops of `products` products (and as many customers and orders)."""
    variable, variations = catalog(products * slices, sizes)
    customers = people(products * slices, products * slices)
    result = []
    for n in range(slices):
        mine = variable[n * products : (n + 1) * products]
        sold = {item["id"]: variations[item["id"]] for item in mine}
        buyers = customers[n * products : (n + 1) * products]
        orders = order_book(products, buyers, sold, 2 * products * slices)
        for order in orders:
            order["id"] += n * products
            order["number"] = str(order["id"])
            for line in order["line_items"]:
                line["id"] += 2 * n * products
        result.append(
            {
                "variable product": [envelope_of(item) for item in mine],
                "variation": [envelope_of(item) for items in sold.values() for item in items],
                "customer": [envelope_of(item) for item in buyers],
                "order": [envelope_of(item) for item in orders],
            }
        )
    return result


def measure(shell: Shell, batches: dict[str, list[dict]], path: Path) -> dict:
    path.write_text(json.dumps(batches))
    prelude = (
        f"BATCHES_PATH = {str(path)!r}\nWORKER = {shell.worker_login!r}\n"
        f"STORE_URL = {STORE_URL!r}\n"
    )
    output = shell._shell(prelude + SCRIPT)
    line = next(line for line in output.splitlines() if line.startswith("ELITACO_MEASURED"))
    return json.loads(line.removeprefix("ELITACO_MEASURED"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="an odoo_addons folder")
    parser.add_argument("--products", type=int, default=40, help="per round and way")
    parser.add_argument("--sizes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-in-process-"))
    odoo = OdooServer(odoo_installation(), workdir)
    ways = {"before": args.baseline.resolve(), "after": ROOT / "odoo_addons"}
    slices = iter(shop_slices(args.products, args.sizes, 2 * args.rounds + 1))
    measured: dict[str, dict[str, list[list[float]]]] = defaultdict(lambda: defaultdict(list))
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        # As an operator does (and bench/import_sync.py): Settings › Integration saved, which
        # makes the store's record; without it each event rebuilt the store's settings.
        odoo._shell(
            "env['res.config.settings'].create({'elitaco_store_url': "
            f"{STORE_URL!r}, 'elitaco_product_master': 'woo'}}).execute()\nenv.cr.commit()\n"
        )
        print("warming up (categories, attributes, taxes made once) ...", flush=True)
        measure(Shell(odoo, ways["after"]), next(slices), workdir / "warm-up.json")
        for round_ in range(args.rounds):
            order = list(ways) if round_ % 2 == 0 else list(reversed(ways))
            for way in order:
                path = workdir / f"{round_}-{way}.json"
                result = measure(Shell(odoo, ways[way]), next(slices), path)
                for resource, values in result.items():
                    measured[way][resource].append(values)
                print(round_, way, json.dumps(result), flush=True)
    finally:
        odoo.drop_database()
    print(
        "\n| resource | way | ms per event (each round) | mean ms | Odoo CPU ms (mean) "
        "| queries per event |"
    )
    print("|---|---|---|---|---|---|")
    for resource in RESOURCES:
        for way in ways:
            rounds = measured[way][resource]
            each = ", ".join(f"{ms:.1f}" for ms, _queries, _cpu in rounds)
            mean = statistics.mean(ms for ms, _queries, _cpu in rounds)
            cpu = statistics.mean(cpu for _ms, _queries, cpu in rounds)
            queries = statistics.mean(queries for _ms, queries, _cpu in rounds)
            print(f"| {resource} | {way} | {each} | {mean:.1f} | {cpu:.1f} | {queries:.1f} |")


if __name__ == "__main__":
    main()
