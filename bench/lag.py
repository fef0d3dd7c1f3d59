"""What a shop feels (not a test): the lag of a single live order on an idle system, from the
relay accepting WooCommerce's delivery to the sale order confirmed in Odoo.

    eval "$(../shared/odoo/setup)"; export ODOO_SRC ODOO_PYTHON
    .venv/bin/python -m bench.lag --orders 200 --workers 2 --odoo-workers 2

One fresh Odoo 18 run as deployed (`--odoo-workers` prefork processes), the relay and
`--workers` RQ workers. Each order (a new `processing` order of 3 lines, so it is confirmed
on arrival) is delivered signed, alone: the next one only once the last is applied and the
system has been idle for `--pause` seconds. The lag is from the relay's 200 to the end of the
order's RQ job, which RQ stamps once Odoo has answered, so after Odoo committed the confirmed
order. Prints p50, p90, p99 and the largest, and checks that every order is confirmed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests
from rq.job import Job, JobStatus

from bench import odoo_installation
from bench.e2e import SECRET, Pipeline, make_orders, make_products
from tests.odoo_server import OdooServer
from tests.woo import woo_delivery

WARM_UP = 10  # orders that load Odoo's processes and the workers' connections, not measured


def lag_of(pipeline: Pipeline, order: dict) -> float:
    """Seconds from the relay's answer to the end of the order's job."""
    delivery = woo_delivery("order.updated", order, SECRET)
    response = requests.post(
        f"{pipeline.relay.url}/webhook/woo",
        data=delivery.body,
        headers=delivery.headers,
        timeout=30,
    )
    accepted = datetime.now(UTC)
    response.raise_for_status()
    job_id = response.json()["event_id"]
    deadline = time.monotonic() + 120
    while True:
        job = Job.fetch(job_id, connection=pipeline.redis)
        status = job.get_status()
        if status == JobStatus.FINISHED:
            job.refresh()  # its end as RQ stamped it, read after the status that follows it
            return (job.ended_at.replace(tzinfo=UTC) - accepted).total_seconds()
        if status == JobStatus.FAILED or time.monotonic() > deadline:
            raise RuntimeError(f"order {order['id']}: job {job_id} {status}")
        time.sleep(0.002)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--odoo-workers", type=int, default=2)
    parser.add_argument("--pause", type=float, default=0.5, help="idle seconds between orders")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-lag-"))
    odoo = OdooServer(odoo_installation(), workdir)
    try:
        print("creating the database ...", flush=True)
        odoo.create_database()
        odoo.start(workers=args.odoo_workers)
        make_products(odoo)
        orders = make_orders(WARM_UP + args.orders, 3_000_000)
        lags = []
        with Pipeline(odoo, args.workers, args.odoo_workers, workdir) as pipeline:
            for n, order in enumerate(orders):
                lag = lag_of(pipeline, order)
                if n >= WARM_UP:
                    lags.append(lag)
                time.sleep(args.pause)
        ids = [order["id"] for order in orders]
        confirmed = odoo.execute(
            "sale.order", "search_count", [("woo_order_id", "in", ids), ("state", "=", "sale")]
        )
    finally:
        odoo.stop()
        odoo.drop_database()
    ms = [1000 * lag for lag in lags]
    print(
        f"\n{len(ms)} single orders, {args.workers} RQ worker(s), Odoo --workers "
        f"{args.odoo_workers}: p50 {percentile(ms, 0.5):.0f} ms, p90 {percentile(ms, 0.9):.0f} "
        f"ms, p99 {percentile(ms, 0.99):.0f} ms, largest {max(ms):.0f} ms, "
        f"mean {statistics.fmean(ms):.0f} ms"
    )
    print(f"confirmed in Odoo: {confirmed} of {len(orders)}")


if __name__ == "__main__":
    main()
