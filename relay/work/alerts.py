"""What the workers find wrong, told to Odoo (POST /elitaco/v1/alerts), where it becomes one
alert per store and kind with a To-Do for the Integration Managers, cleared when a later check
finds it fine: the webhooks, the workers' API key, and a backlog older than a threshold.

A report Odoo does not take (down, or refusing the key) is logged and sent again by the next
check; a refused key is noticed by Odoo itself, from the silence of the workers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from rq import Queue

from relay.clients.odoo import OdooClient, OdooError, OdooRefused, OdooUnavailable
from relay.config import store_identity
from relay.pipeline import status
from relay.pipeline.flow import oldest_queued_age, oldest_queued_by_store
from relay.work import webhooks

logger = logging.getLogger(__name__)

DEFAULT_BACKLOG_THRESHOLD = timedelta(minutes=30)


def report(
    client: OdooClient,
    store_url: str,
    alerts: list[dict[str, Any]],
    reconciled_at: str | None = None,
) -> dict[str, Any] | None:
    """Odoo's answer ({"store", "alerts": {kind: state}}), or None when it did not take it."""
    if not store_url or not (alerts or reconciled_at):
        return None
    try:
        return client.report_alerts(store_url, alerts, reconciled_at)
    except (OdooUnavailable, OdooRefused, OdooError) as exc:
        logger.warning(
            "could not tell Odoo what the checks found; the next check tells it",
            extra={"error": str(exc), "kinds": [alert["kind"] for alert in alerts]},
        )
        return None


def report_reconcile(client: OdooClient, connection: Redis, store_url: str) -> dict | None:
    """After a reconcile of the store: its time (kept in Redis for /health too), and the
    webhook check it made (kept in Redis)."""
    checked = status.read_webhook_report(connection, store_url)
    alerts = (
        [webhooks.webhook_alert(checked)] if checked and checked.get("problems") is not None else []
    )
    reconciled_at = status.save_last_reconcile(connection, store_url)
    return report(client, store_url, alerts, reconciled_at)


def api_key_alert(access: dict[str, Any]) -> dict[str, Any] | None:
    """The key check as an alert; None when Odoo did not answer it (nothing to say)."""
    if access.get("refused") or access.get("user") is None:
        return None
    if access.get("warning"):
        return {"kind": "api_key", "ok": False, "message": access["warning"], "count": 1}
    return {"kind": "api_key", "ok": True}


def backlog_alert(
    queue: Queue, threshold: timedelta = DEFAULT_BACKLOG_THRESHOLD, now: datetime | None = None
) -> dict[str, Any]:
    """Raised while the oldest event in `queue` has waited longer than `threshold`."""
    return _backlog_alert(queue, oldest_queued_age(queue, now), threshold)


def backlog_alerts(
    queue: Queue,
    store_urls: list[str],
    threshold: timedelta = DEFAULT_BACKLOG_THRESHOLD,
    now: datetime | None = None,
) -> dict[str, dict[str, Any]]:
    """Each store's: raised while its oldest event in `queue` has waited past `threshold`."""
    by_identity = {store_identity(url): url for url in store_urls}
    ages = oldest_queued_by_store(queue, set(by_identity), now)
    return {
        url: _backlog_alert(queue, ages.get(identity), threshold)
        for identity, url in by_identity.items()
    }


def _backlog_alert(queue: Queue, age: float | None, threshold: timedelta) -> dict[str, Any]:
    if age is None or age <= threshold.total_seconds():
        return {"kind": "backlog", "ok": True}
    waited = int(age // 60)
    return {
        "kind": "backlog",
        "ok": False,
        "count": queue.count,
        "message": (
            f"the oldest of {queue.count} events in the queue {queue.name} has waited "
            f"{waited} minutes (more than {int(threshold.total_seconds() // 60)}): are the "
            "workers running and does Odoo answer them? The relay's /health and the RQ "
            "dashboard say more; nothing is lost meanwhile"
        ),
    }
