"""The job behind an import started in Odoo: it reads what Odoo's import asks for, from where
Odoo says an earlier attempt stopped, and reports every page and every failure."""

from __future__ import annotations

import os
import signal
from urllib.parse import parse_qs, urlsplit

import pytest
from rq import Queue, Retry, SimpleWorker

from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.work.worker import RelayWorker
from tests.integration.test_first_sync import numbered

STEPS = [
    {"resource": "product", "state": "done", "since": None, "read_up_to": "2025-01-01T00:10:00"},
    {"resource": "customer", "state": "pending", "since": None, "read_up_to": None},
    {"resource": "order", "state": "reading", "since": None, "read_up_to": "2025-01-01T01:00:00"},
]


def run(queue, import_id: int, **options):
    """The job on the maintenance queue, as the outbox push enqueues it, run to its end."""
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue("relay.jobs.run_import", import_id, **options)
    SimpleWorker([maintenance], connection=queue.connection).work(burst=True)
    return job


def running(import_id: int, fake_woo, steps: list[dict]) -> dict:
    """What Odoo's begin answers for a running import: its store and steps."""
    return {"status": "running", "import_id": import_id, "store_url": fake_woo.url, "steps": steps}


@pytest.fixture
def store_env(fake_woo, monkeypatch) -> None:
    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", fake_woo.secret)
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")


def test_an_import_goes_on_where_odoo_says_it_stopped_and_reports_each_page(
    fake_odoo, fake_woo, queue, store_env
) -> None:
    fake_odoo.imports[7] = running(7, fake_woo, STEPS)
    fake_woo.products = numbered("woo.product.updated", 5, 500)
    fake_woo.customers = numbered("woo.customer.updated", 3, 40)
    fake_woo.orders = numbered("woo.order.updated", 150, 7000)  # a minute apart
    job = run(queue, 7)

    assert job.return_value() == {"customer": 3, "order": 94}, "orders after 00:55"
    assert not [
        line for line in fake_woo.requests if line.startswith("GET /wp-json/wc/v3/products")
    ]
    [first_order_read] = [
        parse_qs(urlsplit(line.split(" ", 1)[1]).query)
        for line in fake_woo.requests
        if "/orders?" in line and "page=1&" in line + "&"
    ][:1]
    assert first_order_read["modified_after"] == ["2025-01-01T00:55:00"], "less the overlap"
    progress = [params for route, params in fake_odoo.import_calls if route == "progress"]
    assert [(p["resource"], len(p["events"]), p["done"]) for p in progress] == [
        ("customer", 3, False),
        ("customer", 0, True),
        ("order", 94, False),
        ("order", 0, True),
    ]
    assert progress[-1]["read_up_to"] == "2025-02-01T02:29:00Z"
    reported = {event["idempotency_key"] for p in progress for event in p["events"]}
    enqueued = [queued.args[0] for queued in queue.get_jobs()]
    assert reported == {envelope["idempotency_key"] for envelope in enqueued}
    assert {envelope["meta"]["import_id"] for envelope in enqueued} == {7}


def test_an_import_odoo_no_longer_runs_reads_nothing(fake_odoo, fake_woo, queue, store_env) -> None:
    job = run(queue, 8)
    assert job.return_value() == {}
    assert fake_woo.requests == []


def test_each_failure_is_reported_and_the_last_one_as_final(
    fake_odoo, fake_woo, queue, store_env
) -> None:
    fake_odoo.imports[9] = running(9, fake_woo, STEPS[1:2])
    fake_woo.fail_everything = True
    run(queue, 9, retry=Retry(max=1))
    failures = [params for route, params in fake_odoo.import_calls if route == "failed"]
    assert [failure["final"] for failure in failures] == [False, True]
    assert "500" in failures[0]["error"]


def test_an_import_whose_process_is_killed_is_reported_and_the_last_time_as_final(
    fake_odoo, fake_woo, queue, store_env, monkeypatch
) -> None:
    """The work horse dies (the kernel's OOM killer): the job cannot report it, the worker
    does. The horse is a fork of this process, so it inherits the patch that kills it."""
    fake_odoo.imports[10] = running(10, fake_woo, STEPS[1:2])
    monkeypatch.setattr(
        "relay.work.imports.run_import", lambda *args: os.kill(os.getpid(), signal.SIGKILL)
    )
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue("relay.jobs.run_import", 10, retry=Retry(max=1))
    RelayWorker([maintenance], connection=queue.connection).work(burst=True)
    failures = [params for route, params in fake_odoo.import_calls if route == "failed"]
    assert [failure["final"] for failure in failures] == [False, True]
    assert "killed by signal 9" in failures[0]["error"]
    assert job.get_status(refresh=True) == "failed"
