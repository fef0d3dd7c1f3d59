"""HTTP handlers: GET /health, GET /metrics (the deliveries: relay/ingress/webhook.py)."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from rq import Queue

from relay.ingress import probes
from relay.ingress.keys import METRICS, QUEUE, SETTINGS, SPOOL, SPOOL_DRAIN, SPOOL_DRAINER
from relay.ingress.metrics import Metrics
from relay.pipeline import dead_letters, flow
from relay.pipeline.envelope import parse_woo_datetime
from relay.pipeline.queueing import MAINTENANCE_QUEUE
from relay.pipeline.status import api_key_expiry, read_odoo_access_report, read_webhook_report
from relay.redis_connection import replica_problem, sentinel_view

logger = logging.getLogger(__name__)


async def health(request: web.Request) -> web.Response:
    queue = request.app[QUEUE]
    report: dict[str, Any] = {
        "status": "ok",
        "redis": {"reachable": True},
        "queue": {"name": queue.name, "depth": None},
        "failed_jobs": None,
        "dead_letters": None,
        "last_error": None,
        "spool": _spool_report(request.app),
        "woo_webhooks": None,
        "odoo_access": None,
        "backlog": None,
        "stores": None,
        "problems": [],
    }
    problems = report["spool"]["problems"]
    settings = request.app[SETTINGS]
    sentinel = settings.redis_sentinel
    if sentinel is not None:  # which primary, and whether a failover is under way
        view = await asyncio.to_thread(sentinel_view, sentinel, settings.redis_timeout)
        report["redis"]["sentinel"] = view
    try:
        depth, failures, webhooks, odoo_access = await asyncio.to_thread(_redis_report, queue)
        replicas = await asyncio.to_thread(
            replica_problem, queue.connection, settings.redis_min_replicas
        )
    except RedisError as exc:
        report["status"] = "degraded"
        report["redis"] |= {"reachable": False, "error": str(exc)}
        unreachable = f"Redis is unreachable ({exc}): deliveries go to the spool"
        if sentinel is not None:
            unreachable = f"Redis primary unreachable ({exc}); {view}: deliveries go to the spool"
        report["problems"] = [unreachable, *problems]
        return web.json_response(report, status=503)
    if replicas:
        report["problems"].append(replicas)
    report["queue"]["depth"] = depth
    try:
        report["stores"] = await asyncio.to_thread(
            probes.stores_health,
            queue.connection,
            probes.served_stores(request.app),
            [settings.queue_name, MAINTENANCE_QUEUE],
            settings.backlog_warn_seconds,
        )
    except RedisError as exc:  # Redis went away meanwhile: the next /health says so
        report["problems"].append(f"the stores' state could not be read from Redis: {exc}")
    snapshot = await asyncio.to_thread(_flow, request.app)
    report["backlog"] = {
        "oldest_age_seconds": {queue: age for (queue, _), age in snapshot.oldest_ages.items()},
        "warn_seconds": request.app[SETTINGS].backlog_warn_seconds,
    }
    report["failed_jobs"] = failures["dead_letters"]["count"]
    report["dead_letters"] = failures["dead_letters"]
    report["last_error"] = failures["last_error"]
    report["woo_webhooks"] = webhooks
    report["odoo_access"] = odoo_access
    if report["spool"]["depth"] and request.app[SPOOL_DRAIN].error:
        problems.append(
            f"the spool is not draining although Redis answers: {request.app[SPOOL_DRAIN].error}"
        )
    # What needs a person, each with what to do; the relay itself still takes deliveries (200):
    # deliveries have stopped for some topics of a store, the workers' key is refused or about
    # to be, dead letters wait, a worker's job failed lately, or the spool needs a person.
    for name, store in (report["stores"] or {}).items():
        report["problems"] += [f"store {name}: {problem}" for problem in store["problems"]]
    if odoo_access and odoo_access["warning"]:
        report["problems"].append(odoo_access["warning"])
    report["problems"] += dead_letters.problems(failures) + problems
    backlog = flow.backlog_problem(snapshot, request.app[SETTINGS].backlog_warn_seconds)
    if backlog:
        report["problems"].append(backlog)
    if report["problems"]:
        report["status"] = "degraded"
    return web.json_response(report)


def _spool_report(app: web.Application) -> dict[str, Any]:
    spool = app[SPOOL]
    problems = []
    if spool.write_error:
        problems.append(
            f"the spool cannot be written ({spool.write_error}): while Redis is unreachable, "
            "deliveries are refused with 503"
        )
    if spool.set_aside_count:
        problems.append(
            f"{spool.set_aside_count} authentic deliveries the pipeline cannot carry are kept in "
            f"{spool.rejected_path} for a person (python -m relay spool --set-aside)"
        )
    if app[SPOOL_DRAINER].done():
        problems.append("the spool's drain task has stopped")
    return {
        "depth": spool.depth,
        "path": str(spool.path),
        "writable": spool.write_error is None,
        "set_aside": spool.set_aside_count,
        "problems": problems,
    }


async def metrics(request: web.Request) -> web.Response:
    metrics = request.app[METRICS]
    try:
        _depth, failures, webhooks, odoo_access = await asyncio.to_thread(
            _redis_report, request.app[QUEUE]
        )
        metrics.flow.snapshot = await asyncio.to_thread(_flow, request.app)
    except RedisError:
        webhooks = odoo_access = failures = None
    if webhooks is not None:
        metrics.woo_webhooks_disabled.set(len(webhooks["webhooks"]))
    if odoo_access is not None:
        _set_odoo_access_metrics(metrics, odoo_access)
    if failures is not None:
        _set_failure_metrics(metrics, failures)
    return web.Response(
        body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def _set_failure_metrics(metrics: Metrics, failures: dict[str, Any]) -> None:
    dead = failures["dead_letters"]
    metrics.dead_letters.set(dead["count"])
    metrics.dead_letter_oldest_age.set(dead["oldest_age_seconds"] or 0)
    error = failures["last_error"]
    last = parse_woo_datetime(error["failed_at"]) if error else None
    metrics.worker_last_error.set(last.timestamp() if last else 0)


def _set_odoo_access_metrics(metrics: Metrics, odoo_access: dict[str, Any]) -> None:
    metrics.odoo_api_key_refused.set(1 if odoo_access["refused"] else 0)
    if odoo_access["user"] is None:
        return  # Odoo did not say (unreachable or refusing): the last known expiry stands
    expires = api_key_expiry(odoo_access)
    metrics.odoo_api_key_expiry.set(expires.timestamp() if expires else math.inf)


def _redis_report(
    queue: Queue,
) -> tuple[int, dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    connection = queue.connection
    return (
        queue.count,
        dead_letters.failure_report(connection, queue.name),
        read_webhook_report(connection),
        read_odoo_access_report(connection),
    )


def _flow(app: web.Application) -> flow.FlowSnapshot:
    settings = app[SETTINGS]
    queues = [settings.queue_name, MAINTENANCE_QUEUE]
    names = probes.store_names(probes.served_stores(app))
    return flow.read_flow(app[QUEUE].connection, queues, names)
