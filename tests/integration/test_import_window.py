"""An import keeps a window of its events in Redis, not the whole store: once the events queue
holds IMPORT_QUEUE_WINDOW jobs the job pauses, and RQ runs the same job again (its repeat) from
where it stopped, while the workers apply what is queued."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from rq import Queue, Retry
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from relay.pipeline.envelope import build_woo_envelope, format_utc, parse_woo_datetime
from relay.pipeline.queueing import MAINTENANCE_QUEUE, RUN_IMPORT
from relay.work.imports import RESUME_POINT, enqueue_import, import_job_id
from relay.work.reconcile import OVERLAP
from relay.work.worker import RelayWorker
from tests.integration.test_first_sync import numbered
from tests.integration.test_imports import running

WINDOW = 50
VARIATIONS = 30
PAGE = 100


def pending(*resources: str) -> list[dict]:
    return [
        {"resource": resource, "state": "pending", "since": None, "read_up_to": None}
        for resource in resources
    ]


@pytest.fixture
def window_env(fake_woo, monkeypatch) -> None:
    monkeypatch.setenv("WOO_STORE_URL", fake_woo.url)
    monkeypatch.setenv("WOO_CONSUMER_KEY", fake_woo.key)
    monkeypatch.setenv("WOO_CONSUMER_SECRET", fake_woo.secret)
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")
    monkeypatch.setenv("IMPORT_QUEUE_WINDOW", str(WINDOW))
    monkeypatch.setenv("IMPORT_PAUSE_SECONDS", "1")


def keys_of(topic: str, items: list[dict], store_url: str) -> set[str]:
    """The idempotency keys the items' webhooks would have had."""
    return {
        build_woo_envelope(topic, item, received_at=datetime.now(UTC), store_url=store_url)[
            "idempotency_key"
        ]
        for item in items
    }


def run_maintenance(queue: Queue) -> None:
    """A worker's turn at the maintenance queue: the import job in its work horse, and the
    scheduled jobs that are due (RQ's scheduler, run once by a burst worker)."""
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    RelayWorker([maintenance], connection=queue.connection).work(burst=True, with_scheduler=True)


def apply_events(queue: Queue) -> list[str]:
    """The workers apply every queued event (a worker in burst, through the fake Odoo)."""
    keys = [job.args[0]["idempotency_key"] for job in queue.get_jobs()]
    RelayWorker([queue], connection=queue.connection).work(burst=True)
    assert queue.count == 0
    return keys


def wait_until_due(job: Job) -> None:
    registry = ScheduledJobRegistry(queue=Queue(MAINTENANCE_QUEUE, connection=job.connection))
    due = registry.get_scheduled_time(job.id)
    time.sleep(max(0.0, due.timestamp() - time.time()) + 0.1)


def order_reads(fake_woo) -> list[str]:
    """modified_after of each request for a list of orders, in order."""
    return [
        parse_qs(urlsplit(line.split(" ", 1)[1]).query)["modified_after"][0]
        for line in fake_woo.requests
        if line.startswith("GET /wp-json/wc/v3/orders?")
    ]


def test_an_import_bigger_than_the_window_pauses_and_resumes_until_every_record_is_queued(
    fake_odoo, fake_woo, queue, window_env
) -> None:
    products = numbered("woo.product.updated", 250, 500)
    products[120] |= {"type": "variable"}  # on the second page
    fake_woo.products = products
    variations = numbered("woo.product.updated", VARIATIONS, 9000)
    for item in variations:
        item |= {"type": "variation", "parent_id": products[120]["id"]}
    fake_woo.variations = {products[120]["id"]: variations}
    fake_woo.customers = numbered("woo.customer.updated", 120, 40)
    fake_woo.orders = numbered("woo.order.updated", 350, 7000)
    fake_odoo.imports[11] = running(11, fake_woo, pending("product", "customer", "order"))
    job_id = enqueue_import(queue.connection, 11)

    applied: Counter[str] = Counter()
    longest_queue, pauses = 0, []
    for _ in range(40):
        run_maintenance(queue)
        job = Job.fetch(job_id, connection=queue.connection)
        longest_queue = max(longest_queue, queue.count)
        if job.get_status() != "scheduled":
            break
        assert job.id == import_job_id(11) and job.repeats_left == 0
        pauses.append(job.meta[RESUME_POINT])
        assert enqueue_import(queue.connection, 11) == job_id, "a pending job, not a second one"
        applied.update(apply_events(queue))
        wait_until_due(job)
    assert job.get_status() == "finished" and not job.meta.get(RESUME_POINT)
    applied.update(apply_events(queue))

    # A page of 100 fills the window of 50: a pause after each page but a resource's last,
    # and before customers and orders (the last page of products, and customers, fill it).
    assert [point["resource"] for point in pauses] == ["product"] * 2 + ["customer"] + ["order"] * 4
    assert longest_queue <= WINDOW - 1 + PAGE + VARIATIONS, "a page and its variations past"
    expected = (
        keys_of("product.updated", products + variations, fake_woo.url)
        | keys_of("customer.updated", fake_woo.customers, fake_woo.url)
        | keys_of("order.updated", fake_woo.orders, fake_woo.url)
    )
    assert set(applied) == expected, "no record skipped"
    twice = [key for key, count in applied.items() if count > 1]
    assert max(applied.values()) <= 2 and len(twice) <= len(pauses), "a second read again"

    assert all(
        point["resource"] != "customer" or point["since"] == "1970-01-01T00:00:00Z"
        for point in pauses
    ), "customers paused before their first page, not within"
    customer_pages = [line for line in fake_woo.requests if "/customers?" in line]
    assert len(customer_pages) == 2, "customers read once, both pages in one run"
    progress = [params for route, params in fake_odoo.import_calls if route == "progress"]
    assert [p["resource"] for p in progress if p["done"]] == ["product", "customer", "order"]
    reported = Counter(event["idempotency_key"] for p in progress for event in p["events"])
    assert reported == applied, "Odoo's report lists what was queued"

    # Each resumed run read on from the exact cursor of its pause, told to Odoo before it.
    within_orders = [point["since"] for point in pauses if point["resource"] == "order"][1:]
    assert order_reads(fake_woo) == ["1970-01-01T00:00:00"] + [
        cursor.removesuffix("Z") for cursor in within_orders
    ], "no overlap read again"
    for cursor in within_orders:
        assert any(p["read_up_to"] == cursor and not p["events"] for p in progress)


def test_a_crash_after_a_pause_goes_on_from_odoos_read_up_to_less_the_overlap(
    fake_odoo, fake_woo, queue, window_env
) -> None:
    fake_woo.orders = numbered("woo.order.updated", 350, 7000)
    fake_odoo.imports[12] = running(12, fake_woo, pending("order"))
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue_call(
        RUN_IMPORT, args=(12,), job_id=import_job_id(12), retry=Retry(max=1, interval=1), timeout=-1
    )
    run_maintenance(queue)
    paused_at = job.get_meta(refresh=True)[RESUME_POINT]["since"]
    apply_events(queue)
    wait_until_due(job)

    fake_woo.fail_orders_from = fake_woo.order_requests + 1  # the resumed run's first read
    run_maintenance(queue)  # fails; RQ retries it a second later
    failures = [params for route, params in fake_odoo.import_calls if route == "failed"]
    assert [failure["final"] for failure in failures] == [False]
    assert not job.get_meta(refresh=True).get(RESUME_POINT), "taken when the run began"

    fake_woo.fail_orders_from = 0
    wait_until_due(job)
    run_maintenance(queue)
    assert job.get_status(refresh=True) == "scheduled", "the retry read on, and paused again"

    reads = order_reads(fake_woo)
    failed_read = reads.index(paused_at.removesuffix("Z"))
    retried = next(read for read in reads[failed_read:] if read != reads[failed_read])
    read_up_to = parse_woo_datetime(paused_at)
    assert retried == format_utc(read_up_to - OVERLAP).removesuffix("Z")


def test_a_full_queue_pauses_an_import_before_it_reads(
    fake_odoo, fake_woo, queue, window_env
) -> None:
    fake_woo.customers = numbered("woo.customer.updated", 3, 40)
    fake_odoo.imports[13] = running(13, fake_woo, pending("customer"))
    for n in range(WINDOW):
        queue.enqueue("relay.jobs.process_event", {"n": n})
    job_id = enqueue_import(queue.connection, 13)
    run_maintenance(queue)

    job = Job.fetch(job_id, connection=queue.connection)
    assert job.get_status() == "scheduled"
    assert job.meta[RESUME_POINT] == {"resource": "customer", "since": "1970-01-01T00:00:00Z"}
    assert fake_woo.requests == [] and queue.count == WINDOW
    assert fake_odoo.import_calls == [("begin", {"import_id": 13})]

    queue.empty()
    wait_until_due(job)
    run_maintenance(queue)
    assert job.get_status(refresh=True) == "finished"
    assert job.return_value() == {"customer": 3}
    assert queue.count == 3


def test_the_import_command_waits_while_the_window_is_full(
    fake_woo, queue, settings, monkeypatch, window_env
) -> None:
    from relay.cli import main as cli_main

    fake_woo.orders = numbered("woo.order.updated", 350, 7000)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    queued: list[str] = []
    longest = 0

    def workers_apply(seconds: float) -> None:
        nonlocal longest
        longest = max(longest, queue.count)
        queued.extend(job.args[0]["idempotency_key"] for job in queue.get_jobs())
        queue.empty()

    monkeypatch.setattr("relay.store_commands.time", SimpleNamespace(sleep=workers_apply))
    assert cli_main(["import", "orders"]) == 0
    queued.extend(job.args[0]["idempotency_key"] for job in queue.get_jobs())
    assert WINDOW <= longest <= WINDOW - 1 + PAGE
    assert Counter(queued) == dict.fromkeys(
        keys_of("order.updated", fake_woo.orders, fake_woo.url), 1
    )


def test_a_bad_window_stops_the_worker_at_its_start() -> None:
    from relay.config import ConfigError, check_worker_environment

    with pytest.raises(ConfigError, match="IMPORT_QUEUE_WINDOW"):
        check_worker_environment({"IMPORT_QUEUE_WINDOW": "0"})
