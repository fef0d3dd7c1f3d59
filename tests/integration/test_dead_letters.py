"""Dead letters, one truth (issue 26, item 11): /health and /metrics count the dead letters
with the age of the oldest and say what to do, the workers' newest error turns /health degraded
while it is recent, and the dead letters Odoo has done meanwhile (a Replay in Odoo) leave RQ's
failed jobs (relay.jobs.sync_dead_letters) and are not requeued by `python -m relay replay`.
Real Redis, real RQ workers, the fake Odoo."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from rq.utils import utcformat

from relay.cli import main as cli_main
from relay.clients.odoo import default_client
from relay.pipeline.queueing import MAINTENANCE_QUEUE, REREAD_ORDER, enqueue_envelope
from tests.integration.test_worker import NO_WAIT, fresh, work


def make_dead_letters(queue: Queue, fake_odoo, count: int) -> list[dict]:
    """`count` orders Odoo rejects as they are: each is a dead letter at once."""
    fake_odoo.rejecting_types.add("woo.order.created")
    envelopes = [fresh("woo.order.created", id=70_000 + n) for n in range(count)]
    for envelope in envelopes:
        enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    assert FailedJobRegistry(queue=queue).count == count
    return envelopes


def failed_ago(queue: Queue, job_id: str, ago: timedelta) -> None:
    """The job's last attempt ended `ago` before now (RQ keeps it as the job's ended_at)."""
    ended = datetime.now(UTC) - ago
    queue.connection.hset(Job.key_for(job_id), "ended_at", utcformat(ended))


def failing_maintenance_job(queue: Queue, monkeypatch) -> Job:
    """relay.jobs.reconcile_recent without a WooCommerce REST key: it fails, as a cron job
    does, into the failed jobs of woo-maintenance."""
    for name in ("WOO_STORE_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue("relay.jobs.reconcile_recent")
    SimpleWorker([maintenance], connection=queue.connection).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FAILED
    return job


async def health(client) -> dict:
    response = await client.get("/health")
    assert response.status == 200
    return await response.json()


async def metric(client, name: str) -> float:
    text = await (await client.get("/metrics")).text()
    [value] = [line.split(" ")[1] for line in text.splitlines() if line.startswith(name + " ")]
    return float(value)


# -------------------------------------------------------------------- /health, /metrics


async def test_dead_letters_make_health_degraded_with_how_many_how_old_and_what_to_do(
    client, queue, fake_odoo
) -> None:
    envelopes = make_dead_letters(queue, fake_odoo, 3)
    failed_ago(queue, envelopes[0]["event_id"], timedelta(hours=1, minutes=5))

    report = await health(client)
    assert report["status"] == "degraded"
    assert report["failed_jobs"] == 3, "the count stays where monitoring reads it"
    dead = report["dead_letters"]
    assert dead["queue"] == "woo-events" and dead["count"] == 3
    assert 3900 <= dead["oldest_age_seconds"] < 3960
    assert dead["oldest_failed_at"].endswith("Z")
    problem = (
        "3 dead letters, oldest 1 h: see Integration › Dead letters in Odoo, replay them "
        "after fixing the cause"
    )
    assert dead["problem"].startswith(problem), dead["problem"]
    assert "python -m relay replay" in dead["problem"], "for those that never reached Odoo"
    assert dead["problem"] in report["problems"]

    error = report["last_error"]
    assert error["queue"] == "woo-events" and error["function"] == "relay.jobs.process_event"
    assert error["job_id"] in {e["event_id"] for e in envelopes[1:]}, "the newest failure"
    assert error["age_seconds"] < 60 and error["recent"] is True
    assert "EventFailed" in error["error"] and "cannot apply woo.order.created" in error["error"]


async def test_a_single_old_dead_letter_still_needs_a_person(client, queue, fake_odoo) -> None:
    [envelope] = make_dead_letters(queue, fake_odoo, 1)
    failed_ago(queue, envelope["event_id"], timedelta(days=3, hours=2))
    report = await health(client)
    assert report["status"] == "degraded"
    assert report["dead_letters"]["problem"].startswith("1 dead letter, oldest 3 d:")
    assert report["last_error"]["recent"] is False


async def test_a_recent_maintenance_failure_degrades_health_for_an_hour(
    client, queue, monkeypatch
) -> None:
    assert (await health(client))["status"] == "ok"
    job = failing_maintenance_job(queue, monkeypatch)

    report = await health(client)
    assert report["status"] == "degraded"
    assert report["failed_jobs"] == 0 and report["dead_letters"]["count"] == 0
    assert report["dead_letters"]["problem"] is None
    error = report["last_error"]
    assert (error["queue"], error["job_id"]) == (MAINTENANCE_QUEUE, job.id)
    assert error["function"] == "relay.jobs.reconcile_recent" and error["recent"] is True
    assert "ConfigError" in error["error"] and "WOO_STORE_URL" in error["error"]
    [problem] = report["problems"]
    assert problem.startswith("the workers' last error, ")
    assert "relay.jobs.reconcile_recent failed on woo-maintenance: " in problem
    assert "the RQ dashboard's failed jobs of woo-maintenance" in problem

    failed_ago(queue, job.id, timedelta(hours=1, seconds=5))
    report = await health(client)
    assert report["status"] == "ok", report["problems"]
    assert report["last_error"]["job_id"] == job.id and report["last_error"]["recent"] is False
    assert report["problems"] == []


async def test_metrics_count_dead_letters_and_date_the_last_error(client, queue, fake_odoo):
    assert await metric(client, "relay_dead_letters") == 0
    assert await metric(client, "relay_dead_letter_oldest_age_seconds") == 0
    assert await metric(client, "relay_worker_last_error_timestamp_seconds") == 0
    envelopes = make_dead_letters(queue, fake_odoo, 2)
    failed_ago(queue, envelopes[1]["event_id"], timedelta(minutes=30))
    assert await metric(client, "relay_dead_letters") == 2
    assert 1800 <= await metric(client, "relay_dead_letter_oldest_age_seconds") < 1860
    last = await metric(client, "relay_worker_last_error_timestamp_seconds")
    assert abs(last - datetime.now(UTC).timestamp()) < 60


# -------------------------------------------------------------------- one truth with Odoo


def sync_job(queue: Queue) -> Job:
    """relay.jobs.sync_dead_letters as the cron has it run: on woo-maintenance, by a worker."""
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue("relay.jobs.sync_dead_letters")
    SimpleWorker([maintenance], connection=queue.connection).work(burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED, job.latest_result()
    return job


def failed_reread(queue: Queue, order_id: int = 4711) -> Job:
    """A dead relay.jobs.reread_order: in the same failed jobs, but no envelope in it."""
    job = queue.enqueue(REREAD_ORDER, order_id, job_id=f"reread-order-{order_id}")
    queue.remove(job)
    job.set_status(JobStatus.FAILED)
    FailedJobRegistry(queue=queue).add(job, ttl=3600, exc_string="requests.HTTPError: 502")
    return job


def test_dead_letters_odoo_has_done_leave_rqs_failed_jobs(queue, fake_odoo) -> None:
    done, ignored, still_dead, never_in_odoo = make_dead_letters(queue, fake_odoo, 4)
    fake_odoo.settle(done["idempotency_key"], "done")  # a manager replayed it in Odoo
    fake_odoo.settle(ignored["idempotency_key"], "ignored")  # stale by now: nothing to apply
    with fake_odoo.lock:  # it failed before it reached Odoo (reading WooCommerce, say)
        del fake_odoo.ledger[never_in_odoo["idempotency_key"]]
    reread = failed_reread(queue)

    answer = sync_job(queue).return_value()
    assert answer == {
        "dead_letters": 4,
        "removed": 2,
        "waiting": 1,
        "unknown_to_odoo": 1,
        "odoo_unavailable": False,
    }
    registry = FailedJobRegistry(queue=queue)
    assert sorted(registry.get_job_ids()) == sorted(
        [still_dead["event_id"], never_in_odoo["event_id"], reread.id]
    )
    for envelope in (done, ignored):
        assert not Job.exists(envelope["event_id"], connection=queue.connection), "deleted"
    assert fake_odoo.ledger[done["idempotency_key"]]["attempts"] == 1, "not applied again"

    assert sync_job(queue).return_value()["removed"] == 0, "nothing more to remove"


def test_odoo_is_asked_in_batches_by_event_id_and_idempotency_key(queue, fake_odoo) -> None:
    from relay.work import dead_letters

    envelopes = make_dead_letters(queue, fake_odoo, 5)
    for envelope in envelopes[:3]:
        fake_odoo.settle(envelope["idempotency_key"])

    report = dead_letters.sync_dead_letters(default_client(), queue, batch=2)
    assert (report.dead_letters, report.removed, report.waiting) == (5, 3, 2)
    assert [len(query) for query in fake_odoo.state_queries] == [4, 4, 2]
    asked = [ref for query in fake_odoo.state_queries for ref in query]
    for envelope in envelopes:
        assert envelope["event_id"] in asked and envelope["idempotency_key"] in asked


def test_a_duplicate_delivery_dead_under_another_event_id_is_settled_by_its_key(
    queue, fake_odoo
) -> None:
    """The ledger keeps the first event id of a key: a later delivery of the same state that
    died is found by its idempotency key."""
    [first] = make_dead_letters(queue, fake_odoo, 1)
    second = dict(first, event_id=str(uuid.uuid4()), trace_id=str(uuid.uuid4()))
    enqueue_envelope(queue, second, NO_WAIT)
    work(queue)
    assert FailedJobRegistry(queue=queue).count == 2
    fake_odoo.settle(first["idempotency_key"])
    assert sync_job(queue).return_value()["removed"] == 2
    assert FailedJobRegistry(queue=queue).count == 0


def test_odoo_unreachable_leaves_the_dead_letters_for_the_next_run(queue, fake_odoo) -> None:
    [envelope] = make_dead_letters(queue, fake_odoo, 1)
    fake_odoo.settle(envelope["idempotency_key"])
    fake_odoo.answer_503 = True
    assert sync_job(queue).return_value() == {
        "dead_letters": 1,
        "removed": 0,
        "waiting": 0,
        "unknown_to_odoo": 0,
        "odoo_unavailable": True,
    }
    assert FailedJobRegistry(queue=queue).count == 1
    fake_odoo.answer_503 = False
    assert sync_job(queue).return_value()["removed"] == 1


async def test_health_is_ok_again_once_odoo_replayed_the_dead_letters(
    client, queue, fake_odoo
) -> None:
    envelopes = make_dead_letters(queue, fake_odoo, 2)
    assert (await health(client))["status"] == "degraded"
    for envelope in envelopes:
        fake_odoo.settle(envelope["idempotency_key"])
    sync_job(queue)
    report = await health(client)
    assert report["failed_jobs"] == 0 and report["dead_letters"]["count"] == 0
    assert report["last_error"] is None, "the settled jobs are gone, their errors with them"
    assert report["status"] == "ok"


# -------------------------------------------------------------------- python -m relay replay


@pytest.fixture
def replay_env(settings, monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", settings.redis_url)


def test_replay_skips_and_removes_what_odoo_has_done(queue, fake_odoo, replay_env, capsys) -> None:
    settled, waiting = make_dead_letters(queue, fake_odoo, 2)
    fake_odoo.settle(settled["idempotency_key"])
    fake_odoo.rejecting_types.clear()  # the cause is fixed
    calls = len(fake_odoo.calls)

    assert cli_main(["replay", "--all"]) == 0
    out = capsys.readouterr().out
    assert f"already done in Odoo, not requeued: {settled['event_id']}" in out
    assert f"requeued {waiting['event_id']}" in out
    assert "1 dead letter(s) requeued on woo-events; 1 already done in Odoo removed from RQ" in out
    assert not Job.exists(settled["event_id"], connection=queue.connection)
    work(queue)
    assert [call["event_id"] for call in fake_odoo.calls[calls:]] == [waiting["event_id"]]
    assert FailedJobRegistry(queue=queue).count == 0


def test_replay_of_one_event_odoo_has_done(queue, fake_odoo, replay_env, capsys) -> None:
    [settled] = make_dead_letters(queue, fake_odoo, 1)
    fake_odoo.settle(settled["idempotency_key"])
    assert cli_main(["replay", "--event-id", settled["event_id"]]) == 0
    assert "already done in Odoo, not requeued" in capsys.readouterr().out
    assert FailedJobRegistry(queue=queue).count == 0 and queue.count == 0


def test_replay_without_odoo_access_requeues_and_says_so(
    queue, fake_odoo, replay_env, monkeypatch, capsys
) -> None:
    """The ledger makes a requeued event Odoo has done a harmless duplicate."""
    [settled] = make_dead_letters(queue, fake_odoo, 1)
    fake_odoo.settle(settled["idempotency_key"])
    monkeypatch.delenv("ODOO_API_KEY")
    assert cli_main(["replay", "--all"]) == 0
    captured = capsys.readouterr()
    assert "Odoo was not asked which of them it has done (no ODOO_API_KEY)" in captured.err
    assert f"requeued {settled['event_id']}" in captured.out
    work(queue)
    assert Job.fetch(settled["event_id"], connection=queue.connection).return_value()["status"] == (
        "duplicate"
    )


def test_replay_all_requeues_a_dead_job_that_carries_no_envelope(
    queue, fake_odoo, replay_env, capsys
) -> None:
    [envelope] = make_dead_letters(queue, fake_odoo, 1)
    reread = failed_reread(queue)
    assert cli_main(["replay", "--all"]) == 0
    out = capsys.readouterr().out
    assert f"requeued {reread.id}  {REREAD_ORDER}" in out
    assert sorted(queue.job_ids) == sorted([envelope["event_id"], reread.id])
    assert Job.fetch(reread.id, connection=queue.connection).args == (4711,)
