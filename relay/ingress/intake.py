"""Accepting envelopes durably: onto RQ when Redis takes them (and, with
RELAY_REDIS_MIN_REPLICAS, its replicas acknowledge them), into the spool when it does not."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Literal

from aiohttp import web
from redis.exceptions import RedisError

from relay.ingress.keys import BATCH_ENQUEUER, DRAIN_QUEUE, METRICS, SETTINGS, SPOOL, SPOOL_DRAIN
from relay.ingress.spool_owners import drain_ownerless
from relay.pipeline.envelope import Envelope, log_fields
from relay.pipeline.queueing import enqueue_unless_enqueued

logger = logging.getLogger(__name__)

Destination = Literal["enqueued", "spooled"]


class EnvelopeUnenqueueable(Exception):
    """RQ cannot take this envelope at all (not for want of Redis); it was set aside."""


async def accept_envelope(app: web.Application, envelope: Envelope) -> Destination:
    """Put the envelope on RQ, or in the spool while Redis is unreachable.

    Raises EnvelopeUnenqueueable (the envelope is kept in the spool's set-aside file) or
    SpoolUnwritable (nothing is kept: the delivery must be refused).
    """
    spool = app[SPOOL]
    metrics = app[METRICS]
    started = time.perf_counter()
    # While anything waits in the spool, new envelopes queue up behind it to keep their order.
    if spool.depth == 0:
        try:
            await app[BATCH_ENQUEUER].enqueue(dict(envelope))
        except RedisError as exc:
            logger.warning(
                "Redis did not take the event (unreachable, or too few replicas); spooling it",
                extra=log_fields(dict(envelope)) | {"error": str(exc)},
            )
        except Exception as exc:  # RQ could not serialise it: keep it aside
            reason = f"RQ cannot take it: {type(exc).__name__}: {exc}"[:500]
            await asyncio.to_thread(spool.set_aside, dict(envelope), reason)
            raise EnvelopeUnenqueueable(reason) from exc
        else:
            metrics.enqueue_seconds.labels("redis").observe(time.perf_counter() - started)
            return "enqueued"
    await asyncio.to_thread(spool.append, dict(envelope))
    metrics.enqueue_seconds.labels("spool").observe(time.perf_counter() - started)
    return "spooled"


def spool_enqueue(app: web.Application) -> Callable[[dict], bool]:
    """How a spooled line goes onto RQ: once (its marker), acknowledged as a delivery is."""
    settings = app[SETTINGS]
    return partial(
        enqueue_unless_enqueued,
        app[DRAIN_QUEUE],
        retry_intervals=list(settings.retry_intervals),
        min_replicas=settings.redis_min_replicas,
        replica_timeout=settings.redis_timeout,
    )


async def drain_spool_forever(app: web.Application) -> None:
    """Drain the spool into RQ whenever it holds something; no error ends this loop."""
    spool = app[SPOOL]
    state = app[SPOOL_DRAIN]
    enqueue = spool_enqueue(app)
    interval = app[SETTINGS].spool_drain_interval
    while True:
        if spool.write_error:  # the disk may have space again
            await asyncio.to_thread(spool.check_writable)
        if spool.depth:
            try:
                result = await asyncio.to_thread(spool.drain, enqueue, (RedisError,))
            except RedisError as exc:
                if not state.waiting_for_redis:
                    logger.warning(
                        "spool waiting for Redis",
                        extra={"spool_depth": spool.depth, "error": str(exc)},
                    )
                state.waiting_for_redis = True
            except Exception as exc:  # reported in /health, tried again
                state.error = f"{type(exc).__name__}: {exc}"[:500]
                logger.exception("spool drain failed; trying again", extra={"error": state.error})
            else:
                state.waiting_for_redis = False
                state.error = None
                logger.info(
                    "spool drained into RQ",
                    extra={
                        "enqueued": result.enqueued,
                        "already_enqueued": result.skipped,
                        "set_aside": result.set_aside,
                    },
                )
        await asyncio.sleep(interval)


OWNERLESS_DRAIN_EVERY = 5  # spool drain intervals between two looks for spools of processes gone


async def drain_ownerless_spools_forever(app: web.Application) -> None:
    """Drain the spools of relay processes that are gone (`serve --processes`, or a single
    process before them) into RQ; no error ends this loop."""
    settings = app[SETTINGS]
    own = app[SPOOL].directory
    enqueue = spool_enqueue(app)
    while True:
        try:
            result = await asyncio.to_thread(
                drain_ownerless, settings.spool_dir, own, enqueue, (RedisError,)
            )
        except RedisError:
            pass  # the next round goes on where this one stopped
        else:
            if result.enqueued or result.skipped or result.set_aside:
                logger.info(
                    "spools of relay processes that are gone drained into RQ",
                    extra={
                        "enqueued": result.enqueued,
                        "already_enqueued": result.skipped,
                        "set_aside": result.set_aside,
                    },
                )
        await asyncio.sleep(OWNERLESS_DRAIN_EVERY * settings.spool_drain_interval)
