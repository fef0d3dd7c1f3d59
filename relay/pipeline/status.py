"""What the workers leave in Redis for the relay's /health and /metrics: the webhooks
WooCommerce disabled, and whether Odoo accepts the workers' API key (and until when)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from relay.pipeline.envelope import format_utc, parse_woo_datetime

DISABLED_WEBHOOKS_KEY = "elitaco:woo:disabled_webhooks"
ODOO_ACCESS_KEY = "elitaco:odoo:access"


def save_webhook_report(connection: Redis, disabled: list[dict[str, Any]]) -> None:
    connection.set(
        DISABLED_WEBHOOKS_KEY,
        json.dumps({"checked_at": format_utc(datetime.now(UTC)), "webhooks": disabled}),
    )


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
