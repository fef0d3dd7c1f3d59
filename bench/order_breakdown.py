"""Where one order's time goes with one RQ worker (not a test): the time RQ's jobs take and
the time between them (RQ's own: finish one, dequeue the next; an event's job runs in the
worker's process, relay/work/worker.py), and, inside each job, Odoo's request: its SQL time and
query count, and the rest (Odoo's Python).

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.order_breakdown --orders 150

The orders are bench/e2e.py's, through the same relay and worker, with Odoo `--workers 0`
logging each request (`--log-level info`: "<query count> <query time> <remaining time>").
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
from itertools import pairwise
from pathlib import Path

from redis import Redis
from rq.job import Job
from rq.registry import FinishedJobRegistry

from bench import odoo_installation
from bench.e2e import make_orders, make_products, project
from tests.odoo_server import OdooServer

EVENT_REQUEST = re.compile(r'"POST /elitaco/v1/events HTTP/1.1" 200 - (\d+) ([\d.]+) ([\d.]+)')


def job_times(redis: Redis) -> tuple[list[float], list[float]]:
    """(each job's duration, each wait between a job's end and the next one's start), in ms."""
    finished = FinishedJobRegistry("woo-events", connection=redis)
    jobs = sorted(
        (Job.fetch(job_id, connection=redis) for job_id in finished.get_job_ids()),
        key=lambda job: job.started_at,
    )
    durations = [(job.ended_at - job.started_at).total_seconds() * 1000 for job in jobs]
    gaps = [
        (after.started_at - before.ended_at).total_seconds() * 1000
        for before, after in pairwise(jobs)
    ]
    return durations, gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=150)
    args = parser.parse_args()
    installation = odoo_installation()
    workdir = Path(tempfile.mkdtemp(prefix="bench-breakdown-"))
    odoo = OdooServer(installation, workdir)
    measured: dict[str, list[float]] = {}

    def read_jobs(redis: Redis) -> None:
        measured["jobs"], measured["gaps"] = job_times(redis)

    try:
        odoo.create_database()
        odoo.start(log_level="info")
        make_products(odoo)
        project(odoo, make_orders(20, 5_000_000), 1, 0, workdir)  # warm-up, not measured
        logged_before = odoo.log_path.stat().st_size
        result, _ = project(odoo, make_orders(args.orders, 6_000_000), 1, 0, workdir, read_jobs)
        with odoo.log_path.open() as log:
            log.seek(logged_before)
            requests = [
                (int(count), float(sql), float(rest))
                for count, sql, rest in EVENT_REQUEST.findall(log.read())
            ]
    finally:
        odoo.stop()
        odoo.drop_database()
    per_order = 1000 * result.seconds / result.orders
    print(f"{result.orders} orders, 1 RQ worker: {per_order:.1f} ms an order")
    print(f"RQ job: mean {statistics.mean(measured['jobs']):.1f} ms")
    print(f"between jobs: mean {statistics.mean(measured['gaps']):.1f} ms")
    print(
        f"Odoo's request ({len(requests)}): {statistics.mean(r[0] for r in requests):.0f} queries,"
        f" SQL {1000 * statistics.mean(r[1] for r in requests):.1f} ms,"
        f" the rest {1000 * statistics.mean(r[2] for r in requests):.1f} ms"
    )


if __name__ == "__main__":
    main()
