"""The RQ jobs the workers run, under the names RQ stores in Redis (`relay.jobs.<name>`): they
stay here whatever the layout, so that jobs queued, scheduled or dead-lettered before an upgrade
still run. Each reads its settings from the environment, makes its clients and hands over to
relay/work/."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue, get_current_job

from relay.clients.odoo import OdooError, default_client, until_odoo_answers
from relay.clients.woo import WooClient, WooConfig
from relay.config import ConfigError, events_queue_name
from relay.pipeline import flow
from relay.pipeline.envelope import log_fields
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.work import (
    alerts,
    categories,
    dead_letters,
    drift,
    images,
    imports,
    odoo_access,
    outbound,
    reconcile,
    refunds,
    tax_rounding,
    webhooks,
)

logger = logging.getLogger(__name__)
FINISHED = ("processed", "duplicate", "ignored")


class EventFailed(Exception):
    """Odoo could not apply the event. RQ retries it, then keeps it as a dead letter."""


def process_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """Hand one envelope to Odoo. Finishes on processed, duplicate or ignored."""
    client = default_client()
    fields = log_fields(envelope)
    job = get_current_job()
    envelope = refunds.with_refund_details(envelope, _woo_client)
    connection = job.connection if job else None
    envelope = categories.with_categories(envelope, _woo_client, connection)
    envelope = images.with_image(envelope, WooConfig.from_env, connection)
    webhooks.note_api_version(connection, envelope)
    try:
        answer = until_odoo_answers(
            lambda: client.process_event(envelope), fields, *_access_reporting(client)
        )
    except OdooError as exc:
        answer = {"status": "failed", "error": {"message": str(exc), "retryable": True}}
    if answer["status"] == "processed":
        images.remember_applied(envelope, WooConfig.from_env, connection)
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


def _woo_client() -> WooClient:
    return WooClient(WooConfig.from_env())


def _reread_soon(envelope: dict[str, Any]) -> None:
    job = get_current_job()
    if job is None:
        return
    queue = Queue(events_queue_name(), connection=job.connection)
    reconcile.reread_order_soon(queue, envelope["data"]["id"])
    logger.info(
        "two states of one second: the order is read again from WooCommerce",
        extra=log_fields(envelope),
    )


def reread_order(order_id: int) -> str | None:
    """RQ job: the order's current state from WooCommerce, enqueued to be applied."""
    try:
        config = WooConfig.from_env()
    except ConfigError as exc:
        logger.warning(
            "cannot read the order again: no WooCommerce REST key",
            extra={"id": order_id, "error": str(exc)},
        )
        return None
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    return reconcile.reread_order(WooClient(config), queue, config.store_url, order_id)


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


def reconcile_recent() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): catch up orders and products whose webhook never
    arrived, and see which webhooks WooCommerce disabled."""
    job = get_current_job()
    config = WooConfig.from_env()
    woo = WooClient(config)
    queue = Queue(events_queue_name(), connection=job.connection)
    orders = reconcile.reconcile_orders(woo, queue, config.store_url)
    orders.disabled_webhooks = reconcile.check_webhooks(woo, job.connection)
    products = reconcile.reconcile_products(woo, queue, config.store_url)
    alerts.report_reconcile(default_client(), job.connection, config.store_url)
    return asdict(orders) | {"products": asdict(products)}


# The name jobs scheduled before the products were reconciled too still carry.
reconcile_orders = reconcile_recent


def reconcile_customers() -> dict[str, Any]:
    """RQ cron job, daily (CUSTOMER_RECONCILE_INTERVAL): customers modified since the last run;
    WooCommerce cannot list them by modification, so this reads every customer."""
    job = get_current_job()
    config = WooConfig.from_env()
    queue = Queue(events_queue_name(), connection=job.connection)
    return asdict(reconcile.reconcile_customers(WooClient(config), queue, config.store_url))


def check_odoo_access() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): warn before Odoo refuses the workers' API key."""
    warn_days = os.environ.get("ODOO_API_KEY_WARN_DAYS")
    warn_before = timedelta(days=float(warn_days)) if warn_days else odoo_access.DEFAULT_WARN_BEFORE
    access = odoo_access.check_odoo_access(
        default_client(), get_current_job().connection, warn_before
    )
    key_alert = alerts.api_key_alert(access)
    if key_alert:
        alerts.report(default_client(), os.environ.get("WOO_STORE_URL", ""), [key_alert])
    return access


def sync_dead_letters() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): the dead letters Odoo has done meanwhile (replayed
    from Integration › Dead letters) leave RQ's failed jobs, and the dashboard, /health and
    `python -m relay replay` with them."""
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    return asdict(dead_letters.sync_dead_letters(default_client(), queue))


def run_import(import_id: int) -> dict[str, int]:
    """RQ job (enqueued when a worker claims Odoo's odoo.import.requested): read the store for
    Odoo's import `import_id`. A failure is reported to Odoo; after the last retry the import
    is Failed there, and starting it again goes on where it stopped."""
    job = get_current_job()
    client = default_client()
    config = WooConfig.from_env()
    queue = Queue(events_queue_name(), connection=job.connection)
    try:
        return imports.run_import(client, WooClient(config), queue, config.store_url, import_id)
    except Exception as exc:
        final = not job.retries_left
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("import failed", extra={"import_id": import_id, "error": error})
        until_odoo_answers(
            lambda: client.import_failed(import_id, error, final), {"import_id": import_id}
        )
        raise


def push_outbox() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): Odoo's stock, shipments and cancellations to
    WooCommerce, as long as full batches keep coming."""
    client = default_client()
    woo = WooClient(WooConfig.from_env())
    worker = f"{socket.gethostname()}:{os.getpid()}"
    job = get_current_job()
    connection = job.connection if job else None
    total = {"claimed": 0, "pushed": 0, "failed": 0}
    for _ in range(50):
        report = until_odoo_answers(
            lambda: outbound.push_outbox(client, woo, worker, connection=connection),
            {"job": "push_outbox"},
        )
        for key, value in asdict(report).items():
            total[key] += value
        if report.claimed < 100:
            break
    return total


RUN_DRIFT = "relay.jobs.run_drift"  # the name RQ stores


def run_drift(run_id: int) -> dict[str, Any]:
    """RQ job: read the store for Odoo's drift run `run_id` (Integration › Drift)."""
    config = WooConfig.from_env()
    report = drift.run_drift(default_client(), WooClient(config), run_id)
    return asdict(report) | {
        "order_ids": len(report.order_ids),
        "product_ids": len(report.product_ids),
    }


def drift_daily() -> dict[str, Any]:
    """RQ cron job, daily (DRIFT_CRON, UTC): compare the store with Odoo over the last
    DRIFT_PERIOD_DAYS (30) days of orders, and every product."""
    config = WooConfig.from_env()
    days = float(os.environ.get("DRIFT_PERIOD_DAYS") or 30)
    since = datetime.now(UTC) - timedelta(days=days)
    run_id = drift.start_run(default_client(), config.store_url, since, "cron")
    return run_drift(run_id)


def drift_requests() -> dict[str, Any]:
    """RQ cron job (DRIFT_REQUESTS_INTERVAL): the runs asked for with Compare now become jobs,
    and the records people asked to read again (a fix of Integration › Drift) are enqueued."""
    job = get_current_job()
    config = WooConfig.from_env()
    client = default_client()
    requests_ = drift.claim_requests(client, config.store_url)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=job.connection)
    for run_id in requests_["runs"]:
        maintenance.enqueue_call(RUN_DRIFT, args=(run_id,), job_id=f"drift-{run_id}", timeout=-1)
    events = Queue(events_queue_name(), connection=job.connection)
    sent = drift.reread(client, WooClient(config), events, config.store_url, requests_["rereads"])
    return {"runs": requests_["runs"], "rereads": sent}


def check_tax_rounding() -> dict[str, Any]:
    """RQ cron job (relay/cron_config.py): tell Odoo how the store rounds tax, so that Settings
    › Integration says whether Odoo rounds the same way."""
    config = WooConfig.from_env()
    return tax_rounding.check_tax_rounding(WooClient(config), default_client(), config.store_url)


def check_backlog() -> dict[str, Any] | None:
    """RQ cron job (relay/cron_config.py): tell Odoo while the oldest queued event has waited
    longer than BACKLOG_ALERT_MINUTES (and when it no longer does)."""
    minutes = float(os.environ.get("BACKLOG_ALERT_MINUTES", "30"))
    queue = Queue(events_queue_name(), connection=get_current_job().connection)
    alert = alerts.backlog_alert(queue, timedelta(minutes=minutes))
    return alerts.report(default_client(), os.environ.get("WOO_STORE_URL", ""), [alert])
