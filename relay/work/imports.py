"""An import started in Odoo (Integration › Configuration › Imports): the store read as
`python -m relay import` reads it, each event marked with the import's id for its report in
Odoo, and Odoo told after every page how far the reading got, so that a job that crashed goes
on from there."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from relay.clients.odoo import OdooClient, OdooError, default_client, until_odoo_answers
from relay.clients.woo import WooClient
from relay.config import ConfigError
from relay.pipeline.envelope import parse_woo_datetime
from relay.pipeline.queueing import MAINTENANCE_QUEUE, RUN_IMPORT
from relay.work.first_sync import EVERYTHING, import_resource
from relay.work.import_preview import preview_store
from relay.work.reconcile import OVERLAP, ReconcileReport

logger = logging.getLogger(__name__)

IMPORT_RETRY_INTERVALS = [30, 120, 600]
PENDING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


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
    odoo: OdooClient, woo_for: Callable[[str], WooClient], queue: Queue, import_id: int
) -> dict[str, int]:
    """Read what the import asks for, resource by resource, from the store Odoo's import
    names (`woo_for` its address gives its client); returns the events enqueued per
    resource. An import Odoo no longer runs (deleted, failed, done) reads nothing. When Odoo
    asked for a preview of the import, the store is read for its report only (nothing is
    enqueued) and the records read are returned."""
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
    enqueued: dict[str, int] = {}
    for step in plan["steps"]:
        resource = step["resource"]
        if step["state"] == "done":
            continue

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
            _start(step),
            page_read,
            meta,
            checkpoint=f"odoo-import-{import_id}-{resource}",
        )
        until_odoo_answers(
            lambda resource=resource, report=report: odoo.import_progress(
                import_id, resource, [], report.checkpoint, done=True
            ),
            fields,
        )
        enqueued[resource] = report.enqueued
        logger.info(
            "import read",
            extra=fields
            | {"resource": resource, "enqueued": report.enqueued, "since": report.since},
        )
    return enqueued


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
