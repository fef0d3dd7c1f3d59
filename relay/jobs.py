"""The RQ jobs the workers run, under the names RQ stores in Redis (`relay.jobs.<name>`): they
stay here whatever the layout, so that jobs queued, scheduled or dead-lettered before an upgrade
still run. Each reads its settings from the environment and the stores (relay/work/per_store.py),
makes its clients and hands over to relay/work/.

One worker pool serves every store: an event is worked with its own store's REST key (its
meta.store_url), an import or drift run with the store Odoo names. A cron job called without a
store (as relay/cron_config.py schedules it) enqueues itself once per store of the stores file
as it is then, and the job given a store does that store's work alone."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue, get_current_job

from relay.clients.odoo import OdooError, default_client, until_odoo_answers
from relay.config import ConfigError, ImportWindow, events_queue_name
from relay.pipeline import flow
from relay.pipeline.envelope import log_fields
from relay.pipeline.queueing import MAINTENANCE_QUEUE, RECONCILE_RECENT
from relay.stores import Store
from relay.work import (
    alerts,
    dead_letters,
    drift,
    event_batches,
    images,
    imports,
    odoo_access,
    outbound,
    per_store,
    reconcile,
    tax_rounding,
)

logger = logging.getLogger(__name__)
FINISHED = ("processed", "duplicate", "ignored")


class EventFailed(Exception):
    """Odoo could not apply the event. RQ retries it, then keeps it as a dead letter."""


def process_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """Hand one envelope to Odoo (or take Odoo's answer to it in a batch the worker sent:
    relay/work/event_batches.py). Finishes on processed, duplicate or ignored."""
    client = default_client()
    fields = log_fields(envelope)
    job = get_current_job()
    connection = job.connection if job else None
    store_url = (envelope.get("meta") or {}).get("store_url") or ""
    woo_config = per_store.config_of(store_url)
    in_hand = event_batches.take_answer(envelope["event_id"])
    if in_hand is not None:
        envelope, answer = in_hand
    else:
        envelope = event_batches.prepare(envelope, connection)
        try:
            answer = until_odoo_answers(
                lambda: client.process_event(envelope), fields, *_access_reporting(client)
            )
        except OdooError as exc:
            answer = {"status": "failed", "error": {"message": str(exc), "retryable": True}}
    if answer["status"] == "processed":
        images.remember_applied(envelope, woo_config, connection)
    if answer["status"] in FINISHED:
        _count(connection, envelope, answer["status"])
        logger.info(
            "event %s in Odoo", answer["status"], extra=fields | {"record": answer.get("record")}
        )
        if answer.get("reread") and not envelope.get("meta", {}).get("reconciled"):
            _reread_soon(envelope)
        return answer

    error = answer.get("error") or {}
    message = f"{envelope['event_type']} {envelope['idempotency_key']}: {error.get('message')}"
    if job is not None and error.get("retryable") is False:
        job.retries_left = 0  # retrying an event Odoo rejects as it is cannot help
    if job is None or not job.retries_left:
        _mark_dead(client, envelope, message, fields)
    _count(connection, envelope, "failed" if job is not None and job.retries_left else "dead")
    logger.warning(
        "event failed in Odoo",
        extra=fields | {"error": message, "retries_left": job.retries_left if job else 0},
    )
    raise EventFailed(message)


def _count(connection, envelope: dict[str, Any], outcome: str) -> None:
    """For /metrics: Odoo's answer, a failed attempt, or the last one (dead)."""
    if connection is not None:
        flow.record_outcome(connection, envelope, outcome)


def _reread_soon(envelope: dict[str, Any]) -> None:
    job = get_current_job()
    if job is None:
        return
    queue = Queue(events_queue_name(), connection=job.connection)
    reconcile.reread_order_soon(queue, envelope["meta"]["store_url"], envelope["data"]["id"])
    logger.info(
        "two states of one second: the order is read again from WooCommerce",
        extra=log_fields(envelope),
    )


def reread_order(order_id: int, store_url: str | None = None) -> str | None:
    """RQ job: the order's current state from its store, enqueued to be applied. A job of
    before several stores has no store: the only one's."""
    try:
        stores = per_store.served_stores()
        store = stores.store_for(store_url) if store_url else stores.only
        if store is None:
            raise ConfigError(f"several stores in {stores.source}, and the job names none")
        woo = per_store.woo_client(store)
    except ConfigError as exc:
        logger.warning(
            "cannot read the order again: no store or no WooCommerce REST key",
            extra={"id": order_id, "store": store_url, "error": str(exc)},
        )
        return None
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    return reconcile.reread_order(woo, queue, store.url, order_id)


def _access_reporting(client) -> tuple:
    """What a job waiting on a refused key tells /health: at once that Odoo refuses the
    workers (the hourly key check may be far, and waits behind them), and once it answers
    again, a fresh check."""
    job = get_current_job()
    if job is None:
        return None, None
    connection = job.connection

    def refused(exc: Exception) -> None:
        odoo_access.report_refused(connection, str(exc))

    def answering() -> None:
        odoo_access.check_odoo_access(client, connection)

    return refused, answering


def _mark_dead(client, envelope: dict[str, Any], message: str, fields: dict[str, Any]) -> None:
    try:
        until_odoo_answers(
            lambda: client.mark_dead(envelope["event_id"], message),
            fields,
            *_access_reporting(client),
        )
    except OdooError:
        logger.exception("could not mark the event dead in Odoo", extra=fields)


def _for_each_store(function: str, kind: str, timeout: int | None = None) -> dict[str, Any]:
    """The cron's call: `function` enqueued for each store (relay/work/per_store.py)."""
    stores = per_store.served_stores()
    connection = get_current_job().connection
    jobs = per_store.enqueue_for_each_store(connection, function, kind, stores, timeout)
    return {"stores": jobs}


def _store(name: str) -> Store:
    stores = per_store.served_stores()
    return stores.select(name)[0]


def reconcile_recent(store: str | None = None) -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): catch up the store's orders and products whose
    webhook never arrived, and see which of its webhooks WooCommerce disabled."""
    if store is None:
        return _for_each_store(RECONCILE_RECENT, "reconcile-orders")
    job = get_current_job()
    queue = Queue(events_queue_name(), connection=job.connection)
    return reconcile_store(_store(store), queue)


def reconcile_store(store: Store, queue: Queue) -> dict[str, Any]:
    woo = per_store.woo_client(store)
    orders = reconcile.reconcile_orders(woo, queue, store.url)
    orders.disabled_webhooks = reconcile.check_webhooks(woo, queue.connection)
    products = reconcile.reconcile_products(woo, queue, store.url)
    alerts.report_reconcile(default_client(), queue.connection, store.url)
    return asdict(orders) | {"products": asdict(products), "store": store.name}


# The name jobs scheduled before the products were reconciled too still carry.
reconcile_orders = reconcile_recent


def reconcile_customers(store: str | None = None) -> dict[str, Any]:
    """RQ cron job, daily (CUSTOMER_RECONCILE_INTERVAL): the store's customers modified since
    the last run; WooCommerce cannot list them by modification, so this reads every one."""
    if store is None:
        return _for_each_store("relay.jobs.reconcile_customers", "reconcile-customers")
    job = get_current_job()
    chosen = _store(store)
    queue = Queue(events_queue_name(), connection=job.connection)
    report = reconcile.reconcile_customers(per_store.woo_client(chosen), queue, chosen.url)
    return asdict(report) | {"store": chosen.name}


def check_odoo_access() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): warn before Odoo refuses the workers' API key."""
    warn_days = os.environ.get("ODOO_API_KEY_WARN_DAYS")
    warn_before = timedelta(days=float(warn_days)) if warn_days else odoo_access.DEFAULT_WARN_BEFORE
    access = odoo_access.check_odoo_access(
        default_client(), get_current_job().connection, warn_before
    )
    key_alert = alerts.api_key_alert(access)
    if key_alert:  # the workers' key serves every store: each store's managers are told
        try:
            stores = list(per_store.served_stores())
        except ConfigError as exc:
            logger.warning("the key check is not told to any store", extra={"error": str(exc)})
            stores = []
        for store in stores:
            alerts.report(default_client(), store.url, [key_alert])
    return access


def sync_dead_letters() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): the dead letters Odoo has done meanwhile (replayed
    from Integration › Dead letters) leave RQ's failed jobs, and the dashboard, /health and
    `python -m relay replay` with them."""
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    return asdict(dead_letters.sync_dead_letters(default_client(), queue))


def run_import(import_id: int) -> dict[str, int]:
    """RQ job (enqueued when a worker claims Odoo's odoo.import.requested): read the store of
    Odoo's import `import_id`. A failure is reported to Odoo; after the last retry the import
    is Failed there, and starting it again goes on where it stopped."""
    job = get_current_job()
    client = default_client()
    queue = Queue(events_queue_name(), connection=job.connection)
    try:
        woo_for = per_store.woo_for(per_store.served_stores())
        window = ImportWindow.from_env()
        return imports.run_import(client, woo_for, queue, import_id, job, window)
    except Exception as exc:
        final = not job.retries_left
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("import failed", extra={"import_id": import_id, "error": error})
        until_odoo_answers(
            lambda: client.import_failed(import_id, error, final), {"import_id": import_id}
        )
        raise


def push_outbox(store: str | None = None) -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): Odoo's stock, shipments and cancellations of the
    store to WooCommerce, with its REST key, as long as full batches keep coming. Odoo
    leases each store's rows to that store's job only."""
    if store is None:
        return _for_each_store("relay.jobs.push_outbox", "push-outbox")
    chosen = _store(store)
    client = default_client()
    woo = per_store.woo_client(chosen)
    worker = f"{socket.gethostname()}:{os.getpid()}"
    job = get_current_job()
    connection = job.connection if job else None
    total: dict[str, Any] = {"claimed": 0, "pushed": 0, "failed": 0}
    for _ in range(50):
        report = until_odoo_answers(
            lambda: outbound.push_outbox(client, woo, worker, connection=connection),
            {"job": "push_outbox", "store": chosen.name},
        )
        for key, value in asdict(report).items():
            total[key] += value
        if report.claimed < 100:
            break
    return total | {"store": chosen.name}


RUN_DRIFT = "relay.jobs.run_drift"  # the name RQ stores


def run_drift(run_id: int) -> dict[str, Any]:
    """RQ job: read the store of Odoo's drift run `run_id` (Integration › Drift)."""
    woo_for = per_store.woo_for(per_store.served_stores())
    report = drift.run_drift(default_client(), woo_for, run_id)
    return asdict(report) | {
        "order_ids": len(report.order_ids),
        "product_ids": len(report.product_ids),
    }


def drift_daily(store: str | None = None) -> dict[str, Any]:
    """RQ cron job, daily (DRIFT_CRON, UTC): compare the store with Odoo over the last
    DRIFT_PERIOD_DAYS (30) days of orders, and every product."""
    if store is None:
        return _for_each_store("relay.jobs.drift_daily", "drift-daily", timeout=-1)
    days = float(os.environ.get("DRIFT_PERIOD_DAYS") or 30)
    since = datetime.now(UTC) - timedelta(days=days)
    run_id = drift.start_run(default_client(), _store(store).url, since, "cron")
    return run_drift(run_id)


def drift_requests(store: str | None = None) -> dict[str, Any]:
    """RQ cron job (DRIFT_REQUESTS_INTERVAL): the store's runs asked for with Compare now
    become jobs, and the records people asked to read again (a fix of Integration › Drift)
    are enqueued."""
    if store is None:
        return _for_each_store("relay.jobs.drift_requests", "drift-requests")
    job = get_current_job()
    chosen = _store(store)
    client = default_client()
    requests_ = drift.claim_requests(client, chosen.url)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=job.connection)
    for run_id in requests_["runs"]:
        maintenance.enqueue_call(RUN_DRIFT, args=(run_id,), job_id=f"drift-{run_id}", timeout=-1)
    if not requests_["rereads"]:
        return {"runs": requests_["runs"], "rereads": 0, "store": chosen.name}
    events = Queue(events_queue_name(), connection=job.connection)
    woo = per_store.woo_client(chosen)
    sent = drift.reread(client, woo, events, chosen.url, requests_["rereads"])
    return {"runs": requests_["runs"], "rereads": sent, "store": chosen.name}


def check_tax_rounding(store: str | None = None) -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): tell Odoo how the store rounds tax, so that Settings
    › Integration says whether Odoo rounds the same way."""
    if store is None:
        return _for_each_store("relay.jobs.check_tax_rounding", "check-tax-rounding")
    chosen = _store(store)
    woo = per_store.woo_client(chosen)
    return tax_rounding.check_tax_rounding(woo, default_client(), chosen.url)


def check_backlog() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): tell Odoo, per store, while the store's oldest
    queued event has waited longer than BACKLOG_ALERT_MINUTES (and when it no longer does)."""
    minutes = float(os.environ.get("BACKLOG_ALERT_MINUTES", "30"))
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    stores = per_store.served_stores()
    found = alerts.backlog_alerts(
        queue, [store.url for store in stores], timedelta(minutes=minutes)
    )
    return {
        store.name: alerts.report(default_client(), store.url, [found[store.url]])
        for store in stores
    }
