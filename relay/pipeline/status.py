"""What the workers leave in Redis for the relay's /health and /metrics: per store, the webhooks
WooCommerce disabled (and every other webhook problem: missing topics, another delivery URL
or API version), the URL the webhooks were registered with and when the store was last
reconciled; and whether Odoo accepts the workers' API key (and until when).

A store's keys are `elitaco:store:<identity>:…`. Before several stores there was one of each,
without the store: read for a store whose own key is missing (an upgraded one-store
deployment keeps its state) and removed once a store writes its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from relay.config import store_identity
from relay.pipeline.envelope import format_utc, parse_woo_datetime

# The keys of one store's deployment (before several stores): read as a fallback only.
DISABLED_WEBHOOKS_KEY = "elitaco:woo:disabled_webhooks"
DELIVERY_URL_KEY = "elitaco:woo:delivery_url"
# webhook id -> the REST API version its last delivery was built with (the REST API does not
# say which version a webhook has; its payload's links do).
API_VERSIONS_KEY = "elitaco:woo:webhook_api_versions"
ODOO_ACCESS_KEY = "elitaco:odoo:access"  # the workers' key: one for every store
# The stores that have a webhook report, for the report of every store (/metrics).
REPORTED_STORES_KEY = "elitaco:woo:webhook_report_stores"


def store_key(store: str, name: str) -> str:
    """A key of one store's: `store` is its address or identity."""
    return f"elitaco:store:{store_identity(store)}:{name}"


def webhook_report_key(store: str) -> str:
    return store_key(store, "woo:webhook_report")


def delivery_url_key(store: str) -> str:
    return store_key(store, "woo:delivery_url")


def api_versions_key(store: str) -> str:
    return store_key(store, "woo:webhook_api_versions")


def last_reconcile_key(store: str) -> str:
    return store_key(store, "reconcile:last")


def save_webhook_report(
    connection: Redis,
    store: str,
    disabled: list[dict[str, Any]],
    problems: list[dict[str, Any]] | None = None,
    delivery_url: str | None = None,
) -> dict[str, Any]:
    """`webhooks`: the disabled ones (as before); `problems`: everything wrong, with what to
    do (relay.work.webhooks.webhook_problems); None when only disabled ones were looked for."""
    report = {
        "store": store_identity(store),
        "checked_at": format_utc(datetime.now(UTC)),
        "webhooks": disabled,
        "problems": problems,
        "delivery_url": delivery_url,
    }
    with connection.pipeline() as pipe:
        pipe.set(webhook_report_key(store), json.dumps(report))
        pipe.sadd(REPORTED_STORES_KEY, store_identity(store))
        pipe.delete(DISABLED_WEBHOOKS_KEY)
        pipe.execute()
    return report


def read_webhook_report(connection: Redis, store: str | None = None) -> dict[str, Any] | None:
    """The store's last webhook check; without a store, every store's together (their
    disabled webhooks and problems added up, each problem naming its store)."""
    if store is None:
        return _every_stores_report(connection)
    raw = connection.get(webhook_report_key(store)) or connection.get(DISABLED_WEBHOOKS_KEY)
    return json.loads(raw) if raw else None


def _every_stores_report(connection: Redis) -> dict[str, Any] | None:
    stores = sorted(member.decode() for member in connection.smembers(REPORTED_STORES_KEY))
    reports = [report for store in stores if (report := read_webhook_report(connection, store))]
    if not reports:
        raw = connection.get(DISABLED_WEBHOOKS_KEY)
        return json.loads(raw) if raw else None
    if len(reports) == 1:
        return reports[0]
    problems = [
        [found | {"store": report["store"]} for found in report["problems"]]
        for report in reports
        if report.get("problems") is not None
    ]
    return {
        "checked_at": min(report["checked_at"] for report in reports),
        "webhooks": [hook | {"store": r["store"]} for r in reports for hook in r["webhooks"]],
        "problems": [found for found_in_store in problems for found in found_in_store]
        if problems
        else None,
        "delivery_url": None,
        "stores": {report["store"]: report for report in reports},
    }


def save_delivery_url(connection: Redis, store: str, delivery_url: str) -> None:
    with connection.pipeline() as pipe:
        pipe.set(delivery_url_key(store), delivery_url)
        pipe.delete(DELIVERY_URL_KEY)
        pipe.execute()


def read_delivery_url(connection: Redis, store: str) -> str | None:
    raw = connection.get(delivery_url_key(store)) or connection.get(DELIVERY_URL_KEY)
    return raw.decode() if raw else None


def save_odoo_access_report(connection: Redis, report: dict[str, Any]) -> None:
    connection.set(ODOO_ACCESS_KEY, json.dumps(report))


def read_odoo_access_report(connection: Redis) -> dict[str, Any] | None:
    raw = connection.get(ODOO_ACCESS_KEY)
    return json.loads(raw) if raw else None


def api_key_expiry(report: dict[str, Any]) -> datetime | None:
    """The key's end as an aware datetime; None when it has none (or Odoo did not say)."""
    return parse_woo_datetime(report["api_key_expires_at"])  # same UTC form as Woo's *_gmt


def save_api_version(connection: Redis, store: str, webhook_id: str, api_version: str) -> None:
    """Webhook ids are each store's own: two stores may both have a webhook 41."""
    connection.hset(api_versions_key(store), webhook_id, api_version)


def read_api_versions(connection: Redis, store: str) -> dict[str, str]:
    found = connection.hgetall(api_versions_key(store)) or connection.hgetall(API_VERSIONS_KEY)
    return {key.decode(): value.decode() for key, value in found.items()}


def save_last_reconcile(connection: Redis, store: str, moment: datetime | None = None) -> str:
    """When the reconcile of `store` last finished (/health); returns it as UTC text."""
    when = format_utc(moment or datetime.now(UTC))
    connection.set(last_reconcile_key(store), when)
    return when


def read_last_reconcile(connection: Redis, store: str) -> str | None:
    raw = connection.get(last_reconcile_key(store))
    return raw.decode() if raw else None
