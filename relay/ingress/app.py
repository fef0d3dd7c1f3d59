"""The relay's aiohttp application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
from aiohttp import web
from redis import Redis
from rq import Queue

from relay.config import Settings
from relay.ingress import api, handlers, probes, webhook
from relay.ingress.batching import BatchEnqueuer
from relay.ingress.intake import drain_ownerless_spools_forever, drain_spool_forever
from relay.ingress.keys import (
    BATCH_ENQUEUER,
    BATCH_ENQUEUER_TASK,
    DRAIN_QUEUE,
    METRICS,
    ODOO_SESSION,
    QUEUE,
    SETTINGS,
    SPOOL,
    SPOOL_DRAIN,
    SPOOL_DRAINER,
    SPOOL_ORPHAN_DRAINER,
    STORES,
)
from relay.ingress.metrics import Metrics
from relay.ingress.spool import DrainState, Spool
from relay.ingress.spool_owners import claim, spool_directory
from relay.redis_connection import redis_connection
from relay.stores import CurrentStores, Stores

logger = logging.getLogger(__name__)


def create_app(settings: Settings, stores: Stores) -> web.Application:
    """The relay serving `stores` (relay.ingress.served_stores.load_served_stores); SIGHUP
    replaces them (relay.ingress.server.serve)."""
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[SETTINGS] = settings
    app[STORES] = CurrentStores(stores)
    app[METRICS] = Metrics()
    app.cleanup_ctx.append(redis_context)
    app.cleanup_ctx.append(spool_context)
    app.cleanup_ctx.append(odoo_session_context)
    app.router.add_post("/webhook/woo/{store}", webhook.woo_webhook)
    app.router.add_post("/webhook/woo", webhook.woo_webhook)  # while there is one store
    app.router.add_get("/health", handlers.health)
    app.router.add_get("/health/live", probes.live)
    app.router.add_get("/health/ready", probes.ready)
    app.router.add_get("/metrics", handlers.metrics)
    app.router.add_get("/api/stores/{store}/orders/{order_id}/timeline", api.order_timeline)
    app.router.add_get("/api/orders/{order_id}/timeline", api.order_timeline)  # one store
    return app


def settings_connection(settings: Settings, *, pinned: bool = False) -> Redis:
    """One reconnect at once, no more: while Redis is away the relay spools, and /health says
    so, within RELAY_REDIS_TIMEOUT. A pinned connection that waits for replicas (WAIT) gets
    as long again for them."""
    waits_for_replicas = pinned and settings.redis_min_replicas > 0
    timeout = settings.redis_timeout * (2 if waits_for_replicas else 1)
    return redis_connection(
        settings.redis_url, settings.redis_sentinel, timeout, pinned=pinned, retries=1
    )


async def redis_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    shared = settings_connection(settings)  # /health, /metrics, probes, the timeline
    writer = settings_connection(settings, pinned=True)
    drainer = settings_connection(settings, pinned=True)
    app[QUEUE] = Queue(settings.queue_name, connection=shared)
    app[DRAIN_QUEUE] = Queue(settings.queue_name, connection=drainer)
    app[BATCH_ENQUEUER] = BatchEnqueuer(
        Queue(settings.queue_name, connection=writer),
        list(settings.retry_intervals),
        settings.redis_min_replicas,
        settings.redis_timeout,
    )
    app[BATCH_ENQUEUER_TASK] = asyncio.create_task(
        supervised("batch enqueuer", app[BATCH_ENQUEUER].run)
    )
    yield
    await _cancel(app[BATCH_ENQUEUER_TASK])
    for connection in (shared, writer, drainer):
        connection.close()


async def spool_context(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    directory = spool_directory(settings.spool_dir, settings.process_slot)
    owner = await asyncio.to_thread(claim, directory)
    spool = Spool(directory)
    app[SPOOL] = spool
    app[SPOOL_DRAIN] = DrainState()
    app[METRICS].spool_depth.set_function(lambda: spool.depth)
    app[SPOOL_DRAINER] = asyncio.create_task(
        supervised("spool drain", lambda: drain_spool_forever(app))
    )
    app[SPOOL_ORPHAN_DRAINER] = asyncio.create_task(
        supervised("ownerless spools drain", lambda: drain_ownerless_spools_forever(app))
    )
    yield
    await _cancel(app[SPOOL_ORPHAN_DRAINER])
    await _cancel(app[SPOOL_DRAINER])
    if owner is not None:
        owner.close()


async def odoo_session_context(app: web.Application) -> AsyncIterator[None]:
    odoo = app[SETTINGS].odoo
    app[ODOO_SESSION] = aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {odoo.api_key}"},
        timeout=aiohttp.ClientTimeout(connect=odoo.connect_timeout, sock_read=odoo.read_timeout),
    )
    yield
    await app[ODOO_SESSION].close()


async def supervised(name: str, run: Callable[[], Awaitable[None]]) -> None:
    """Run a background loop for the app's lifetime: should it ever stop with an error, log it
    and start it again (a dead drain would leave deliveries answered 200 in the spool)."""
    while True:
        try:
            await run()
        except Exception:
            logger.exception("background task stopped; starting it again", extra={"task": name})
            await asyncio.sleep(1)
        else:
            logger.error("background task returned; starting it again", extra={"task": name})


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
