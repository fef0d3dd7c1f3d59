"""Accepting envelopes durably: onto RQ when Redis answers, into the spool when it does not."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial
from typing import Literal

from aiohttp import web
from redis.exceptions import RedisError

from relay.envelope import Envelope, log_fields
from relay.keys import BATCH_ENQUEUER, METRICS, QUEUE, SETTINGS, SPOOL
from relay.queueing import enqueue_unless_enqueued

logger = logging.getLogger(__name__)

Destination = Literal["enqueued", "spooled"]


async def accept_envelope(app: web.Application, envelope: Envelope) -> Destination:
    spool = app[SPOOL]
    metrics = app[METRICS]
    started = time.perf_counter()
    # While anything waits in the spool, new envelopes queue up behind it to keep their order.
    if spool.depth == 0:
        try:
            await app[BATCH_ENQUEUER].enqueue(dict(envelope))
        except RedisError as exc:
            logger.warning(
                "Redis unreachable, spooling the event",
                extra=log_fields(dict(envelope)) | {"error": str(exc)},
            )
        else:
            metrics.enqueue_seconds.labels("redis").observe(time.perf_counter() - started)
            return "enqueued"
    await asyncio.to_thread(spool.append, dict(envelope))
    metrics.enqueue_seconds.labels("spool").observe(time.perf_counter() - started)
    return "spooled"


async def drain_spool_forever(app: web.Application) -> None:
    spool = app[SPOOL]
    enqueue = partial(
        enqueue_unless_enqueued, app[QUEUE], retry_intervals=list(app[SETTINGS].retry_intervals)
    )
    interval = app[SETTINGS].spool_drain_interval
    redis_was_down = False
    while True:
        if spool.depth:
            try:
                result = await asyncio.to_thread(spool.drain, enqueue)
            except RedisError as exc:
                if not redis_was_down:
                    logger.warning(
                        "spool waiting for Redis",
                        extra={"spool_depth": spool.depth, "error": str(exc)},
                    )
                redis_was_down = True
            else:
                redis_was_down = False
                logger.info(
                    "spool drained into RQ",
                    extra={"enqueued": result.enqueued, "already_enqueued": result.skipped},
                )
        await asyncio.sleep(interval)
