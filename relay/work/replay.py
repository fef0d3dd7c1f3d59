"""Re-enqueue dead letters (RQ's failed-job registry) with their retries restored; those Odoo
has done meanwhile (replayed from Integration › Dead letters) are removed instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from relay.clients.odoo import OdooError, OdooRefused, OdooUnavailable
from relay.pipeline.queueing import PROCESS_EVENT, RETRY_INTERVALS
from relay.work.dead_letters import BATCH, StatesOf, odoo_states, remove_settled


@dataclass
class ReplayReport:
    requeued: list[Job] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    # Done in Odoo meanwhile: removed from the failed jobs, not requeued (job, Odoo's answer).
    done_in_odoo: list[tuple[Job, dict[str, Any]]] = field(default_factory=list)
    odoo_not_asked: str | None = None  # why Odoo could not be asked, when it could not


def replay_dead_letters(
    queue: Queue,
    event_ids: list[str] | None = None,
    event_type: str | None = None,
    retries: int = len(RETRY_INTERVALS),
    states_of: StatesOf | None = None,
) -> ReplayReport:
    """Requeue the selected dead letters (all when neither ids nor type is given).

    With `states_of` (the workers' Odoo client's event_states), Odoo is asked first: the
    events it has done are removed, not requeued. Without it, or when Odoo does not answer,
    they are requeued too, and the ledger answers them as duplicates.

    The envelope is marked `meta.replay_of` so Odoo shows a replay on the order's timeline.
    """
    registry = FailedJobRegistry(queue=queue)
    wanted = set(event_ids or [])
    report = ReplayReport()
    selected = []
    for job_id in registry.get_job_ids():
        if wanted and job_id not in wanted:
            continue
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue
        if event_type and job.meta.get("event_type") != event_type:
            continue
        selected.append(job)
        wanted.discard(job_id)
    report.not_found = sorted(wanted)

    states = _states(states_of, [job for job in selected if job.func_name == PROCESS_EVENT], report)
    for job in selected:
        state = states.get(job.id)
        if state and state.get("settled"):
            if remove_settled(queue, job, state):
                report.done_in_odoo.append((job, state))
            continue
        if job.func_name == PROCESS_EVENT:
            envelope = dict(job.args[0])
            envelope["meta"] = dict(envelope.get("meta") or {}, replay_of=envelope["event_id"])
            job.args = (envelope,)
        if job.func_name == PROCESS_EVENT or job.retries_left is not None:
            job.retries_left = retries
        job.save()
        registry.requeue(job)
        report.requeued.append(job)
    return report


def _states(
    states_of: StatesOf | None, jobs: list[Job], report: ReplayReport
) -> dict[str, dict[str, Any] | None]:
    if states_of is None or not jobs:
        return {}
    states: dict[str, dict[str, Any] | None] = {}
    try:
        for start in range(0, len(jobs), BATCH):
            states |= odoo_states(states_of, jobs[start : start + BATCH])
    except (OdooUnavailable, OdooRefused, OdooError) as exc:
        report.odoo_not_asked = f"Odoo did not answer: {exc}"
        return {}
    return states
