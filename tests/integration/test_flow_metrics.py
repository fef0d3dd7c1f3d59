"""What /metrics and /health tell of the flow (relay/pipeline/flow.py): events finished per store
and outcome and the lag of live ones, counted by real RQ workers in the real Redis; the age of the
oldest queued job, and /health degraded once it passes BACKLOG_WARN_SECONDS."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue
from rq.job import Job

from relay.config import Settings
from relay.ingress.app import create_app
from relay.pipeline.envelope import format_utc
from relay.pipeline.flow import oldest_queued_age
from relay.pipeline.queueing import MAINTENANCE_QUEUE, enqueue_envelope
from tests.conftest import ONE_STORE
from tests.integration.test_worker import NO_WAIT, fresh, work

STORE = "default"  # the name of the one store of WOO_STORE_URL


def live(event_type: str, received_seconds_ago: float, **data) -> dict:
    envelope = fresh(event_type, **data)
    received = datetime.now(UTC) - timedelta(seconds=received_seconds_ago)
    envelope["meta"] = dict(envelope["meta"], received_at=format_utc(received))
    return envelope


def sample(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return None


async def test_outcomes_and_lag_counted_by_the_workers(
    aiohttp_client, settings: Settings, queue: Queue, fake_odoo
) -> None:
    assert ONE_STORE.only is not None and ONE_STORE.only.identity == "shop.example.com"
    assert ONE_STORE.only.name == STORE
    order = live("woo.order.created", 3)
    same_again = dict(order, event_id=fresh("woo.order.created")["event_id"])
    broken = live("woo.order.updated", 1)
    fake_odoo.failing_types.add("woo.order.updated")
    for envelope in (order, same_again, broken):
        enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)

    client = await aiohttp_client(create_app(settings, ONE_STORE))
    text = await (await client.get("/metrics")).text()
    applied = {
        outcome: sample(text, "relay_events_applied_total", store=STORE, outcome=outcome)
        for outcome in ("processed", "duplicate", "failed", "dead")
    }
    assert applied == {"processed": 1, "duplicate": 1, "failed": 3, "dead": 1}
    # One lag, of the processed order received 3 s before: above 2.5 s, within 5 s.
    assert sample(text, "relay_event_lag_seconds_count", store=STORE) == 1
    assert sample(text, "relay_event_lag_seconds_bucket", store=STORE, le="2.5") == 0
    assert sample(text, "relay_event_lag_seconds_bucket", store=STORE, le="5.0") == 1
    assert 3 <= sample(text, "relay_event_lag_seconds_sum", store=STORE) < 60


async def test_an_event_the_reconcile_read_is_counted_without_a_lag(
    aiohttp_client, settings: Settings, queue: Queue, fake_odoo
) -> None:
    envelope = live("woo.order.created", 7200)
    envelope["meta"]["reconciled"] = True
    enqueue_envelope(queue, envelope, NO_WAIT)
    work(queue)
    client = await aiohttp_client(create_app(settings, ONE_STORE))
    text = await (await client.get("/metrics")).text()
    assert sample(text, "relay_events_applied_total", store=STORE, outcome="processed") == 1
    assert sample(text, "relay_event_lag_seconds_count", store=STORE) is None


def age_by(queue: Queue, job_id: str, seconds: int) -> None:
    job = Job.fetch(job_id, connection=queue.connection)
    job.enqueued_at = datetime.now(UTC) - timedelta(seconds=seconds)
    job.save()


async def test_a_backlog_past_the_threshold_degrades_health_and_shows_in_metrics(
    aiohttp_client, settings: Settings, queue: Queue
) -> None:
    client = await aiohttp_client(
        create_app(replace(settings, backlog_warn_seconds=300), ONE_STORE)
    )
    health = await (await client.get("/health")).json()
    assert health["backlog"]["oldest_age_seconds"] == {"woo-events": 0, MAINTENANCE_QUEUE: 0}
    assert health["status"] == "ok"

    older, newer = live("woo.order.created", 0), live("woo.order.created", 0)
    enqueue_envelope(queue, older)
    enqueue_envelope(queue, newer)
    age_by(queue, older["event_id"], 900)
    assert 899 <= oldest_queued_age(queue) < 960, "the head of the queue is its oldest job"

    health = await (await client.get("/health")).json()
    assert health["status"] == "degraded"
    (problem,) = [p for p in health["problems"] if "oldest job" in p]
    assert "woo-events has waited 15 min" in problem and "BACKLOG_WARN_SECONDS" in problem
    text = await (await client.get("/metrics")).text()
    age = sample(text, "relay_queue_oldest_age_seconds", queue="woo-events", store=STORE)
    assert 899 <= age < 960

    Job.fetch(older["event_id"], connection=queue.connection).delete()
    assert oldest_queued_age(queue) < 60, "a job deleted at the head: the next one counts"
    health = await (await client.get("/health")).json()
    assert not [p for p in health["problems"] if "oldest job" in p]


def test_an_empty_queue_has_no_age(redis_url: str) -> None:
    assert oldest_queued_age(Queue("empty", connection=Redis.from_url(redis_url))) is None
