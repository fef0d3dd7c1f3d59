"""The workers' access to Odoo: whose API key they use and when it expires.

Odoo 18 gives the keys of internal users at most 90 days. Once a key has expired, every worker
call is refused and events wait in the queue (nothing is lost, nothing moves), so the cron checks
the key (relay.jobs.check_odoo_access) and /health and /metrics warn before that day.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis

from relay.clients.odoo import OdooClient, OdooError, OdooRefused, OdooUnavailable
from relay.pipeline.envelope import format_utc
from relay.pipeline.status import api_key_expiry, read_odoo_access_report, save_odoo_access_report

logger = logging.getLogger(__name__)

DEFAULT_WARN_BEFORE = timedelta(days=14)
REFUSED_WARNING = (
    "Odoo refuses the workers' API key: events wait in the queue until ODOO_API_KEY holds a "
    "valid key of an Integration User"
)


def check_odoo_access(
    client: OdooClient,
    connection: Redis,
    warn_before: timedelta = DEFAULT_WARN_BEFORE,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Ask Odoo about the workers' key; keep the answer in Redis for /health and /metrics."""
    now = now or datetime.now(UTC)
    report: dict[str, Any] = {
        "checked_at": format_utc(now),
        "user": None,
        "api_key_expires_at": None,
        "refused": False,
        "error": None,
        "warning": None,
    }
    try:
        access = client.access()
    except OdooRefused as exc:
        report["refused"] = True
        report["error"] = str(exc)
        report["warning"] = REFUSED_WARNING
    except (OdooUnavailable, OdooError) as exc:
        report["error"] = str(exc)  # Odoo down or the module not upgraded: not the key's fault
    else:
        report["user"] = access.get("user")
        report["api_key_expires_at"] = access.get("api_key_expires_at")
        expires = api_key_expiry(report)
        if expires is not None and expires - now < warn_before:
            days_left = max((expires - now).days, 0)
            report["warning"] = (
                f"the workers' API key expires at {report['api_key_expires_at']} "
                f"({days_left} days left): create a new key for {report['user']} in Odoo "
                "(Preferences › Account Security) and set it as ODOO_API_KEY"
            )
    if report["warning"]:
        logger.warning(report["warning"], extra={"odoo_user": report["user"]})
    save_odoo_access_report(connection, report)
    return report


def report_refused(connection: Redis, error: str, now: datetime | None = None) -> None:
    """A worker met a refusal: /health turns degraded now, not at the next check."""
    report = read_odoo_access_report(connection) or {"user": None, "api_key_expires_at": None}
    report |= {
        "checked_at": format_utc(now or datetime.now(UTC)),
        "refused": True,
        "error": error,
        "warning": REFUSED_WARNING,
    }
    logger.warning(REFUSED_WARNING, extra={"error": error})
    save_odoo_access_report(connection, report)
