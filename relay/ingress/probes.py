"""Kubernetes' probes. Liveness asks only whether the event loop answers: a relay whose Redis is
down still takes deliveries into its spool, so restarting it would help nobody. Readiness asks
whether a delivery sent now would be kept: Redis answers, or the spool can be written."""

from __future__ import annotations

import asyncio

from aiohttp import web
from redis import RedisError

from relay.ingress.keys import QUEUE, SPOOL


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
