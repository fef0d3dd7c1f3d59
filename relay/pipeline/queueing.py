"""The RQ queues and job names both halves use, and putting envelopes on RQ at most once per
event_id even when a spool is drained twice."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

# RQ stores a job's function by this name in Redis, for queued, scheduled and dead-lettered jobs
# alike: these names stay as they are whatever the code's layout (relay/jobs.py).
PROCESS_EVENT = "relay.jobs.process_event"
REREAD_ORDER = "relay.jobs.reread_order"
RECONCILE_RECENT = "relay.jobs.reconcile_recent"
RUN_IMPORT = "relay.jobs.run_import"
# Reconciliation, outbox pushes and access checks: workers serve it before the events, so that
# a backlog of events never starves them.
MAINTENANCE_QUEUE = "woo-maintenance"
ENQUEUED_MARKER_TTL = 7 * 24 * 3600
# Default backoff between the 3 retries of a processing failure (RQ's scheduler runs them);
# RELAY_RETRY_INTERVALS overrides it.
RETRY_INTERVALS = [10, 60, 300]
RECONCILE_SOON = timedelta(seconds=5)
RECONCILE_SOON_JOB_ID = "reconcile-orders-soon"


def dead_letter_ttl() -> int:
    """Seconds RQ keeps a dead letter (an envelope, with the customer's data in it): as long as
    Odoo keeps payloads, PAYLOAD_RETENTION_DAYS (90); Odoo keeps dead events' payloads for a
    replay from there."""
    return int(os.environ.get("PAYLOAD_RETENTION_DAYS") or 90) * 24 * 3600


class NotReplicated(RedisError):
    """The primary has the jobs, but fewer replicas than required acknowledged them in time: a
    failover now could lose them, so the delivery is spooled (the drain skips what the primary
    kept, and enqueues again what a failover lost)."""


def wait_for_replicas(connection: Redis, replicas: int, timeout: float) -> None:
    """Redis WAIT after this connection's last write; NotReplicated when too few answered.
    The connection must be a pinned one (relay.redis_connection)."""
    if replicas <= 0:
        return
    acknowledged = connection.wait(replicas, max(1, int(timeout * 1000)))
    if acknowledged < replicas:
        raise NotReplicated(
            f"{acknowledged} of the {replicas} replica(s) RELAY_REDIS_MIN_REPLICAS requires "
            f"acknowledged the write within {timeout:g} s"
        )


def enqueued_marker(event_id: str) -> str:
    return f"elitaco:enqueued:{event_id}"


def was_enqueued(connection: Redis, event_id: str) -> bool:
    return bool(connection.exists(enqueued_marker(event_id)))


def enqueue_envelopes(
    queue: Queue,
    envelopes: list[dict[str, Any]],
    retry_intervals: list[int] | None = None,
    min_replicas: int = 0,
    replica_timeout: float = 1.0,
) -> None:
    """Enqueue `relay.jobs.process_event(envelope)` for each, with its marker, in one MULTI/EXEC:
    either all of them are on the queue afterwards or none is. With `min_replicas`, return only
    once that many replicas have them too (else NotReplicated).

    No job timeout: while Odoo is down a job waits for it (relay.jobs.until_odoo_answers)
    rather than failing; every call to Odoo has its own connect and read timeouts.
    """
    intervals = RETRY_INTERVALS if retry_intervals is None else retry_intervals
    with queue.connection.pipeline(transaction=True) as pipe:
        for envelope in envelopes:
            queue.enqueue_call(
                PROCESS_EVENT,
                args=(envelope,),
                job_id=envelope["event_id"],
                description=f"{envelope['event_type']} {envelope['idempotency_key']}",
                meta={
                    "trace_id": envelope["trace_id"],
                    "idempotency_key": envelope["idempotency_key"],
                    "event_type": envelope["event_type"],
                },
                retry=Retry(max=len(intervals), interval=intervals),
                timeout=-1,
                failure_ttl=dead_letter_ttl(),
                pipeline=pipe,
            )
            pipe.set(enqueued_marker(envelope["event_id"]), 1, ex=ENQUEUED_MARKER_TTL)
        pipe.execute()
    wait_for_replicas(queue.connection, min_replicas, replica_timeout)


def enqueue_envelope(
    queue: Queue,
    envelope: dict[str, Any],
    retry_intervals: list[int] | None = None,
    min_replicas: int = 0,
    replica_timeout: float = 1.0,
) -> None:
    enqueue_envelopes(queue, [envelope], retry_intervals, min_replicas, replica_timeout)


def enqueue_unless_enqueued(
    queue: Queue,
    envelope: dict[str, Any],
    retry_intervals: list[int] | None = None,
    min_replicas: int = 0,
    replica_timeout: float = 1.0,
) -> bool:
    """For the spool drain: a line whose event was already enqueued is skipped, once the
    replicas have it too (it may have been spooled because they had not acknowledged it)."""
    marker = enqueued_marker(envelope["event_id"])
    if was_enqueued(queue.connection, envelope["event_id"]):
        if min_replicas:
            # A write of this connection after the job's, for WAIT to wait on: replication is
            # in order, so a replica that has it has the job and the marker before it.
            queue.connection.expire(marker, ENQUEUED_MARKER_TTL)
            wait_for_replicas(queue.connection, min_replicas, replica_timeout)
        return False
    enqueue_envelope(queue, envelope, retry_intervals, min_replicas, replica_timeout)
    return True


def schedule_reconcile_soon(connection: Redis) -> None:
    """Run relay.jobs.reconcile_recent in a few seconds (one pending run, however many ask)."""
    Queue(MAINTENANCE_QUEUE, connection=connection).enqueue_in(
        RECONCILE_SOON, RECONCILE_RECENT, job_id=RECONCILE_SOON_JOB_ID
    )
