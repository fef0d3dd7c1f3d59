"""The WooCommerce webhooks this system needs, created (or re-enabled) through the REST API,
and checked: each topic present, active, delivering to the relay with the REST API version
the relay reads (`register-webhooks --check` and the reconcile cron's watchdog)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from redis import Redis

from relay.clients.woo import WooClient
from relay.pipeline import status

logger = logging.getLogger(__name__)

# What webhooks created through /wc/v3 (and in the admin) get; v1/v2 payloads differ.
API_VERSION = "wp_api_v3"
NAME_PREFIX = "Elitaco "
REST_VERSION = re.compile(r"/wc/(v\d+)/")

TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "customer.created",
    "customer.updated",
    "customer.deleted",
)


def register_webhooks(
    woo: WooClient, delivery_url: str, secret: str, update_secret: bool = False
) -> Iterator[str]:
    """Yield one line per topic saying what was done; running it twice changes nothing.

    With `update_secret`, webhooks that exist get `secret` too: the step of a secret rotation
    taken once the relay accepts both secrets (WOO_WEBHOOK_PREVIOUS_SECRET).
    """
    existing = {
        hook["topic"]: hook for hook in woo.webhooks() if hook.get("delivery_url") == delivery_url
    }
    for topic in TOPICS:
        hook = existing.get(topic)
        if hook is None:
            created = woo.create_webhook(
                {
                    "name": f"{NAME_PREFIX}{topic}",
                    "topic": topic,
                    "delivery_url": delivery_url,
                    "secret": secret,
                    "status": "active",
                }
            )
            yield f"created  {topic}  (webhook {created['id']})"
        elif hook.get("status") != "active":
            woo.update_webhook(hook["id"], {"status": "active", "secret": secret})
            yield f"re-enabled  {topic}  (webhook {hook['id']}, was {hook.get('status')})"
        elif update_secret:
            woo.update_webhook(hook["id"], {"secret": secret})
            yield f"secret updated  {topic}  (webhook {hook['id']})"
        else:
            yield f"exists  {topic}  (webhook {hook['id']})"


def webhook_problems(
    hooks: list[dict[str, Any]], delivery_url: str | None, api_version: str = API_VERSION
) -> list[dict[str, Any]]:
    """What keeps deliveries from reaching the relay, one dict per problem with a `message`
    saying what to do: a topic with no webhook to `delivery_url`, one not active, one with
    another API version, and ours (named Elitaco …) pointing elsewhere. Without a known
    `delivery_url`, any URL counts as the relay's."""

    def problem(kind: str, topic: str, hook: dict | None, message: str) -> dict[str, Any]:
        return {
            "problem": kind,
            "topic": topic,
            "webhook_id": hook.get("id") if hook else None,
            "delivery_url": hook.get("delivery_url") if hook else delivery_url,
            "message": message,
        }

    def ours(hook: dict[str, Any]) -> bool:
        return delivery_url is None or hook.get("delivery_url") == delivery_url

    found: list[dict[str, Any]] = []
    for topic in TOPICS:
        of_topic = [hook for hook in hooks if hook.get("topic") == topic]
        delivering = [hook for hook in of_topic if ours(hook)]
        if not delivering:
            found.append(
                problem(
                    "missing",
                    topic,
                    None,
                    f"no webhook sends {topic} to {delivery_url or 'the relay'}: "
                    "run register-webhooks",
                )
            )
        for hook in of_topic:
            if not ours(hook) and str(hook.get("name", "")).startswith(NAME_PREFIX):
                found.append(
                    problem(
                        "elsewhere",
                        topic,
                        hook,
                        f"webhook {hook.get('id')} ({topic}) delivers to "
                        f"{hook.get('delivery_url')}, not {delivery_url}: delete it in "
                        "WooCommerce › Settings › Advanced › Webhooks, then run register-webhooks",
                    )
                )
        for hook in delivering:
            if hook.get("status") != "active":
                found.append(
                    problem(
                        hook.get("status") or "disabled",
                        topic,
                        hook,
                        f"webhook {hook.get('id')} ({topic}) is {hook.get('status')}: "
                        "register-webhooks enables it again",
                    )
                )
            if hook.get("api_version") and hook["api_version"] != api_version:
                found.append(
                    problem(
                        "api_version",
                        topic,
                        hook,
                        f"webhook {hook.get('id')} ({topic}) sends API version "
                        f"{hook['api_version']}, not {api_version}: delete it in WooCommerce › "
                        "Settings › Advanced › Webhooks, then run register-webhooks",
                    )
                )
    return found


def check_webhook_health(
    woo: WooClient, connection: Redis, delivery_url: str | None = None
) -> dict[str, Any]:
    """Read the store's (woo's) webhooks and keep what is wrong in Redis for /health, under
    the store. `delivery_url` defaults to the one register-webhooks last registered for it."""
    delivery_url = delivery_url or status.read_delivery_url(connection, woo.store)
    seen = status.read_api_versions(connection, woo.store)
    hooks = [
        hook | {"api_version": hook.get("api_version") or seen.get(str(hook.get("id")))}
        for hook in woo.webhooks()
    ]
    problems = webhook_problems(hooks, delivery_url)
    disabled = [
        {key: hook.get(key) for key in ("id", "name", "topic", "delivery_url", "status")}
        for hook in hooks
        if hook.get("status") == "disabled"
    ]
    for found in problems:
        logger.warning(
            "WooCommerce webhook problem: %s",
            found["message"],
            extra={f"webhook_{key}": value for key, value in found.items() if key != "message"},
        )
    return status.save_webhook_report(connection, woo.store, disabled, problems, delivery_url)


def webhook_alert(report: dict[str, Any]) -> dict[str, Any]:
    """The report as the alert Odoo shows the Integration Managers."""
    problems = report.get("problems") or []
    if not problems:
        return {"kind": "webhook", "ok": True}
    lines = "; ".join(found["message"] for found in problems)
    return {
        "kind": "webhook",
        "ok": False,
        "count": len(problems),
        "message": f"{len(problems)} webhook problem(s), deliveries may be missed: {lines}",
    }


def note_api_version(connection: Redis | None, envelope: dict[str, Any]) -> None:
    """Remember which REST API version the delivering webhook builds its payloads with: the
    REST API does not tell, the payload's own links do (/wc/v3/orders/…: wp_api_v3). Kept
    per store: each store numbers its webhooks."""
    meta = envelope.get("meta") or {}
    webhook_id, store_url = meta.get("webhook_id"), meta.get("store_url")
    links = (envelope.get("data") or {}).get("_links") or {}
    href = ((links.get("self") or [{}])[0] or {}).get("href", "")
    version = REST_VERSION.search(href) if isinstance(href, str) else None
    if connection is not None and webhook_id and store_url and version:
        status.save_api_version(
            connection, store_url, str(webhook_id), f"wp_api_{version.group(1)}"
        )
