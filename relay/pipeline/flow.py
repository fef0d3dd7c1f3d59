"""How events flow, kept in Redis so that every worker adds to the same numbers and the relay's
/metrics reads them: events applied per store and outcome, the end-to-end lag (delivery
accepted by the relay → applied in Odoo) as a histogram, and the age of the oldest event still
queued, per queue and store. Redis counts by the store's identity (its address, which a
rename in the stores file does not change); /metrics labels it with the store's name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import Job

from relay.config import store_identity
from relay.pipeline.dead_letters import format_age
from relay.pipeline.envelope import parse_woo_datetime
from relay.pipeline.queueing import PROCESS_EVENT

OUTCOMES_KEY = "elitaco:flow:outcomes"
LAG_KEY = "elitaco:flow:lag"
# Seconds; a live event takes well under one, a backlog drained after an outage hours.
LAG_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0)
# Jobs read from a queue's head to find each store's oldest; a store whose first job lies
# deeper waits less than the last one read, and is not told.
BACKLOG_SCAN = 200


@dataclass(frozen=True)
class Lag:
    store: str
    buckets: dict[float, int]  # cumulative counts per upper bound, +Inf included
    total_seconds: float
    count: int


@dataclass
class FlowSnapshot:
    outcomes: dict[tuple[str, str], int] = field(default_factory=dict)  # (store, outcome)
    lags: list[Lag] = field(default_factory=list)
    oldest_ages: dict[tuple[str, str], float] = field(default_factory=dict)  # (queue, store)


def read_flow(connection: Redis, queue_names: list[str], names: Mapping[str, str]) -> FlowSnapshot:
    """Everything /metrics shows of the flow, in one read. `names`: the short name of each
    store served, by identity; a store not among them (gone from the stores file) is
    labelled with its identity."""
    oldest_ages: dict[tuple[str, str], float] = {}
    for name in queue_names:
        ages = oldest_queued_by_store(Queue(name, connection=connection), set(names))
        for identity in {*names, *ages}:
            oldest_ages[(name, names.get(identity, identity))] = ages.get(identity, 0.0)
    return FlowSnapshot(
        outcomes=_relabelled(outcomes(connection), names),
        lags=[replace(lag, store=names.get(lag.store, lag.store)) for lag in lags(connection)],
        oldest_ages=oldest_ages,
    )


def _relabelled(
    counts: dict[tuple[str, str], int], names: Mapping[str, str]
) -> dict[tuple[str, str], int]:
    labelled: dict[tuple[str, str], int] = {}
    for (store, outcome), count in counts.items():
        key = (names.get(store, store), outcome)
        labelled[key] = labelled.get(key, 0) + count
    return labelled


def backlog_problem(snapshot: FlowSnapshot, warn_seconds: float) -> str | None:
    """The queue whose oldest job has waited past BACKLOG_WARN_SECONDS, in words."""
    waiting = {queue: age for (queue, _store), age in snapshot.oldest_ages.items()}
    late = {queue: age for queue, age in waiting.items() if age > warn_seconds}
    if not late:
        return None
    queue, age = max(late.items(), key=lambda item: item[1])
    return (
        f"the oldest job on {queue} has waited {format_age(age)} (BACKLOG_WARN_SECONDS: "
        f"{format_age(warn_seconds)}): are the workers running and is Odoo answering? "
        "See the RQ dashboard's workers and `docker compose logs worker`"
    )


def record_outcome(
    connection: Redis, envelope: dict[str, Any], outcome: str, now: datetime | None = None
) -> None:
    """Count one finished event; an applied one also gives its lag. Live deliveries only: an
    event the reconcile or an import read has no delivery to measure from."""
    meta = envelope.get("meta") or {}
    store = store_identity(meta.get("store_url") or "") or "unknown"
    live = not meta.get("reconciled") and not meta.get("import_id")
    received = parse_woo_datetime(meta.get("received_at")) if live else None
    with connection.pipeline(transaction=False) as pipe:
        pipe.hincrby(OUTCOMES_KEY, f"{store}|{outcome}", 1)
        if outcome == "processed" and received is not None:
            lag = max(0.0, ((now or datetime.now(UTC)) - received).total_seconds())
            for bound in (*LAG_BUCKETS, "+Inf"):
                if bound == "+Inf" or lag <= bound:
                    pipe.hincrby(LAG_KEY, f"{store}|{bound}", 1)
            pipe.hincrbyfloat(LAG_KEY, f"{store}|sum", lag)
        pipe.execute()


def outcomes(connection: Redis) -> dict[tuple[str, str], int]:
    counts = {}
    for key, value in connection.hgetall(OUTCOMES_KEY).items():
        store, outcome = key.decode().rsplit("|", 1)
        counts[(store, outcome)] = int(value)
    return counts


def lags(connection: Redis) -> list[Lag]:
    per_store: dict[str, dict[str, bytes]] = {}
    for key, value in connection.hgetall(LAG_KEY).items():
        store, bound = key.decode().rsplit("|", 1)
        per_store.setdefault(store, {})[bound] = value
    found = []
    for store, values in per_store.items():
        buckets = {bound: int(values.get(str(bound), 0)) for bound in LAG_BUCKETS}
        buckets[float("inf")] = int(values.get("+Inf", 0))
        found.append(Lag(store, buckets, float(values.get("sum", 0)), buckets[float("inf")]))
    return found


def oldest_queued_age(queue: Queue, now: datetime | None = None) -> float | None:
    """Seconds the job at the head of the queue has waited since it was enqueued; None when the
    queue is empty. RQ serves a queue in order, so the head is the oldest."""
    # A head job deleted meanwhile is None here: the next one counts.
    for job in Job.fetch_many(queue.get_job_ids(0, 10), connection=queue.connection):
        if job is not None and job.enqueued_at is not None:
            enqueued = job.enqueued_at
            if enqueued.tzinfo is None:
                enqueued = enqueued.replace(tzinfo=UTC)
            return max(0.0, ((now or datetime.now(UTC)) - enqueued).total_seconds())
    return None


def job_store(job: Job) -> str | None:
    """The identity of the store a job works for: its event's, or the one a per-store job
    was enqueued for (job.meta["store"]); None for a job of every store."""
    if job.meta.get("store"):
        return str(job.meta["store"])
    if job.func_name == PROCESS_EVENT and job.args and isinstance(job.args[0], dict):
        store_url = (job.args[0].get("meta") or {}).get("store_url")
        return store_identity(store_url) if store_url else None
    return None


def oldest_queued_by_store(
    queue: Queue, stores: set[str], now: datetime | None = None, scan: int = BACKLOG_SCAN
) -> dict[str, float]:
    """Seconds the oldest queued job of each store has waited, by identity, read from the
    queue's head (the oldest first) until every one of `stores` is found or `scan` jobs were
    read. A job of every store counts for each of `stores`; a store with nothing queued (or
    nothing within `scan`) is absent."""
    ages: dict[str, float] = {}
    now = now or datetime.now(UTC)
    start, chunk = 0, 10  # one store's oldest is the head: a few jobs read, most of the time
    while start < scan:
        job_ids = queue.get_job_ids(start, chunk)
        for job in Job.fetch_many(job_ids, connection=queue.connection):
            if job is None or job.enqueued_at is None:
                continue
            enqueued = job.enqueued_at
            if enqueued.tzinfo is None:
                enqueued = enqueued.replace(tzinfo=UTC)
            age = max(0.0, (now - enqueued).total_seconds())
            store = job_store(job)
            for identity in [store] if store else stores:
                ages.setdefault(identity, age)
        if len(job_ids) < chunk or (stores and stores <= ages.keys()):
            break
        start, chunk = start + chunk, 50
    return ages
