"""HTTP handlers: POST /webhook/woo, GET /health, GET /metrics."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from rq import Queue
from rq.registry import FailedJobRegistry

from relay.envelope import (
    WOO_RESOURCES,
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    log_fields,
)
from relay.intake import accept_envelope
from relay.keys import METRICS, QUEUE, SETTINGS, SPOOL
from relay.metrics import Metrics
from relay.odoo_access import api_key_expiry, read_odoo_access_report
from relay.reconcile import read_webhook_report, schedule_reconcile_soon
from relay.signature import SignatureError, verify_signature

logger = logging.getLogger(__name__)

PING_BODY = re.compile(rb"webhook_id=\d+")
KNOWN_REST_ERRORS = frozenset({"rest_no_route", "woocommerce_rest_cannot_view"})


async def woo_webhook(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    metrics = request.app[METRICS]
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    label = topic or "none"

    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return _too_large(request, label)
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(request, label)

    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and PING_BODY.fullmatch(body.strip()):
        metrics.deliveries.labels("ping", "ping").inc()
        logger.info("WooCommerce ping answered", extra={"body": body.decode()})
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
                "topic": topic,
                "peer": request.remote,
                "webhook_id": request.headers.get("X-WC-Webhook-ID"),
            },
        )
        return _error(
            401,
            "invalid signature",
            f"{exc}. Check WOO_WEBHOOK_SECRET against the webhook's secret in WooCommerce.",
        )
    if signed_with == "previous":
        # Which webhooks still need the new secret (python -m relay register-webhooks).
        metrics.previous_secret.labels(request.headers.get("X-WC-Webhook-ID", "none")).inc()

    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        metrics.deliveries.labels(label, "bad_request").inc()
        logger.warning("signed body is not JSON", extra={"topic": topic, "error": str(exc)})
        return _error(400, "body is not JSON", f"the signed body could not be parsed: {exc}")

    try:
        envelope = build_woo_envelope(
            topic,
            payload,
            received_at=datetime.now(UTC),
            store_url=request.headers.get("X-WC-Webhook-Source"),
            webhook_id=request.headers.get("X-WC-Webhook-ID"),
            delivery_id=request.headers.get("X-WC-Webhook-Delivery-ID"),
        )
    except (IgnoredDelivery, InvalidEnvelope) as exc:
        if isinstance(exc, IgnoredDelivery) and exc.rest_error:
            await _resource_missing(request, topic, exc)
            return web.json_response({"status": "ignored", "reason": str(exc)}, status=202)
        outcome = "ignored" if isinstance(exc, IgnoredDelivery) else "ignored_invalid"
        metrics.deliveries.labels(label, outcome).inc()
        log = logger.info if outcome == "ignored" else logger.error
        log("delivery acknowledged and ignored", extra={"topic": topic, "reason": str(exc)})
        return web.json_response({"status": "ignored", "reason": str(exc)}, status=202)

    destination = await accept_envelope(request.app, envelope)
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


async def _resource_missing(request: web.Request, topic: str, exc: IgnoredDelivery) -> None:
    """WooCommerce delivered a REST error instead of the resource (rest_no_route when a
    webhook is sent synchronously during a Store API checkout): the change itself is real, so
    the reconciler fetches it soon instead of at its next run."""
    resource = topic.partition(".")[0]
    resource_label = resource if resource in WOO_RESOURCES else "other"
    code_label = exc.rest_error if exc.rest_error in KNOWN_REST_ERRORS else "other"
    metrics = request.app[METRICS]
    metrics.deliveries.labels(topic, "rest_error").inc()
    metrics.rest_errors.labels(resource_label, code_label).inc()
    fields = {"topic": topic, "rest_error": exc.rest_error, "reconcile": resource == "order"}
    if resource == "order":
        try:
            await asyncio.to_thread(schedule_reconcile_soon, request.app[QUEUE].connection)
        except RedisError as error:
            fields |= {"reconcile": False, "error": str(error)}
    logger.warning("delivery carries a WooCommerce REST error, not the resource", extra=fields)


async def health(request: web.Request) -> web.Response:
    queue = request.app[QUEUE]
    spool = request.app[SPOOL]
    report: dict[str, Any] = {
        "status": "ok",
        "redis": {"reachable": True},
        "queue": {"name": queue.name, "depth": None},
        "failed_jobs": None,
        "spool": {"depth": spool.depth, "path": str(spool.path)},
        "woo_webhooks": None,
        "odoo_access": None,
    }
    try:
        depth, failed, webhooks, odoo_access = await asyncio.to_thread(_redis_report, queue)
    except RedisError as exc:
        report["status"] = "degraded"
        report["redis"] = {"reachable": False, "error": str(exc)}
        return web.json_response(report, status=503)
    report["queue"]["depth"] = depth
    report["failed_jobs"] = failed
    report["woo_webhooks"] = webhooks
    report["odoo_access"] = odoo_access
    # Deliveries have stopped for some topics, or the workers' key is refused or about to be;
    # the relay itself still works (200).
    if (webhooks and webhooks["webhooks"]) or (odoo_access and odoo_access["warning"]):
        report["status"] = "degraded"
    return web.json_response(report)


async def metrics(request: web.Request) -> web.Response:
    metrics = request.app[METRICS]
    connection = request.app[QUEUE].connection
    try:
        webhooks, odoo_access = await asyncio.to_thread(
            lambda: (read_webhook_report(connection), read_odoo_access_report(connection))
        )
    except RedisError:
        webhooks = odoo_access = None
    if webhooks is not None:
        metrics.woo_webhooks_disabled.set(len(webhooks["webhooks"]))
    if odoo_access is not None:
        _set_odoo_access_metrics(metrics, odoo_access)
    return web.Response(
        body=generate_latest(metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
    )


def _set_odoo_access_metrics(metrics: Metrics, odoo_access: dict[str, Any]) -> None:
    metrics.odoo_api_key_refused.set(1 if odoo_access["refused"] else 0)
    if odoo_access["user"] is None:
        return  # Odoo did not say (unreachable or refusing): the last known expiry stands
    expires = api_key_expiry(odoo_access)
    metrics.odoo_api_key_expiry.set(expires.timestamp() if expires else math.inf)


def _redis_report(
    queue: Queue,
) -> tuple[int, int, dict[str, Any] | None, dict[str, Any] | None]:
    connection = queue.connection
    return (
        queue.count,
        FailedJobRegistry(queue=queue).count,
        read_webhook_report(connection),
        read_odoo_access_report(connection),
    )


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
