"""One truth about dead letters: the events RQ holds as failed jobs that Odoo has done meanwhile
(a manager replayed the stored envelope from Integration › Dead letters, or another delivery of
the same state got through) leave RQ's failed-job registry, so that the RQ dashboard, /health
and `python -m relay replay` no longer count them. Odoo cannot reach Redis: the workers ask it
(POST /elitaco/v1/events/states), in batches, by event id and idempotency key."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from relay.clients.odoo import OdooClient, OdooRefused, OdooUnavailable
from relay.pipeline.envelope import log_fields
from relay.pipeline.queueing import PROCESS_EVENT

logger = logging.getLogger(__name__)

# Dead letters per question to Odoo (each asked by event id and by idempotency key).
BATCH = 200

StatesOf = Callable[[list[str]], dict[str, dict[str, Any] | None]]


@dataclass
class SyncReport:
    dead_letters: int = 0  # event jobs found in the failed-job registry
    removed: int = 0  # Odoo has done them: gone from RQ
    waiting: int = 0  # Odoo has them, not done (dead or failed): a person's still
    unknown_to_odoo: int = 0  # never reached Odoo's ledger: python -m relay replay
    odoo_unavailable: bool = False  # not asked this time: the next run does


def event_jobs(queue: Queue, job_ids: Iterable[str]) -> list[Job]:
    """The dead letters among these failed jobs: relay.jobs.process_event, with its envelope."""
    jobs = Job.fetch_many(list(job_ids), connection=queue.connection)
    return [job for job in jobs if job is not None and job.func_name == PROCESS_EVENT]


def odoo_states(states_of: StatesOf, jobs: list[Job]) -> dict[str, dict[str, Any] | None]:
    """What Odoo's ledger says of each job's event (job id → its row, None when unknown). The
    ledger keeps the first event id of an idempotency key: a later delivery of the same state
    is found by its key."""
    references = []
    for job in jobs:
        references += [job.id, _envelope(job).get("idempotency_key") or job.id]
    answers = states_of(list(dict.fromkeys(references)))
    return {
        job.id: answers.get(job.id) or answers.get(_envelope(job).get("idempotency_key") or job.id)
        for job in jobs
    }


def remove_settled(queue: Queue, job: Job, state: dict[str, Any]) -> bool:
    """Take the dead letter out of RQ (and delete the job, envelope and all: Odoo keeps the
    payload) unless someone requeued it meanwhile."""
    if not queue.connection.zrem(FailedJobRegistry(queue=queue).key, job.id):
        return False
    job.delete(remove_from_queue=False)
    logger.info(
        "dead letter done in Odoo: removed from RQ's failed jobs",
        extra=log_fields(_envelope(job)) | {"odoo_state": state.get("state")},
    )
    return True


def sync_dead_letters(client: OdooClient, queue: Queue, batch: int = BATCH) -> SyncReport:
    """Ask Odoo about every dead letter of `queue` and remove those it has done (settled: done
    or ignored). Odoo unreachable, or refusing the key: nothing is removed, the next run asks
    again."""
    registry = FailedJobRegistry(queue=queue)
    report = SyncReport()
    job_ids = registry.get_job_ids()
    for start in range(0, len(job_ids), batch):
        jobs = event_jobs(queue, job_ids[start : start + batch])
        report.dead_letters += len(jobs)
        if not jobs or report.odoo_unavailable:
            continue
        try:
            states = odoo_states(client.event_states, jobs)
        except (OdooUnavailable, OdooRefused) as exc:
            logger.warning(
                "cannot ask Odoo which dead letters it has done; the next run asks again",
                extra={"error": str(exc)},
            )
            report.odoo_unavailable = True
            continue
        for job in jobs:
            state = states[job.id]
            if state is None:
                report.unknown_to_odoo += 1
            elif not state.get("settled"):
                report.waiting += 1
            elif remove_settled(queue, job, state):
                report.removed += 1
    if report.removed or report.odoo_unavailable:
        logger.info("dead letters in step with Odoo", extra=vars(report))
    return report


def _envelope(job: Job) -> dict[str, Any]:
    envelope = job.args[0] if job.args else None
    return envelope if isinstance(envelope, dict) else {}
