"""Is this host's worker, or RQ cron scheduler, alive? While its loop turns, each writes a
heartbeat to Redis under the name of its host: RQ's worker its hash's `last_heartbeat`, RQ's
cron scheduler its score in the scheduler registry. A process that hangs stops writing it.
`python -m relay healthcheck worker|cron` asks, for the compose healthchecks: in a container,
the host's name is the container's."""

from __future__ import annotations

from datetime import datetime

from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from rq.utils import now as utc_now

from relay.work.worker import JOB_MONITORING_INTERVAL, MAINTENANCE_INTERVAL

# An idle worker beats every MAINTENANCE_INTERVAL s (RelayWorker's worker_ttl - 15), a busy
# one every JOB_MONITORING_INTERVAL s: two beats missed and then some is a hung worker.
WORKER_MAX_AGE = 2 * max(MAINTENANCE_INTERVAL, JOB_MONITORING_INTERVAL) + 30
# RQ's cron loop beats, then sleeps until its next job is due, 60 s at most.
CRON_MAX_AGE = 90


def worker_heartbeat_age(
    connection: Redis, hostname: str, now: datetime | None = None
) -> float | None:
    """Seconds since the freshest heartbeat of a worker on `hostname`; None when it has none
    registered (a worker that stopped cleanly unregisters; a killed one expires)."""
    now = now or utc_now()
    beats = [
        worker.last_heartbeat
        for worker in Worker.all(connection=connection)
        if worker.hostname == hostname and worker.last_heartbeat is not None
    ]
    return (now - max(beats)).total_seconds() if beats else None


def cron_heartbeat_age(
    connection: Redis, hostname: str, now: datetime | None = None
) -> float | None:
    """Seconds since the freshest heartbeat of an RQ cron scheduler on `hostname`; None when
    none is registered (RQ drops one that has not beaten for 120 s)."""
    now = now or utc_now()
    beats = [
        scheduler.last_heartbeat
        for scheduler in CronScheduler.all(connection, cleanup=False)
        if scheduler.hostname == hostname and scheduler.last_heartbeat is not None
    ]
    return (now - max(beats)).total_seconds() if beats else None
