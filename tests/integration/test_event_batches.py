"""A backlog's events go to Odoo several per request (relay/work/event_batches.py), on real
Redis and real RQ workers against the fake Odoo: each event still finishes, retries and
dead-letters as it would alone, and RQ's registries stay the truth."""

from __future__ import annotations

import os
import time
import uuid

from rq import Worker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry

from relay.pipeline.queueing import enqueue_envelope
from relay.work import event_batches
from relay.work.worker import RelayWorker
from tests.integration.test_worker import NO_WAIT, fresh, in_background, status
from tests.processes import WorkerProcess


def work(queue) -> None:
    RelayWorker([queue], connection=queue.connection).work(burst=True)


def orders(count: int, store_url: str | None = None) -> list[dict]:
    envelopes = [
        fresh("woo.order.created", id=9000 + n, number=str(9000 + n)) for n in range(count)
    ]
    if store_url:
        for envelope in envelopes:
            envelope["meta"]["store_url"] = store_url
    return envelopes


def nothing_left_running(queue) -> None:
    assert StartedJobRegistry(queue=queue).count == 0
    assert queue.connection.llen(queue.intermediate_queue_key) == 0
    assert queue.count == 0


def test_a_backlog_goes_in_batches_and_each_event_ends_as_it_would_alone(queue, fake_odoo):
    fake_odoo.failing_types.add("woo.order.updated")
    fake_odoo.rejecting_types.add("woo.customer.updated")
    first = fresh("woo.order.created", id=8999, number="8999")
    again = dict(first, event_id=str(uuid.uuid4()))  # the same delivery twice
    coupon = fresh("woo.coupon.created")
    failing = fresh("woo.order.updated")
    rejected = fresh("woo.customer.updated")
    backlog = [first, again, coupon, failing, rejected, *orders(25)]
    for envelope in backlog:
        enqueue_envelope(queue, envelope, NO_WAIT)

    work(queue)

    assert len(fake_odoo.batches[0]) == event_batches.MAX_BATCH
    assert sum(map(len, fake_odoo.batches)) >= len(backlog) - 1
    answers = {
        e["event_id"]: Job.fetch(e["event_id"], connection=queue.connection) for e in backlog
    }
    assert answers[first["event_id"]].return_value()["status"] == "processed"
    assert answers[again["event_id"]].return_value()["status"] == "duplicate"
    assert answers[coupon["event_id"]].return_value()["status"] == "ignored"
    assert all(
        answers[e["event_id"]].get_status() == JobStatus.FINISHED
        for e in backlog
        if e not in (failing, rejected)
    )
    # Retried three times (each time in a batch or alone), then a dead letter marked in Odoo.
    assert fake_odoo.ledger[failing["idempotency_key"]]["attempts"] == 4
    assert fake_odoo.ledger[rejected["idempotency_key"]]["attempts"] == 1  # not retryable
    assert sorted(FailedJobRegistry(queue=queue).get_job_ids()) == sorted(
        [failing["event_id"], rejected["event_id"]]
    )
    assert set(fake_odoo.dead) == {failing["event_id"], rejected["event_id"]}
    assert len(fake_odoo.processed_keys()) == len(backlog) - 4  # less again, coupon, 2 failed
    nothing_left_running(queue)


def test_a_batch_whose_request_dies_is_applied_event_by_event(queue, fake_odoo):
    fake_odoo.batch_fails = True
    backlog = orders(6)
    for envelope in backlog:
        enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    assert fake_odoo.batches, "the worker tried a batch"
    for envelope in backlog:
        job = Job.fetch(envelope["event_id"], connection=queue.connection)
        assert job.return_value()["status"] == "processed"
        assert job.retries_left == 3, "a batch that died used up no retry"
    assert len(fake_odoo.processed_keys()) == 6
    nothing_left_running(queue)


def test_an_event_odoo_leaves_unanswered_is_sent_again(queue, fake_odoo):
    backlog = orders(5)
    fake_odoo.left_alone.add(backlog[2]["idempotency_key"])
    for envelope in backlog:
        enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    assert backlog[2]["event_id"] in fake_odoo.batches[0]
    assert status(queue, backlog[2]) == JobStatus.FINISHED
    assert sorted(fake_odoo.processed_keys()) == sorted(e["idempotency_key"] for e in backlog)
    nothing_left_running(queue)


def test_a_live_event_with_a_worker_free_for_each_goes_alone(queue, fake_odoo):
    other_worker = Worker([queue], connection=queue.connection)
    other_worker.register_birth()
    try:
        live = orders(2)
        for envelope in live:
            enqueue_envelope(queue, envelope, NO_WAIT)
        work(queue)  # one event waits beside the one taken: the other worker's
    finally:
        other_worker.register_death()
    assert fake_odoo.batches == []
    assert len(fake_odoo.processed_keys()) == 2
    nothing_left_running(queue)


def test_a_batch_holds_one_stores_events_and_leaves_the_rest_in_order(queue, fake_odoo):
    worker = Worker([queue], connection=queue.connection)
    worker.register_birth()
    try:
        de, de_later = orders(2, "https://de.example.com")
        [fr] = orders(1, "https://fr.example.com")
        tail = fresh("woo.order.created", id=8000, number="8000")
        tail["meta"]["store_url"] = "https://de.example.com"
        for envelope in (de, de_later, fr):
            enqueue_envelope(queue, envelope, NO_WAIT)
        other_job = queue.enqueue("os.getpid")
        enqueue_envelope(queue, tail, NO_WAIT)

        first = Job.fetch(queue.pop_job_id(), connection=queue.connection)
        taken = event_batches.take_backlog(queue, first)
    finally:
        worker.register_death()
    assert [job.id for job in taken] == [de_later["event_id"], tail["event_id"]]
    assert queue.get_job_ids() == [fr["event_id"], other_job.id], "given back, in order"
    assert queue.connection.lrange(queue.intermediate_queue_key, 0, -1) == [
        job.id.encode() for job in taken
    ]
    event_batches.registered(queue, taken, "a-worker")
    assert queue.connection.llen(queue.intermediate_queue_key) == 0
    assert all(job.get_status(refresh=True) == JobStatus.STARTED for job in taken)


def test_a_worker_killed_mid_batch_loses_none_of_its_events(queue, fake_odoo, settings, tmp_path):
    """Every event of the batch is in RQ's started registry while Odoo applies it: RQ gives
    them back as abandoned, and their second run finds them applied."""
    backlog = orders(8)
    for envelope in backlog:
        enqueue_envelope(queue, envelope, NO_WAIT)
    fake_odoo.stall_seconds = 30  # Odoo applies the batch, the worker dies before the answer
    worker = WorkerProcess(dict(os.environ, REDIS_URL=settings.redis_url), tmp_path / "w.log")
    try:
        deadline = time.monotonic() + 20
        while not fake_odoo.batches and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_odoo.batches, worker.log()[-3000:]
    finally:
        worker.kill()
    started = StartedJobRegistry(queue=queue)
    assert sorted(started.get_job_ids()) == sorted(e["event_id"] for e in backlog)

    fake_odoo.stall_seconds = 0
    started.cleanup(timestamp=time.time() + 3600)  # RQ's abandoned-job handling
    work(queue)
    for envelope in backlog:
        job = Job.fetch(envelope["event_id"], connection=queue.connection)
        assert job.return_value()["status"] == "duplicate", "applied once, by the first batch"
    assert len(fake_odoo.processed_keys()) == 8
    nothing_left_running(queue)


def test_every_event_of_a_batch_keeps_its_heartbeat_while_odoo_works(queue, fake_odoo):
    """RQ would take a batched job whose heartbeat lapsed for abandoned and run it again
    meanwhile: each one's place in the started registry moves on until its own end."""
    backlog = orders(4)
    for envelope in backlog:
        enqueue_envelope(queue, envelope, NO_WAIT)
    fake_odoo.stall_seconds = 3.5
    started = StartedJobRegistry(queue=queue)
    last = backlog[-1]["event_id"]

    def expiry() -> float | None:
        scores = started.connection.zrange(started.key, 0, -1, withscores=True)
        return next((score for key, score in scores if key.decode().startswith(last)), None)

    def watch(seen: list) -> None:
        deadline = time.monotonic() + 10
        while not fake_odoo.batches and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(expiry())
        time.sleep(2.5)
        seen.append(expiry())

    thread, expiries = in_background(watch)
    RelayWorker([queue], connection=queue.connection, job_monitoring_interval=1).work(burst=True)
    thread.join()
    first, later = expiries
    assert first and later and later >= first + 2, f"the heartbeat was not renewed: {expiries}"
    assert len(fake_odoo.processed_keys()) == 4
    nothing_left_running(queue)
