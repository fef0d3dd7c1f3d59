"""One worker pool for every store: the stores (STORES_FILE, or WOO_STORE_URL & co.) read once
per job, so that the next job uses an edited file without a restart; the WooCommerce client of
the store a piece of work belongs to; and a cron job's work run for each store as a job of its
own, so that one store's failure (a wrong key, the store down) never holds up another's, and
RQ's failed jobs name the store that failed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

from redis import Redis
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from relay.clients.woo import WooClient
from relay.config import ConfigError, WooConfig
from relay.pipeline import status
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.stores import Store, Stores, load_stores

logger = logging.getLogger(__name__)

PENDING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)
# How long a store's last job is remembered: a job older than this is not waited for.
REMEMBERED_SECONDS = 24 * 3600


def served_stores() -> Stores:
    """The stores as the file (or environment) says now; refused when there is none."""
    stores = load_stores()
    unnamed = [store.name for store in stores if not store.identity]
    if unnamed:
        raise ConfigError(
            "no store to serve: set STORES_FILE (several stores, docs/several-stores.md) or "
            "WOO_STORE_URL with WOO_CONSUMER_KEY and WOO_CONSUMER_SECRET (one store)"
        )
    return stores


def woo_config(store: Store) -> WooConfig:
    """The store's REST configuration, refused without a key or over plain HTTP."""
    config = store.woo_config()
    config.check()
    return config


def woo_client(store: Store) -> WooClient:
    return WooClient(woo_config(store))


def config_of(store_url: str) -> Callable[[], WooConfig]:
    """The REST configuration of the store an event came from (its meta.store_url), read
    from the stores when first asked: an event that needs no REST call reads nothing."""

    @cache
    def config() -> WooConfig:
        return woo_config(served_stores().store_for(store_url))

    return config


def client_of(store_url: str) -> Callable[[], WooClient]:
    config = config_of(store_url)
    return lambda: WooClient(config())


def woo_for(stores: Stores) -> Callable[[str], WooClient]:
    """The client of the store an Odoo record names (an import's or drift run's store)."""
    return lambda store_url: woo_client(stores.store_for(store_url))


def enqueue_for_each_store(
    connection: Redis, function: str, kind: str, stores: Stores, timeout: int | None = None
) -> dict[str, str]:
    """`function(store name)` as a job of its own for each store, on the maintenance queue;
    a store whose job of the last run still waits or runs gets none this time (a slow or
    unreachable store does not pile runs up). Returns each store's job id, or why none."""
    queue = Queue(MAINTENANCE_QUEUE, connection=connection)
    enqueued: dict[str, str] = {}
    for store in stores:
        last_key = status.store_key(store.identity, f"job:{kind}")
        last = connection.get(last_key)
        if last and _pending(connection, last.decode()):
            enqueued[store.name] = f"{last.decode()} still pending"
            continue
        job = queue.enqueue_call(
            function,
            args=(store.name,),
            description=f"{kind} of store {store.name}",
            meta={"store": store.identity},
            timeout=timeout,
        )
        connection.set(last_key, job.id, ex=REMEMBERED_SECONDS)
        enqueued[store.name] = job.id
    return enqueued


def _pending(connection: Redis, job_id: str) -> bool:
    try:
        return Job.fetch(job_id, connection=connection).get_status() in PENDING
    except NoSuchJobError:
        return False
