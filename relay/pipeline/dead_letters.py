"""The dead letters and the workers' newest error, read from RQ's failed-job registries for
/health and /metrics.

- Dead letters: the jobs in RQ's failed-job registry of the events queue (what the RQ dashboard
  shows as its failed jobs). Each waits for a person: replayed from Odoo (Integration › Dead
  letters), where relay.jobs.sync_dead_letters then takes it out of RQ, or with `python -m
  relay replay`. /health is degraded while there is one, however old.
- The workers' newest error: of the jobs in the failed-job registries of the events queue and
  of woo-maintenance (reconciliation, outbox pushes, imports, key checks), the one whose last
  attempt ended last (the job's `ended_at`, which RQ sets when an attempt ends), with the last
  line of its traceback (RQ's result of that attempt). It is recent for RECENT_ERROR after
  that: a maintenance job runs again by itself, so its failure degrades /health only while
  recent. Retries under way are not failures yet: an event is a dead letter after its last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.utils import utcparse

from relay.pipeline.envelope import format_utc
from relay.pipeline.queueing import MAINTENANCE_QUEUE

RECENT_ERROR = timedelta(hours=1)
# Jobs read at each end of a registry (its scores are failure time + failure TTL, and the jobs
# of one queue share a TTL, so the oldest and newest failures are at its ends); a registry this
# size or smaller is read whole.
ENDS = 100
WHAT_TO_DO = (
    "see Integration › Dead letters in Odoo, replay them after fixing the cause (those that never "
    "reached Odoo: python -m relay replay)"
)


@dataclass(frozen=True)
class Failure:
    queue: str
    job_id: str
    failed_at: datetime


def failure_report(
    connection: Redis, events_queue: str, now: datetime | None = None
) -> dict[str, Any]:
    """{"dead_letters": {...}, "last_error": {...} or None}, as /health shows them."""
    now = now or datetime.now(UTC)
    registry = FailedJobRegistry(events_queue, connection=connection)
    count = registry.count
    dead = _failures(connection, registry)
    maintenance = _failures(connection, FailedJobRegistry(MAINTENANCE_QUEUE, connection=connection))
    oldest = min(dead, key=lambda failure: failure.failed_at, default=None)
    newest = max(dead + maintenance, key=lambda failure: failure.failed_at, default=None)
    dead_letters: dict[str, Any] = {
        "queue": events_queue,
        "count": count,
        "oldest_failed_at": format_utc(oldest.failed_at) if oldest else None,
        "oldest_age_seconds": _age(oldest, now) if oldest else None,
        "problem": None,
    }
    if count:
        age = f", oldest {format_age(dead_letters['oldest_age_seconds'])}" if oldest else ""
        noun = "dead letter" if count == 1 else "dead letters"
        dead_letters["problem"] = f"{count} {noun}{age}: {WHAT_TO_DO}"
    return {"dead_letters": dead_letters, "last_error": _last_error(connection, newest, now)}


def problems(report: dict[str, Any]) -> list[str]:
    """What of the report needs a person, in words: the dead letters, and a recent error that
    is not one of them."""
    found = []
    if report["dead_letters"]["problem"]:
        found.append(report["dead_letters"]["problem"])
    error = report["last_error"]
    if error and error["recent"] and error["queue"] != report["dead_letters"]["queue"]:
        found.append(
            f"the workers' last error, {format_age(error['age_seconds'])} ago: "
            f"{error['function']} failed on {error['queue']}: {error['error']}; see the RQ "
            f"dashboard's failed jobs of {error['queue']}"
        )
    return found


def format_age(seconds: float) -> str:
    """An age as a person reads it: 45 s, 12 min, 1 h, 3 d."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def _failures(connection: Redis, registry: FailedJobRegistry) -> list[Failure]:
    """The jobs at both ends of the registry, each with when its last attempt ended."""
    key = registry.key
    if connection.zcard(key) <= 2 * ENDS:
        entries = connection.zrange(key, 0, -1, withscores=True)
    else:
        entries = connection.zrange(key, 0, ENDS - 1, withscores=True)
        entries += connection.zrange(key, -ENDS, -1, withscores=True)
    with connection.pipeline(transaction=False) as pipe:
        for job_id, _score in entries:
            pipe.hmget(Job.key_for(job_id.decode()), "ended_at", "failure_ttl")
        fields = pipe.execute()
    failures = []
    for (job_id, score), (ended_at, failure_ttl) in zip(entries, fields, strict=True):
        if ended_at:
            failed_at = utcparse(ended_at.decode())
        elif failure_ttl:  # a job RQ failed without running it (abandoned by a killed worker)
            failed_at = datetime.fromtimestamp(score - int(failure_ttl), UTC)
        else:
            continue  # gone meanwhile, or never ran
        failures.append(Failure(registry.name, job_id.decode(), failed_at))
    return failures


def _last_error(connection: Redis, newest: Failure | None, now: datetime) -> dict[str, Any] | None:
    if newest is None:
        return None
    function = error = None
    try:
        job = Job.fetch(newest.job_id, connection=connection)
        function = job.func_name
        result = job.latest_result()
    except Exception as exc:  # noqa: BLE001 - gone meanwhile, or a job this code cannot load
        error = f"the job cannot be read: {type(exc).__name__}: {exc}"
    else:
        error = _last_line(result.exc_string if result else None)
    age = _age(newest, now)
    return {
        "queue": newest.queue,
        "job_id": newest.job_id,
        "function": function,
        "failed_at": format_utc(newest.failed_at),
        "age_seconds": age,
        "error": error,
        "recent": age < RECENT_ERROR.total_seconds(),
    }


def _last_line(traceback: str | None, limit: int = 500) -> str | None:
    lines = [line.strip() for line in (traceback or "").splitlines() if line.strip()]
    return lines[-1][:limit] if lines else None


def _age(failure: Failure, now: datetime) -> int:
    return max(int((now - failure.failed_at).total_seconds()), 0)
