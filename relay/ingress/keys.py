"""Typed application keys (aiohttp web.AppKey) shared by the relay's modules."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from rq import Queue

from relay.config import Settings
from relay.ingress.batching import BatchEnqueuer
from relay.ingress.metrics import Metrics
from relay.ingress.spool import DrainState, Spool
from relay.stores import CurrentStores

SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", Metrics)
# The stores served, re-read from STORES_FILE on SIGHUP.
STORES = web.AppKey("stores", CurrentStores)
QUEUE = web.AppKey("queue", Queue)
SPOOL = web.AppKey("spool", Spool)
SPOOL_DRAINER = web.AppKey("spool_drainer", asyncio.Task)
SPOOL_DRAIN = web.AppKey("spool_drain", DrainState)
SPOOL_ORPHAN_DRAINER = web.AppKey("spool_orphan_drainer", asyncio.Task)
BATCH_ENQUEUER = web.AppKey("batch_enqueuer", BatchEnqueuer)
BATCH_ENQUEUER_TASK = web.AppKey("batch_enqueuer_task", asyncio.Task)
ODOO_SESSION = web.AppKey("odoo_session", aiohttp.ClientSession)
# The spool drain's queue: on a connection of its own, pinned for Redis WAIT like the batch
# enqueuer's (relay.redis_connection).
DRAIN_QUEUE = web.AppKey("drain_queue", Queue)
