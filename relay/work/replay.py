"""Re-enqueue dead letters (RQ's failed-job registry) with their retries restored."""

from __future__ import annotations

from dataclasses import dataclass, field

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from relay.pipeline.queueing import RETRY_INTERVALS


@dataclass
class ReplayReport:
    requeued: list[Job] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def replay_dead_letters(
    queue: Queue,
    event_ids: list[str] | None = None,
    event_type: str | None = None,
    retries: int = len(RETRY_INTERVALS),
) -> ReplayReport:
    """Requeue the selected dead letters (all when neither ids nor type is given).

    The envelope is marked `meta.replay_of` so Odoo shows a replay on the order's timeline.
    """
    registry = FailedJobRegistry(queue=queue)
    wanted = set(event_ids or [])
    report = ReplayReport()
    for job_id in registry.get_job_ids():
        if wanted and job_id not in wanted:
            continue
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue
        if event_type and job.meta.get("event_type") != event_type:
            continue
        envelope = dict(job.args[0])
        envelope["meta"] = dict(envelope.get("meta") or {}, replay_of=envelope["event_id"])
        job.args = (envelope,)
        job.retries_left = retries
        job.save()
        registry.requeue(job)
        report.requeued.append(job)
        wanted.discard(job_id)
    report.not_found = sorted(wanted)
    return report
