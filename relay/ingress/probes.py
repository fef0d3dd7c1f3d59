"""Kubernetes' probes. Liveness asks only whether the event loop answers: a relay whose Redis is
down still takes deliveries into its spool, so restarting it would help nobody. Readiness asks
whether a delivery sent now would be kept: Redis answers, or the spool can be written. And
what /health says of each store."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from redis import Redis, RedisError
from rq import Queue

from relay.ingress.keys import QUEUE, SPOOL, STORES
from relay.pipeline import flow
from relay.pipeline.dead_letters import format_age
from relay.pipeline.status import read_last_reconcile, read_webhook_report
from relay.stores import Stores


async def live(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def ready(request: web.Request) -> web.Response:
    try:
        await asyncio.to_thread(request.app[QUEUE].connection.ping)
    except RedisError as exc:
        spool = request.app[SPOOL]
        if await asyncio.to_thread(spool.check_writable):
            return web.json_response({"status": "ready", "redis": f"unreachable ({exc})"})
        return web.json_response(
            {
                "status": "not ready",
                "detail": f"Redis is unreachable ({exc}) and the spool cannot be written "
                f"({spool.write_error}): a delivery now would be refused with 503",
            },
            status=503,
        )
    return web.json_response({"status": "ready"})


def served_stores(app: web.Application) -> Stores:
    """The stores the relay serves (app[STORES], re-read on SIGHUP)."""
    return app[STORES].stores


def store_names(stores: Stores) -> dict[str, str]:
    """Each store's short name by identity: the `store` label of /metrics."""
    return {store.identity: store.name for store in stores}


def stores_health(
    connection: Redis, stores: Stores, queue_names: list[str], warn_seconds: float
) -> dict[str, dict[str, Any]]:
    """/health's `stores`: per store name, its webhooks (disabled, missing topics …, from
    the last check), its last reconcile, the age of its oldest queued job per queue, and the
    problems among them, each with what to do."""
    identities = {store.identity for store in stores}
    ages = {
        name: flow.oldest_queued_by_store(Queue(name, connection=connection), identities)
        for name in queue_names
    }
    found = {}
    for store in stores:
        webhooks = read_webhook_report(connection, store.identity)
        waiting = {name: ages[name].get(store.identity, 0.0) for name in queue_names}
        problems = _webhook_problems(webhooks)
        late = {name: age for name, age in waiting.items() if age > warn_seconds}
        if late:
            queue, age = max(late.items(), key=lambda item: item[1])
            problems.append(
                f"its events have waited {format_age(age)} on {queue} (BACKLOG_WARN_SECONDS: "
                f"{format_age(warn_seconds)}): are the workers running and is Odoo answering?"
            )
        found[store.name] = {
            "status": "degraded" if problems else "ok",
            "url": store.url,
            "webhooks": {
                "checked_at": webhooks.get("checked_at"),
                "disabled": webhooks.get("webhooks") or [],
                "problems": webhooks.get("problems") or [],
            }
            if webhooks
            else None,
            "last_reconcile": read_last_reconcile(connection, store.identity),
            "backlog": {"oldest_age_seconds": waiting},
            "problems": problems,
        }
    return found


def _webhook_problems(webhooks: dict[str, Any] | None) -> list[str]:
    if webhooks and webhooks.get("problems"):
        messages = "; ".join(found["message"] for found in webhooks["problems"])
        count = len(webhooks["problems"])
        return [f"{count} WooCommerce webhook problem(s), deliveries may be missed: {messages}"]
    if webhooks and webhooks.get("webhooks"):
        disabled = len(webhooks["webhooks"])
        message = (
            f"WooCommerce disabled {disabled} webhook(s) after failed deliveries: "
            "python -m relay register-webhooks enables them again"
        )
        return [message]
    return []
