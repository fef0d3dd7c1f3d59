"""HTTP handlers: POST /webhook/woo, GET /health, GET /metrics."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import ClientPayloadError, web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from rq import Queue

from relay.config import store_identity
from relay.ingress import probes
from relay.ingress.intake import EnvelopeUnenqueueable, accept_envelope
from relay.ingress.keys import METRICS, QUEUE, SETTINGS, SPOOL, SPOOL_DRAIN, SPOOL_DRAINER
from relay.ingress.metrics import Metrics
from relay.ingress.signature import SignatureError, verify_signature
from relay.ingress.spool import SpoolUnwritable
from relay.pipeline import dead_letters, flow
from relay.pipeline.envelope import (
    HANDLED_WOO_TOPICS,
    WOO_RESOURCES,
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    log_fields,
    parse_woo_datetime,
)
from relay.pipeline.queueing import MAINTENANCE_QUEUE, schedule_reconcile_soon
from relay.pipeline.status import api_key_expiry, read_odoo_access_report, read_webhook_report
from relay.redis_connection import replica_problem, sentinel_view

logger = logging.getLogger(__name__)

# Exactly what WooCommerce's ping sends (form-encoded, unsigned): nothing else passes as one.
PING_BODY = re.compile(rb"webhook_id=\d{1,20}")
# orjson's refusals of what is valid JSON all the same: nested over 1024 levels, numbers beyond a
# double (1e400). Other refusals mean the body is not JSON (400).
BEYOND_PARSING = re.compile(r"depth limit exceeded|number is infinity")
KNOWN_REST_ERRORS = frozenset({"rest_no_route", "woocommerce_rest_cannot_view"})


async def woo_webhook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    metrics = request.app[METRICS]
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    label = topic_label(topic)

    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return _too_large(request, label)
    try:
        async with asyncio.timeout(settings.body_timeout):
            body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(request, label)
    except TimeoutError:
        metrics.deliveries.labels(label, "body_timeout").inc()
        extra = {"peer": request.remote, "seconds": settings.body_timeout}
        logger.warning("no whole body in time", extra=extra)
        return _error(
            408, "request timeout", f"the body did not arrive within {settings.body_timeout} s"
        )
    except (ConnectionError, ClientPayloadError) as exc:  # the client went away mid-body
        metrics.deliveries.labels(label, "client_gone").inc()
        logger.warning(
            "client went away before its body arrived",
            extra={"peer": request.remote, "error": type(exc).__name__},
        )
        return _error(400, "incomplete body", "the connection closed before the body was whole")

    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and PING_BODY.fullmatch(body):
        metrics.deliveries.labels("ping", "ping").inc()
        logger.info("WooCommerce ping answered", extra={"webhook_id": body.decode()[11:]})
        return web.json_response({"status": "ok", "ping": True})

    try:
        signed_with = verify_signature(
            body, signature, settings.webhook_secret, settings.previous_webhook_secret
        )
    except SignatureError as exc:
        reason = "missing" if not signature else "mismatch"
        metrics.signature_failures.labels(reason).inc()
        metrics.deliveries.labels(label, "rejected_signature").inc()
        logger.warning(
            "webhook signature refused",
            extra={
                "reason": str(exc),
                "topic": printable(topic),
                "peer": request.remote,
                "webhook_id": printable(request.headers.get("X-WC-Webhook-ID", "")),
            },
        )
        return _error(
            401,
            "invalid signature",
            f"{exc}. Check WOO_WEBHOOK_SECRET against the webhook's secret in WooCommerce.",
        )
    if signed_with == "previous":
        # Which webhooks still need the new secret (python -m relay register-webhooks).
        webhook_id = request.headers.get("X-WC-Webhook-ID", "")
        metrics.previous_secret.labels(webhook_id if webhook_id.isdecimal() else "other").inc()

    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if BEYOND_PARSING.search(str(exc)):  # valid JSON, more than a parser takes
            record = {"topic": printable(topic), "body": body}
            return await _set_aside(request, label, record, f"the JSON cannot be parsed: {exc}")
        metrics.deliveries.labels(label, "bad_request").inc()
        logger.warning("signed body is not JSON", extra={"topic": label, "error": str(exc)[:200]})
        return _error(400, "body is not JSON", f"the signed body could not be parsed: {exc}")

    _check_source(request, label)
    try:
        envelope = build_woo_envelope(
            topic,
            payload,
            received_at=datetime.now(UTC),
            store_url=settings.store_url,
            webhook_id=request.headers.get("X-WC-Webhook-ID"),
            delivery_id=request.headers.get("X-WC-Webhook-Delivery-ID"),
        )
    except IgnoredDelivery as exc:
        if exc.rest_error:
            await _resource_missing(request, topic, exc)
        else:
            metrics.deliveries.labels(label, "ignored").inc()
            extra = {"topic": label, "reason": str(exc)}
            logger.info("delivery acknowledged and ignored", extra=extra)
        return web.json_response({"status": "ignored", "reason": str(exc)}, status=202)
    except InvalidEnvelope as exc:
        # Authentic, but nothing the pipeline can carry: kept for a person, never redelivered.
        return await _set_aside(request, label, {"topic": printable(topic), "body": body}, str(exc))

    try:
        destination = await accept_envelope(request.app, envelope)
    except EnvelopeUnenqueueable as exc:
        metrics.deliveries.labels(label, "set_aside").inc()
        return web.json_response({"status": "set_aside", "reason": str(exc)}, status=202)
    except SpoolUnwritable as exc:
        return _spool_unwritable(request, label, exc)
    metrics.deliveries.labels(label, destination).inc()
    logger.info(
        "delivery accepted",
        extra=log_fields(dict(envelope)) | {"destination": destination, "signed_with": signed_with},
    )
    return web.json_response(
        {
            "status": "accepted",
            "queued": destination,
            "event_id": envelope["event_id"],
            "idempotency_key": envelope["idempotency_key"],
            "trace_id": envelope["trace_id"],
        }
    )


def topic_label(topic: str) -> str:
    """A metric label from a fixed set: anyone can send any topic header, signed or not."""
    if not topic:
        return "none"
    return topic if topic in HANDLED_WOO_TOPICS else "other"


def printable(value: str, limit: int = 100) -> str:
    """A header value fit for a JSON log line: bounded, undecodable bytes escaped."""
    return value[:limit].encode("utf-8", "backslashreplace").decode("utf-8")


async def _set_aside(
    request: web.Request, label: str, record: dict[str, Any], reason: str
) -> web.Response:
    spool = request.app[SPOOL]
    record["body"] = record["body"].decode("utf-8", "replace")
    try:
        await asyncio.to_thread(spool.set_aside, record, reason[:500])
    except SpoolUnwritable as exc:
        return _spool_unwritable(request, label, exc)
    request.app[METRICS].deliveries.labels(label, "set_aside").inc()
    logger.error(
        "authentic delivery set aside: the pipeline cannot carry it",
        extra={"topic": label, "reason": reason[:500], "file": str(spool.rejected_path)},
    )
    return web.json_response({"status": "set_aside", "reason": reason[:500]}, status=202)


def _spool_unwritable(request: web.Request, label: str, exc: SpoolUnwritable) -> web.Response:
    request.app[METRICS].deliveries.labels(label, "spool_unwritable").inc()
    logger.error("delivery refused: the spool cannot be written", extra={"error": str(exc)})
    return _error(
        503,
        "spool unwritable",
        f"Redis is unreachable and the spool cannot be written ({exc}); the delivery was not "
        "kept, so WooCommerce records it as failed",
    )


def _check_source(request: web.Request, label: str) -> None:
    """The store is WOO_STORE_URL's: X-WC-Webhook-Source is not signed. A delivery naming
    another store is still taken (WPML-style domains per language exist), but said."""
    source = request.headers.get("X-WC-Webhook-Source", "")
    settings = request.app[SETTINGS]
    if source and store_identity(source) != settings.store:
        request.app[METRICS].foreign_source.inc()
        logger.warning(
            "delivery names another store than WOO_STORE_URL; taken as WOO_STORE_URL's",
            extra={"topic": label, "source": printable(source), "store": settings.store},
        )


async def _resource_missing(request: web.Request, topic: str, exc: IgnoredDelivery) -> None:
    """WooCommerce delivered a REST error instead of the resource (rest_no_route when a
    webhook is sent synchronously during a Store API checkout): the change itself is real, so
    the reconciler fetches it soon instead of at its next run."""
    resource = topic.partition(".")[0]
    resource_label = resource if resource in WOO_RESOURCES else "other"
    code_label = exc.rest_error if exc.rest_error in KNOWN_REST_ERRORS else "other"
    metrics = request.app[METRICS]
    label = topic_label(topic)
    metrics.deliveries.labels(label, "rest_error").inc()
    metrics.rest_errors.labels(resource_label, code_label).inc()
    fields = {"topic": label, "rest_error": code_label, "reconcile": resource == "order"}
    if resource == "order":
        try:
            await asyncio.to_thread(schedule_reconcile_soon, request.app[QUEUE].connection)
        except RedisError as error:
            fields |= {"reconcile": False, "error": str(error)}
    logger.warning("delivery carries a WooCommerce REST error, not the resource", extra=fields)


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


def _too_large(request: web.Request, topic_label: str) -> web.Response:
    limit = request.app[SETTINGS].max_body_bytes
    request.app[METRICS].deliveries.labels(topic_label, "too_large").inc()
    logger.warning(
        "delivery over the size cap",
        extra={"limit": limit, "content_length": request.content_length},
    )
    return _error(
        413, "body too large", f"the relay accepts at most {limit} bytes (RELAY_MAX_BODY_BYTES)"
    )


def _error(status: int, error: str, detail: str) -> web.Response:
    return web.json_response({"error": error, "detail": detail}, status=status)
