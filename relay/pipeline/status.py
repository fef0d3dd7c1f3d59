"""What the workers leave in Redis for the relay's /health and /metrics: the webhooks
WooCommerce disabled (and every other webhook problem: missing topics, another delivery URL
or API version), whether Odoo accepts the workers' API key (and until when), and the URL the
webhooks were registered with."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from relay.pipeline.envelope import format_utc, parse_woo_datetime

DISABLED_WEBHOOKS_KEY = "elitaco:woo:disabled_webhooks"
ODOO_ACCESS_KEY = "elitaco:odoo:access"
DELIVERY_URL_KEY = "elitaco:woo:delivery_url"
# webhook id -> the REST API version its last delivery was built with (the REST API does not
# say which version a webhook has; its payload's links do).
API_VERSIONS_KEY = "elitaco:woo:webhook_api_versions"


def save_webhook_report(
    connection: Redis,
    disabled: list[dict[str, Any]],
    problems: list[dict[str, Any]] | None = None,
    delivery_url: str | None = None,
) -> dict[str, Any]:
    """`webhooks`: the disabled ones (as before); `problems`: everything wrong, with what to
    do (relay.work.webhooks.webhook_problems); None when only disabled ones were looked for."""
    report = {
        "checked_at": format_utc(datetime.now(UTC)),
        "webhooks": disabled,
        "problems": problems,
        "delivery_url": delivery_url,
    }
    connection.set(DISABLED_WEBHOOKS_KEY, json.dumps(report))
    return report


def save_delivery_url(connection: Redis, delivery_url: str) -> None:
    connection.set(DELIVERY_URL_KEY, delivery_url)


def read_delivery_url(connection: Redis) -> str | None:
    raw = connection.get(DELIVERY_URL_KEY)
    return raw.decode() if raw else None


def read_webhook_report(connection: Redis) -> dict[str, Any] | None:
    raw = connection.get(DISABLED_WEBHOOKS_KEY)
    return json.loads(raw) if raw else None


def save_odoo_access_report(connection: Redis, report: dict[str, Any]) -> None:
    connection.set(ODOO_ACCESS_KEY, json.dumps(report))


def read_odoo_access_report(connection: Redis) -> dict[str, Any] | None:
    raw = connection.get(ODOO_ACCESS_KEY)
    return json.loads(raw) if raw else None


def api_key_expiry(report: dict[str, Any]) -> datetime | None:
    """The key's end as an aware datetime; None when it has none (or Odoo did not say)."""
    return parse_woo_datetime(report["api_key_expires_at"])  # same UTC form as Woo's *_gmt


def save_api_version(connection: Redis, webhook_id: str, api_version: str) -> None:
    connection.hset(API_VERSIONS_KEY, webhook_id, api_version)


def read_api_versions(connection: Redis) -> dict[str, str]:
    return {
        key.decode(): value.decode() for key, value in connection.hgetall(API_VERSIONS_KEY).items()
    }
