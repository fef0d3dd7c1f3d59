"""relay.jobs.process_event on real Redis and real RQ workers, against the fake Odoo."""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry

from relay.cli import main as cli_main
from relay.clients import odoo
from relay.pipeline.queueing import enqueue_envelope
from relay.pipeline.status import read_odoo_access_report
from relay.work.worker import RelayWorker
from tests.processes import PROCESS_MARKER_VARIABLE, WorkerProcess, processes_marked
from tests.woo import example_envelope

NO_WAIT = [0, 0, 0]  # three retries, immediately (production waits 10, 60, 300 s)


def fresh(event_type: str, **data) -> dict:
    envelope = example_envelope(event_type)
    envelope.update(event_id=str(uuid.uuid4()), trace_id=str(uuid.uuid4()))
    envelope["data"] = dict(envelope["data"], **data)
    if data:
        envelope["idempotency_key"] += f"-{uuid.uuid4().hex[:8]}"
    return envelope


def work(queue) -> None:
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def status(queue, envelope) -> str:
    return Job.fetch(envelope["event_id"], connection=queue.connection).get_status()


def test_processed_duplicate_and_ignored_finish(queue, fake_odoo) -> None:
    order = fresh("woo.order.created")
    again = dict(order, event_id=str(uuid.uuid4()))
    coupon = fresh("woo.coupon.created")
    for envelope in (order, again, coupon):
        enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    answers = [
        Job.fetch(e["event_id"], connection=queue.connection).return_value()
        for e in (order, again, coupon)
    ]
    assert [answer["status"] for answer in answers] == ["processed", "duplicate", "ignored"]
    assert FailedJobRegistry(queue=queue).count == 0
    assert fake_odoo.processed_keys() == [order["idempotency_key"]]


def test_three_retries_then_a_dead_letter_that_odoo_marks_dead(queue, fake_odoo) -> None:
    fake_odoo.failing_types.add("woo.order.updated")
    envelope = fresh("woo.order.updated")
    enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    assert status(queue, envelope) == JobStatus.FAILED
    assert FailedJobRegistry(queue=queue).get_job_ids() == [envelope["event_id"]]
    assert fake_odoo.ledger[envelope["idempotency_key"]]["attempts"] == 4  # first try + 3
    assert "cannot apply woo.order.updated" in fake_odoo.dead[envelope["event_id"]]


def test_a_rejected_event_is_dead_at_once(queue, fake_odoo) -> None:
    fake_odoo.rejecting_types.add("woo.order.created")
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    assert status(queue, envelope) == JobStatus.FAILED
    assert fake_odoo.ledger[envelope["idempotency_key"]]["attempts"] == 1
    assert envelope["event_id"] in fake_odoo.dead


def in_background(steps) -> tuple[threading.Thread, list]:
    """Run `steps` beside the worker (which needs the main thread for its signal handlers)."""
    seen: list = []
    thread = threading.Thread(target=steps, args=(seen,), daemon=True)
    thread.start()
    return thread, seen


def test_odoo_outage_dead_letters_nothing_and_work_resumes_by_itself(queue, fake_odoo) -> None:
    envelopes = [fresh("woo.order.updated", id=9000 + n) for n in range(5)]
    fake_odoo.answer_503 = True  # first a proxy in front of a stopped Odoo ...
    for envelope in envelopes:
        enqueue_envelope(queue, envelope, NO_WAIT)

    def outage(seen: list) -> None:
        time.sleep(1.0)
        fake_odoo.stop()  # ... then nothing listening at all
        time.sleep(1.5)
        seen.append(FailedJobRegistry(queue=queue).count)
        fake_odoo.answer_503 = False
        fake_odoo.start()  # Odoo is back

    thread, failed_during_outage = in_background(outage)
    started = time.monotonic()
    work(queue)  # returns once every event went through
    thread.join()
    assert time.monotonic() - started >= 2.5, "the worker waited for Odoo"
    assert failed_during_outage == [0]
    assert FailedJobRegistry(queue=queue).count == 0
    assert sorted(fake_odoo.processed_keys()) == sorted(e["idempotency_key"] for e in envelopes)
    assert all(status(queue, envelope) == JobStatus.FINISHED for envelope in envelopes)
    assert all(
        Job.fetch(e["event_id"], connection=queue.connection).retries_left == 3 for e in envelopes
    ), "waiting for Odoo used up no retries"


def test_a_wrong_api_key_waits_and_health_knows_at_once(queue, fake_odoo, monkeypatch) -> None:
    monkeypatch.setenv("ODOO_API_KEY", "wrong")
    odoo.default_client.cache_clear()
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope, NO_WAIT)

    def fix_the_key(seen: list) -> None:
        time.sleep(1.0)
        seen.append(FailedJobRegistry(queue=queue).count)
        seen.append(read_odoo_access_report(queue.connection))
        fake_odoo.api_key = "wrong"  # the operator fixes the key on the Odoo side

    thread, seen = in_background(fix_the_key)
    work(queue)
    thread.join()
    failed_meanwhile, report_meanwhile = seen
    assert failed_meanwhile == 0
    assert (
        report_meanwhile["refused"]
        and "refuses the workers' API key" in (report_meanwhile["warning"])
    ), "the worker told /health, not the next hourly check"
    assert status(queue, envelope) == JobStatus.FINISHED
    assert read_odoo_access_report(queue.connection)["refused"] is False, "and that it is over"


def test_odoo_without_the_module_or_behind_a_login_page_waits(queue, fake_odoo) -> None:
    """A 404 (module missing, wrong database) or a 200 that is no JSON-RPC says nothing about
    the events: they wait, using up no retry and dead-lettering nothing."""
    for flag in ("answer_404", "answer_html"):
        envelope = fresh("woo.order.created", id=9100 + len(flag))
        enqueue_envelope(queue, envelope, NO_WAIT)
        setattr(fake_odoo, flag, True)

        def fix(seen: list, flag=flag) -> None:
            time.sleep(1.0)
            seen.append(FailedJobRegistry(queue=queue).count)
            setattr(fake_odoo, flag, False)

        thread, failed_meanwhile = in_background(fix)
        work(queue)
        thread.join()
        assert failed_meanwhile == [0], flag
        job = Job.fetch(envelope["event_id"], connection=queue.connection)
        assert (job.get_status(), job.retries_left) == (JobStatus.FINISHED, 3), flag


def test_an_event_runs_in_the_workers_process_and_its_heartbeat_goes_on(
    queue, fake_odoo, monkeypatch
) -> None:
    """No work horse for an event: RelayWorker runs it itself, and a thread renews the job's
    place in RQ's started registry while it waits for Odoo, as RQ's worker does for a horse."""
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("an event's job forked a work horse"))
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope, NO_WAIT)
    fake_odoo.stall_seconds = 3.5
    started = StartedJobRegistry(queue=queue)
    job_id = envelope["event_id"]

    def expiry() -> float | None:
        """When RQ would take the job for abandoned (its execution's score)."""
        scores = started.connection.zrange(started.key, 0, -1, withscores=True)
        return next((score for key, score in scores if key.decode().startswith(job_id)), None)

    def watch(seen: list) -> None:
        deadline = time.monotonic() + 10
        while not fake_odoo.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(expiry())
        time.sleep(2.5)
        seen.append(expiry())

    thread, expiries = in_background(watch)
    threads_before = threading.active_count()
    RelayWorker([queue], connection=queue.connection, job_monitoring_interval=1).work(burst=True)
    thread.join()
    assert status(queue, envelope) == JobStatus.FINISHED
    assert fake_odoo.processed_keys() == [envelope["idempotency_key"]]
    first, later = expiries
    assert first and later and later >= first + 2, f"the heartbeat was not renewed: {expiries}"
    assert started.count == 0, "no heartbeat after the job's end put it back"
    assert threading.active_count() <= threads_before, "the heartbeat thread is gone"


def test_worker_killed_mid_job_loses_nothing(queue, fake_odoo, settings, tmp_path) -> None:
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope, NO_WAIT)
    fake_odoo.stall_seconds = 30  # Odoo applies the event, the worker dies before the answer
    worker = WorkerProcess(dict(os.environ, REDIS_URL=settings.redis_url), tmp_path / "worker.log")
    deadline = time.monotonic() + 20
    while not fake_odoo.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake_odoo.calls, "the worker never called Odoo"
    worker.kill()  # SIGKILL to the worker and its work horse
    assert not processes_marked(PROCESS_MARKER_VARIABLE, worker.marker)
    started = StartedJobRegistry(queue=queue)
    assert envelope["event_id"] in started.get_job_ids()

    fake_odoo.stall_seconds = 0
    # RQ's abandoned-job handling, as it runs once the dead worker's heartbeat has expired:
    started.cleanup(timestamp=time.time() + 3600)
    assert status(queue, envelope) == JobStatus.QUEUED
    work(queue)
    job = Job.fetch(envelope["event_id"], connection=queue.connection)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value()["status"] == "duplicate", "the ledger made the second run harmless"
    assert fake_odoo.processed_keys() == [envelope["idempotency_key"]]


def test_replay_requeues_dead_letters_with_fresh_retries(
    queue, fake_odoo, settings, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    fake_odoo.failing_types |= {"woo.order.updated", "woo.customer.updated"}
    order, customer = fresh("woo.order.updated"), fresh("woo.customer.updated")
    enqueue_envelope(queue, order, NO_WAIT)
    enqueue_envelope(queue, customer, NO_WAIT)
    work(queue)
    assert FailedJobRegistry(queue=queue).count == 2
    fake_odoo.failing_types.clear()  # the cause is fixed

    assert cli_main(["replay"]) == 2
    assert cli_main(["replay", "--event-id", "no-such-event"]) == 1
    assert cli_main(["replay", "--type", "woo.order.updated"]) == 0
    out = capsys.readouterr().out
    assert f"requeued {order['event_id']}" in out and "1 dead letter(s) requeued" in out
    job = Job.fetch(order["event_id"], connection=queue.connection)
    assert job.retries_left == 3
    assert job.args[0]["meta"]["replay_of"] == order["event_id"]
    work(queue)
    assert status(queue, order) == JobStatus.FINISHED
    assert FailedJobRegistry(queue=queue).get_job_ids() == [customer["event_id"]]

    assert cli_main(["replay", "--all"]) == 0
    work(queue)
    assert FailedJobRegistry(queue=queue).count == 0
    assert sorted(fake_odoo.processed_keys()) == sorted(
        [order["idempotency_key"], customer["idempotency_key"]]
    )


def test_rq_requeue_keeps_working(queue, fake_odoo) -> None:
    fake_odoo.failing_types.add("woo.order.updated")
    envelope = fresh("woo.order.updated")
    enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    fake_odoo.failing_types.clear()
    FailedJobRegistry(queue=queue).requeue(envelope["event_id"])  # what `rq requeue` does
    work(queue)
    assert status(queue, envelope) == JobStatus.FINISHED


def test_a_killed_workers_job_runs_again_within_a_minute(queue, fake_odoo, settings, tmp_path):
    """`python -m relay worker` processes as deployed: one is SIGKILLed mid-job, another picks
    the job up within a minute, without using up a retry (relay/work/worker.py says how)."""
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope)  # production retry intervals: 10, 60, 300 s
    fake_odoo.stall_seconds = 30
    env = dict(os.environ, REDIS_URL=settings.redis_url)
    doomed = WorkerProcess(env, tmp_path / "doomed.log", burst=False)
    survivor = None
    try:
        deadline = time.monotonic() + 20
        while not fake_odoo.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake_odoo.calls, "the worker never called Odoo"
        survivor = WorkerProcess(env, tmp_path / "survivor.log", burst=False)
        doomed.kill()
        killed_at = time.monotonic()
        fake_odoo.stall_seconds = 0
        while status(queue, envelope) != JobStatus.FINISHED:
            assert time.monotonic() - killed_at < 60, survivor.log()[-3000:]
            time.sleep(0.5)
        job = Job.fetch(envelope["event_id"], connection=queue.connection)
        assert job.return_value()["status"] == "duplicate"
        assert job.retries_left == 3, "being abandoned used up no retry"
        assert job.get_retry_interval() == 10, "later retries keep their intervals"
    finally:
        doomed.stop()
        if survivor is not None:
            survivor.stop()


def test_a_dead_letter_is_kept_as_long_as_odoo_keeps_payloads(queue, monkeypatch) -> None:
    envelope = fresh("woo.order.created")
    enqueue_envelope(queue, envelope)
    assert Job.fetch(envelope["event_id"], connection=queue.connection).failure_ttl == 90 * 86400
    monkeypatch.setenv("PAYLOAD_RETENTION_DAYS", "30")
    other = fresh("woo.order.updated")
    enqueue_envelope(queue, other)
    assert Job.fetch(other["event_id"], connection=queue.connection).failure_ttl == 30 * 86400
