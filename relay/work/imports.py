"""An import started in Odoo (Integration › Configuration › Imports): the store read as
`python -m relay import` reads it, each event marked with the import's id for its report in
Odoo, and Odoo told after every page how far the reading got, so that a job that crashed goes
on from there.

Redis holds a window of the import's events, not the whole store: once the events queue holds
IMPORT_QUEUE_WINDOW jobs, the job pauses after its page (or before its next resource) and ends;
RQ's repeat runs the same job IMPORT_PAUSE_SECONDS later, going on from the exact cursor the
job kept in its meta. No worker waits meanwhile. Customers, read by page number, are read to
their end once begun."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from relay.clients.odoo import OdooClient, OdooError, default_client, until_odoo_answers
from relay.clients.woo import WooClient
from relay.config import ConfigError, ImportWindow
from relay.pipeline.envelope import format_utc, parse_woo_datetime
from relay.pipeline.queueing import MAINTENANCE_QUEUE, RUN_IMPORT
from relay.work.first_sync import EVERYTHING, import_resource
from relay.work.import_preview import preview_store
from relay.work.reconcile import OVERLAP, ReconcileReport

logger = logging.getLogger(__name__)

IMPORT_RETRY_INTERVALS = [30, 120, 600]
PENDING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
RESUME_POINT = "import_resume"  # job.meta: where a paused job goes on


def import_job_id(import_id: int) -> str:
    return f"import-{import_id}"


def enqueue_import(connection: Redis, import_id: int) -> str:
    """The job that reads the store for Odoo's import `import_id`: one per import (a request
    claimed again, its acknowledgement lost, leaves a waiting or running job alone); no time
    limit (a big shop takes hours), retried 3 times, each retry going on where the last
    stopped."""
    job_id = import_job_id(import_id)
    try:
        if Job.fetch(job_id, connection=connection).get_status() in PENDING:
            return job_id
    except NoSuchJobError:
        pass
    job = Queue(MAINTENANCE_QUEUE, connection=connection).enqueue_call(
        RUN_IMPORT,
        args=(import_id,),
        job_id=job_id,
        description=f"import {import_id} from WooCommerce",
        retry=Retry(max=len(IMPORT_RETRY_INTERVALS), interval=IMPORT_RETRY_INTERVALS),
        timeout=-1,
    )
    return job.id


def run_import(
    odoo: OdooClient,
    woo_for: Callable[[str], WooClient],
    queue: Queue,
    import_id: int,
    job: Job | None = None,
    window: ImportWindow | None = None,
) -> dict[str, int]:
    """Read what the import asks for, resource by resource, from the store Odoo's import
    names (`woo_for` its address gives its client); returns the events enqueued per
    resource. An import Odoo no longer runs (deleted, failed, done) reads nothing. When Odoo
    asked for a preview of the import, the store is read for its report only (nothing is
    enqueued) and the records read are returned. With the RQ `job` running it and a `window`,
    the reading pauses while `queue` is full (see above)."""
    fields = {"import_id": import_id}
    plan = until_odoo_answers(lambda: odoo.begin_import(import_id), fields)
    if plan.get("status") == "preview":
        read = preview_store(odoo, woo_for(plan["store_url"]), plan)
        until_odoo_answers(lambda: odoo.preview_done(plan["preview_id"]), fields)
        return read
    if plan.get("status") != "running":
        logger.info("import not running in Odoo: nothing read", extra=fields | plan)
        return {}
    store_url = plan["store_url"]
    woo = woo_for(store_url)
    meta = {"import_id": import_id}
    resume = _take_resume_point(job, queue, fields)
    enqueued: dict[str, int] = {}
    for step in plan["steps"]:
        resource = step["resource"]
        if step["state"] == "done":
            continue
        since = resume[1] if resume and resume[0] == resource else _start(step)
        pause = QueueWindow(queue, window.size) if job and window else None
        if pause is not None and pause.full():
            _pause(job, window, queue, fields, resource, since)
            return enqueued

        def page_read(envelopes: list[dict], report: ReconcileReport, resource=resource) -> None:
            events = [_reported(envelope) for envelope in envelopes]
            until_odoo_answers(
                lambda: odoo.import_progress(import_id, resource, events, report.checkpoint),
                fields,
            )

        report = import_resource(
            woo,
            queue,
            store_url,
            resource,
            since,
            page_read,
            meta,
            checkpoint=f"odoo-import-{import_id}-{resource}",
            pause=pause,
        )
        enqueued[resource] = report.enqueued
        if pause is not None and pause.stopped_at is not None:
            until_odoo_answers(  # how far it read, for the import's report in Odoo
                lambda resource=resource, report=report: odoo.import_progress(
                    import_id, resource, [], report.checkpoint
                ),
                fields,
            )
            _pause(job, window, queue, fields, resource, pause.stopped_at)
            return enqueued
        until_odoo_answers(
            lambda resource=resource, report=report: odoo.import_progress(
                import_id, resource, [], report.checkpoint, done=True
            ),
            fields,
        )
        logger.info(
            "import read",
            extra=fields
            | {"resource": resource, "enqueued": report.enqueued, "since": report.since},
        )
    return enqueued


class QueueWindow:
    """Asked between two pages (reconcile_modified's `pause`): True once the events queue
    holds `size` jobs, keeping the cursor the reading stopped at."""

    def __init__(self, queue: Queue, size: int) -> None:
        self.queue = queue
        self.size = size
        self.stopped_at: datetime | None = None

    def full(self) -> bool:
        return len(self.queue) >= self.size

    def __call__(self, cursor: datetime) -> bool:
        if self.full():
            self.stopped_at = cursor
            return True
        return False


def _pause(
    job: Job,
    window: ImportWindow,
    queue: Queue,
    fields: dict[str, Any],
    resource: str,
    since: datetime,
) -> None:
    """The job ends; RQ runs it again (the same id: Odoo's import stays running, and a
    request claimed again finds it pending) after the pause, from `since`. The meta is saved
    with the repeat, in RQ's own transaction: a job that crashes instead goes on from Odoo's
    read_up_to."""
    job.meta[RESUME_POINT] = {"resource": resource, "since": format_utc(since)}
    job.repeats_left = 1
    job.repeat_intervals = [window.pause_seconds]
    logger.info(
        "import paused: the events queue is full",
        extra=fields
        | {
            "resource": resource,
            "cursor": format_utc(since),
            "queued": len(queue),
            "window": window.size,
            "resume_in_seconds": window.pause_seconds,
        },
    )


def _take_resume_point(
    job: Job | None, queue: Queue, fields: dict[str, Any]
) -> tuple[str, datetime] | None:
    """Where the paused run of this job stopped, taken out of its meta at once (a crash from
    here on goes on from Odoo's read_up_to, less the overlap)."""
    if job is None or RESUME_POINT not in job.meta:
        return None
    point = job.meta.pop(RESUME_POINT)
    job.save_meta()
    since = parse_woo_datetime(point["since"])
    if since is None:
        return None
    logger.info(
        "import resumed",
        extra=fields
        | {"resource": point["resource"], "cursor": point["since"], "queued": len(queue)},
    )
    return point["resource"], since


def _start(step: dict[str, Any]):
    """Where a step was read up to (a resumed job), less the overlap; else its own start; else
    everything."""
    read_up_to = parse_woo_datetime(step.get("read_up_to"))
    if read_up_to:
        return read_up_to - OVERLAP
    return parse_woo_datetime(step.get("since")) or EVERYTHING


def _reported(envelope: dict[str, Any]) -> dict[str, Any]:
    return {
        "idempotency_key": envelope["idempotency_key"],
        "event_type": envelope["event_type"],
        "woo_id": envelope["data"].get("id"),
    }


def report_killed_import(job: Job, exit_status: int) -> None:
    """The work horse running an import was killed (out of memory, or by hand): the job could
    not say so itself. Odoo is told as of any other failure, the one after the last retry as
    final, so that the import shows Failed with **Go on where it stopped**."""
    import_id = job.args[0]
    signal = f" by signal {os.WTERMSIG(exit_status)}" if os.WIFSIGNALED(exit_status) else ""
    error = f"The process reading the store was killed{signal} (out of memory, or stopped)"
    try:
        default_client().import_failed(import_id, error, not job.retries_left)
    except (OdooError, ConfigError) as exc:  # the worker goes on; RQ has the failure
        logger.warning(
            "could not tell Odoo that an import's process was killed",
            extra={"import_id": import_id, "error": str(exc)},
        )
