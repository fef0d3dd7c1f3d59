"""What the module's own work costs in Odoo, without HTTP, the relay or RQ (not a test).

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.module_in_process --orders 100 --rounds 2

bench/e2e.py's orders, each way in its own `odoo-bin shell`, one transaction per order, in one
fresh Odoo 18 database:
- ORM limit: bench/e2e.py's script as it runs there (superuser);
- ORM limit as the Integration User: the same script with the workers' user, so that access
  rights and record rules are paid as the module pays them;
- ORM limit with the module's records, as the Integration User: what the module books for an
  order made directly (the customer with its address, a delivery contact for a shipping
  address that differs, the sale order with both addresses, no tax, confirmed): Odoo's own cost
  of the same result, without the ledger, timeline, bindings and checks;
- module in-process: `integration.event.process_envelope` of each order's envelope as the
  Integration User (what the controller calls): the ledger, the timeline, the addresses and
  contacts, value maps and the total check, with Odoo's create and confirmation;
- the same 20 a call (`process_envelopes`, what the batch route calls), each committed alone.
The rounds alternate the ways, so that the machine's drift shows as spread, not as a
difference. Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path

from bench import odoo_installation
from bench.e2e import AS_INTEGRATION_USER, ORM_SCRIPT, SAME_RECORDS_SCRIPT, SKUS, make_orders
from tests.odoo_server import OdooServer
from tests.woo import example_envelope

MODULE_SCRIPT = """
import json, time
envelopes = json.load(open(ORDERS_PATH))
events = env["integration.event"].with_context(elitaco_from_woo=True)
started, cpu = time.perf_counter(), time.process_time()
for envelope in envelopes:
    answer = events.process_envelope(envelope)
    assert answer["status"] == "processed", answer
    env.cr.commit()
print("ELITACO_ORM_SECONDS", time.perf_counter() - started, time.process_time() - cpu)
"""
BATCH_SCRIPT = """
import json, time
envelopes = json.load(open(ORDERS_PATH))
events = env["integration.event"].with_context(elitaco_from_woo=True)
started, cpu = time.perf_counter(), time.process_time()
for start in range(0, len(envelopes), 20):
    answers = events.process_envelopes(envelopes[start : start + 20])
    assert all(answer and answer["status"] == "processed" for answer in answers), answers
print("ELITACO_ORM_SECONDS", time.perf_counter() - started, time.process_time() - cpu)
"""


def envelopes_of(orders: list[dict]) -> list[dict]:
    """Each order as the relay hands it to Odoo."""
    envelopes = []
    for data in orders:
        envelope = example_envelope("woo.order.updated")
        envelope.update(event_id=str(uuid.uuid4()), trace_id=str(uuid.uuid4()), data=data)
        envelope["idempotency_key"] = f"{envelope['idempotency_key']}-{data['id']}"
        envelopes.append(envelope)
    return envelopes


def timed(odoo: OdooServer, script: str, items: list[dict], path: Path) -> tuple[float, float]:
    """(wall ms, CPU ms) per order of `script` over `items` in a fresh `odoo-bin shell`."""
    path.write_text(json.dumps(items))
    prelude = f"ORDERS_PATH = {str(path)!r}\nWORKER = {odoo.worker_login!r}\nWARM_UP = 0\n"
    output = odoo._shell(prelude + script)
    line = next(line for line in output.splitlines() if line.startswith("ELITACO_ORM_SECONDS"))
    seconds, cpu = (float(value) for value in line.split()[1:])
    return 1000 * seconds / len(items), 1000 * cpu / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-module-"))
    odoo = OdooServer(odoo_installation(), workdir)
    ways = {
        "ORM limit (superuser)": ORM_SCRIPT,
        "ORM limit as the Integration User": AS_INTEGRATION_USER + ORM_SCRIPT,
        "ORM limit with the module's records, as the Integration User": AS_INTEGRATION_USER
        + SAME_RECORDS_SCRIPT,
        "module in-process (process_envelope)": AS_INTEGRATION_USER + MODULE_SCRIPT,
        "module in-process, 20 a call (process_envelopes)": AS_INTEGRATION_USER + BATCH_SCRIPT,
    }
    measured: dict[str, list[tuple[float, float]]] = defaultdict(list)
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        products = "\n".join(
            f"env['product.product'].create({{'name': {sku!r}, 'default_code': {sku!r}, "
            f"'list_price': 5}})"
            for sku in SKUS
        )
        odoo._shell(products + "\nenv.cr.commit()\n")
        first_id = 1_000_000
        for round_ in range(args.rounds):
            for n, (way, script) in enumerate(ways.items()):
                orders = make_orders(args.orders, first_id)
                first_id += 100_000
                items = envelopes_of(orders) if "process_envelope" in way else orders
                measured[way].append(timed(odoo, script, items, workdir / f"{round_}-{n}.json"))
                print(way, measured[way][-1], flush=True)
    finally:
        odoo.drop_database()
    limit = statistics.mean(wall for wall, _cpu in measured["ORM limit (superuser)"])
    print("\n| way | ms per order (each round) | Odoo CPU ms per order | × the ORM limit's time |")
    print("|---|---|---|---|")
    for way, results in measured.items():
        walls = ", ".join(f"{wall:.0f}" for wall, _cpu in results)
        cpus = ", ".join(f"{cpu:.0f}" for _wall, cpu in results)
        ratio = statistics.mean(wall for wall, _cpu in results) / limit
        print(f"| {way} | {walls} | {cpus} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
