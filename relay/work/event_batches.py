"""Several events in one Odoo request when a worker finds a backlog (an import, a reconcile, a
drain after an outage, or more queued events than workers).

Each event stays its own RQ job: the worker takes the extra jobs off the queue in one step
(into RQ's intermediate queue, which RQ's own maintenance gives back should the worker die
before they are registered as started), registers them as started as RQ does, sends their
envelopes to `POST /elitaco/v1/events/batch`, then lets RQ perform each job in turn with
Odoo's answer in hand (relay.jobs.process_event): its outcome, retries and dead letter are
exactly those of an event sent alone. An event Odoo did not answer (a request that died, a
concurrent transaction, the request's time budget spent) is sent alone when its turn comes.
A live event with idle workers around still goes alone, at once (latency first)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.job import Job

from relay.clients.odoo import OdooClient, OdooError, OdooRefused, OdooUnavailable
from relay.pipeline.envelope import log_fields
from relay.pipeline.queueing import PROCESS_EVENT
from relay.work import categories, images, per_store, refunds, webhooks

logger = logging.getLogger(__name__)

# Events per Odoo request. Odoo takes up to 50 (integration_event_batch.MAX_BATCH); 20 orders
# are 2-4 s of Odoo's time, well within a request's time limits.
MAX_BATCH = 20

# Up to ARGV[1] job ids off the front of the queue, onto the back of its intermediate queue,
# in one step: a job is always in one of Redis's lists while the worker registers it.
_TAKE_FROM_QUEUE = """
local ids = redis.call('LPOP', KEYS[1], ARGV[1])
if not ids then return {} end
for _, id in ipairs(ids) do redis.call('RPUSH', KEYS[2], id) end
return ids
"""

_answers_in_hand: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def prepare(envelope: dict[str, Any], connection: Redis | None) -> dict[str, Any]:
    """What Odoo needs besides the webhook's payload, read from the event's store: a
    refund's details, a product's categories and image."""
    store_url = (envelope.get("meta") or {}).get("store_url") or ""
    woo_config, woo_client = per_store.config_of(store_url), per_store.client_of(store_url)
    envelope = refunds.with_refund_details(envelope, woo_client)
    envelope = categories.with_categories(envelope, woo_client, connection)
    envelope = images.with_image(envelope, woo_config, connection)
    webhooks.note_api_version(connection, envelope)
    return envelope


def backlog_share(queue: Queue) -> int:
    """How many more queued events this worker may take with the one it dequeued: its share
    of what waits beyond one event per worker on the queue, at most MAX_BATCH - 1."""
    waiting = queue.count
    workers = max(Worker.count(queue=queue), 1)
    if waiting < workers:
        return 0
    return min(MAX_BATCH - 1, waiting // workers)


def take_backlog(queue: Queue, first: Job) -> list[Job]:
    """Up to backlog_share(queue) queued events of `first`'s store, off the queue and into
    its intermediate queue (the caller registers them as started, then removes them from
    it). What is not such an event goes back to the front of the queue, in its order."""
    count = backlog_share(queue)
    if count == 0:
        return []
    connection = queue.connection
    intermediate = queue.intermediate_queue_key
    ids = [
        job_id.decode() if isinstance(job_id, bytes) else job_id
        for job_id in connection.eval(_TAKE_FROM_QUEUE, 2, queue.key, intermediate, count)
    ]
    if not ids:
        return []
    taken, given_back = [], []
    store = _store_of(first)
    for job_id, job in zip(ids, Job.fetch_many(ids, connection=connection), strict=True):
        if job is not None and job.func_name == PROCESS_EVENT and _store_of(job) == store:
            taken.append(job)
        elif job is not None:
            given_back.append(job_id)
    taken_ids = {job.id for job in taken}
    with connection.pipeline() as pipe:
        if given_back:
            pipe.lpush(queue.key, *reversed(given_back))
        for job_id in ids:
            if job_id not in taken_ids:
                pipe.lrem(intermediate, 1, job_id)
        pipe.execute()
    return taken


def registered(queue: Queue, jobs: list[Job], worker_name: str) -> None:
    """Once the jobs are in RQ's started registry: started (as RQ marks a job it runs), and
    off the intermediate queue."""
    with queue.connection.pipeline() as pipe:
        for job in jobs:
            job.prepare_for_execution(worker_name, pipeline=pipe)
            pipe.lrem(queue.intermediate_queue_key, 1, job.id)
        pipe.execute()


def send(client: OdooClient, jobs: list[Job]) -> dict[str, tuple[dict, dict]]:
    """Prepare each job's envelope and send them to Odoo together, again with what Odoo left
    unanswered as long as each request answers some. {event_id: (envelope, answer)} of the
    events Odoo answered; the others go alone, the way they would have without a batch."""
    pending = []
    for job in jobs:
        envelope = job.args[0]
        try:
            pending.append(prepare(envelope, job.connection))
        except Exception as exc:  # noqa: BLE001 - its own run meets it, and RQ retries it
            logger.info(
                "event not batched: %s", exc, extra=log_fields(envelope) | {"error": str(exc)}
            )
    answered: dict[str, tuple[dict, dict]] = {}
    while pending:
        try:
            answers = client.process_events(pending)
        except (OdooUnavailable, OdooRefused, OdooError) as exc:
            logger.warning(
                "a batch of events was not applied; each goes alone",
                extra={"events": len(pending), "error": str(exc)},
            )
            break
        if len(answers) != len(pending):
            logger.error(
                "Odoo answered a batch with another number of answers; each goes alone",
                extra={"events": len(pending), "answers": len(answers)},
            )
            break
        left = []
        for envelope, answer in zip(pending, answers, strict=True):
            if answer is None:
                left.append(envelope)
            else:
                answered[envelope["event_id"]] = (envelope, answer)
        if len(left) == len(pending):
            break
        pending = left
    logger.info("batch applied", extra={"events": len(jobs), "answered": len(answered)})
    return answered


@contextmanager
def answers_in_hand(answers: dict[str, tuple[dict, dict]]) -> Iterator[None]:
    """While the worker performs a batch's jobs, each finds its answer (take_answer)."""
    _answers_in_hand.update(answers)
    try:
        yield
    finally:
        _answers_in_hand.clear()


def take_answer(event_id: str) -> tuple[dict, dict] | None:
    """The prepared envelope and Odoo's answer of a batched event, once; None otherwise."""
    return _answers_in_hand.pop(event_id, None)


def _store_of(job: Job) -> str:
    envelope = job.args[0] if job.args else {}
    meta = envelope.get("meta") if isinstance(envelope, dict) else None
    return (meta or {}).get("store_url") or ""
