"""POST /webhook/woo/{store} (and POST /webhook/woo while there is one store): a WooCommerce
delivery, verified with the secrets of the store its path names, onto RQ or into the spool."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from aiohttp import ClientPayloadError, web
from redis.exceptions import RedisError

from relay.config import store_identity
from relay.ingress.intake import EnvelopeUnenqueueable, accept_envelope
from relay.ingress.keys import METRICS, QUEUE, SETTINGS, SPOOL, STORES
from relay.ingress.signature import SignatureError, verify_signature
from relay.ingress.spool import SpoolUnwritable
from relay.pipeline.envelope import (
    HANDLED_WOO_TOPICS,
    WOO_RESOURCES,
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    log_fields,
)
from relay.pipeline.queueing import schedule_reconcile_soon
from relay.stores import Store, Stores

logger = logging.getLogger(__name__)

# Exactly what WooCommerce's ping sends (form-encoded, unsigned): nothing else passes as one.
PING_BODY = re.compile(rb"webhook_id=\d{1,20}")
# orjson's refusals of what is valid JSON all the same: nested over 1024 levels, numbers beyond a
# double (1e400). Other refusals mean the body is not JSON (400).
BEYOND_PARSING = re.compile(r"depth limit exceeded|number is infinity")
KNOWN_REST_ERRORS = frozenset({"rest_no_route", "woocommerce_rest_cannot_view"})
# The store label of a delivery whose path names no configured store: no store's name has
# parentheses (relay.stores.NAME_PATTERN).
UNKNOWN_STORE = "(unknown)"


async def woo_webhook(request: web.Request) -> web.Response:
    """POST /webhook/woo/{store}, verified with that store's secrets alone; POST /webhook/woo
    while there is one store. The stores are looked up once: a SIGHUP that reloads them meanwhile
    leaves this delivery with the Store it began with."""
    stores = request.app[STORES].stores
    name = request.match_info.get("store")
    store = stores.only if name is None else stores.get(name)
    if store is None:
        return _no_such_store(request, stores, name)
    return await _deliver(request, stores, store)


def _no_such_store(request: web.Request, stores: Stores, name: str | None) -> web.Response:
    """404: the path is not a delivery address of this relay (for a webhook still pointing at a
    store taken out of the file, or at /webhook/woo once there are several)."""
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    request.app[METRICS].deliveries.labels(UNKNOWN_STORE, topic_label(topic), "unknown_store").inc()
    addresses = ", ".join(f"/webhook/woo/{each}" for each in stores.names)
    if name is None:
        detail = (
            f"this relay serves {len(stores)} stores: deliver each store's webhooks to its own "
            f"address, one of {addresses} (python -m relay register-webhooks --store NAME)"
        )
    else:
        shown = printable(name, 40)
        detail = f"no store named {shown!r} in {stores.source}; the stores: {addresses}"
    logger.warning(
        "delivery to a path of no store",
        extra={"path": printable(request.path), "peer": request.remote, "topic": printable(topic)},
    )
    return _error(404, "unknown store", detail)


async def _deliver(request: web.Request, stores: Stores, store: Store) -> web.Response:
    settings = request.app[SETTINGS]
    metrics = request.app[METRICS]
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    label = topic_label(topic)

    if request.content_length is not None and request.content_length > settings.max_body_bytes:
        return _too_large(request, store, label)
    try:
        async with asyncio.timeout(settings.body_timeout):
            body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _too_large(request, store, label)
    except TimeoutError:
        metrics.deliveries.labels(store.name, label, "body_timeout").inc()
        extra = {"store": store.name, "peer": request.remote, "seconds": settings.body_timeout}
        logger.warning("no whole body in time", extra=extra)
        return _error(
            408, "request timeout", f"the body did not arrive within {settings.body_timeout} s"
        )
    except (ConnectionError, ClientPayloadError) as exc:  # the client went away mid-body
        metrics.deliveries.labels(store.name, label, "client_gone").inc()
        logger.warning(
            "client went away before its body arrived",
            extra={"store": store.name, "peer": request.remote, "error": type(exc).__name__},
        )
        return _error(400, "incomplete body", "the connection closed before the body was whole")

    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and PING_BODY.fullmatch(body):
        metrics.deliveries.labels(store.name, "ping", "ping").inc()
        extra = {"store": store.name, "webhook_id": body.decode()[11:]}
        logger.info("WooCommerce ping answered", extra=extra)
        return web.json_response({"status": "ok", "ping": True})

    try:
        signed_with = verify_signature(
            body, signature, store.webhook_secret, store.previous_webhook_secret
        )
    except SignatureError as exc:
        reason = "missing" if not signature else "mismatch"
        metrics.signature_failures.labels(store.name, reason).inc()
        metrics.deliveries.labels(store.name, label, "rejected_signature").inc()
        logger.warning(
            "webhook signature refused",
            extra={
                "store": store.name,
                "reason": str(exc),
                "topic": printable(topic),
                "peer": request.remote,
                "webhook_id": printable(request.headers.get("X-WC-Webhook-ID", "")),
            },
        )
        return _error(
            401,
            "invalid signature",
            f"{exc}. Check {_secret_setting(stores, store)} against the webhook's secret in "
            "WooCommerce.",
        )
    if signed_with == "previous":
        # Which webhooks still need the new secret (python -m relay register-webhooks).
        webhook_id = request.headers.get("X-WC-Webhook-ID", "")
        webhook_label = webhook_id if webhook_id.isdecimal() else "other"
        metrics.previous_secret.labels(store.name, webhook_label).inc()

    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if BEYOND_PARSING.search(str(exc)):  # valid JSON, more than a parser takes
            record = {"topic": printable(topic), "body": body}
            reason = f"the JSON cannot be parsed: {exc}"
            return await _set_aside(request, store, label, record, reason)
        metrics.deliveries.labels(store.name, label, "bad_request").inc()
        logger.warning("signed body is not JSON", extra={"topic": label, "error": str(exc)[:200]})
        return _error(400, "body is not JSON", f"the signed body could not be parsed: {exc}")

    _check_source(request, store, label)
    try:
        envelope = build_woo_envelope(
            topic,
            payload,
            received_at=datetime.now(UTC),
            store_url=store.url,
            webhook_id=request.headers.get("X-WC-Webhook-ID"),
            delivery_id=request.headers.get("X-WC-Webhook-Delivery-ID"),
        )
    except IgnoredDelivery as exc:
        if exc.rest_error:
            await _resource_missing(request, store, topic, exc)
        else:
            metrics.deliveries.labels(store.name, label, "ignored").inc()
            extra = {"store": store.name, "topic": label, "reason": str(exc)}
            logger.info("delivery acknowledged and ignored", extra=extra)
        return web.json_response({"status": "ignored", "reason": str(exc)}, status=202)
    except InvalidEnvelope as exc:
        # Authentic, but nothing the pipeline can carry: kept for a person, never redelivered.
        record = {"topic": printable(topic), "body": body}
        return await _set_aside(request, store, label, record, str(exc))

    try:
        destination = await accept_envelope(request.app, envelope)
    except EnvelopeUnenqueueable as exc:
        metrics.deliveries.labels(store.name, label, "set_aside").inc()
        return web.json_response({"status": "set_aside", "reason": str(exc)}, status=202)
    except SpoolUnwritable as exc:
        return _spool_unwritable(request, store, label, exc)
    metrics.deliveries.labels(store.name, label, destination).inc()
    logger.info(
        "delivery accepted",
        extra=log_fields(dict(envelope))
        | {"store": store.name, "destination": destination, "signed_with": signed_with},
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


def _secret_setting(stores: Stores, store: Store) -> str:
    """Where the operator set the secret a delivery was checked against."""
    if stores.from_file:
        return f"the webhook_secret of store {store.name!r} in {stores.source}"
    return "WOO_WEBHOOK_SECRET"


async def _set_aside(
    request: web.Request, store: Store, label: str, record: dict[str, Any], reason: str
) -> web.Response:
    spool = request.app[SPOOL]
    # The store's address, as its envelopes carry it: whoever reads the set-aside file knows
    # which store's delivery this was.
    record = {"store_url": store.url} | record
    record["body"] = record["body"].decode("utf-8", "replace")
    try:
        await asyncio.to_thread(spool.set_aside, record, reason[:500])
    except SpoolUnwritable as exc:
        return _spool_unwritable(request, store, label, exc)
    request.app[METRICS].deliveries.labels(store.name, label, "set_aside").inc()
    logger.error(
        "authentic delivery set aside: the pipeline cannot carry it",
        extra={
            "store": store.name,
            "topic": label,
            "reason": reason[:500],
            "file": str(spool.rejected_path),
        },
    )
    return web.json_response({"status": "set_aside", "reason": reason[:500]}, status=202)


def _spool_unwritable(
    request: web.Request, store: Store, label: str, exc: SpoolUnwritable
) -> web.Response:
    request.app[METRICS].deliveries.labels(store.name, label, "spool_unwritable").inc()
    logger.error("delivery refused: the spool cannot be written", extra={"error": str(exc)})
    return _error(
        503,
        "spool unwritable",
        f"Redis is unreachable and the spool cannot be written ({exc}); the delivery was not "
        "kept, so WooCommerce records it as failed",
    )


def _check_source(request: web.Request, store: Store, label: str) -> None:
    """The store is the path's, whose secret verified the delivery: X-WC-Webhook-Source is not
    signed. A delivery naming another address is still taken (WPML-style domains per language
    exist), but said."""
    source = request.headers.get("X-WC-Webhook-Source", "")
    if source and store_identity(source) != store.identity:
        request.app[METRICS].foreign_source.labels(store.name).inc()
        logger.warning(
            "delivery names another address than its store's; taken as the store's of its path",
            extra={
                "topic": label,
                "source": printable(source),
                "store": store.name,
                "store_url": store.url,
            },
        )


async def _resource_missing(
    request: web.Request, store: Store, topic: str, exc: IgnoredDelivery
) -> None:
    """WooCommerce delivered a REST error instead of the resource (rest_no_route when a
    webhook is sent synchronously during a Store API checkout): the change itself is real, so
    the reconciler fetches it soon instead of at its next run."""
    resource = topic.partition(".")[0]
    resource_label = resource if resource in WOO_RESOURCES else "other"
    code_label = exc.rest_error if exc.rest_error in KNOWN_REST_ERRORS else "other"
    metrics = request.app[METRICS]
    label = topic_label(topic)
    metrics.deliveries.labels(store.name, label, "rest_error").inc()
    metrics.rest_errors.labels(store.name, resource_label, code_label).inc()
    fields = {
        "store": store.name,
        "topic": label,
        "rest_error": code_label,
        "reconcile": resource == "order",
    }
    if resource == "order":
        try:
            await asyncio.to_thread(schedule_reconcile_soon, request.app[QUEUE].connection)
        except RedisError as error:
            fields |= {"reconcile": False, "error": str(error)}
    logger.warning("delivery carries a WooCommerce REST error, not the resource", extra=fields)


def _too_large(request: web.Request, store: Store, topic_label: str) -> web.Response:
    limit = request.app[SETTINGS].max_body_bytes
    request.app[METRICS].deliveries.labels(store.name, topic_label, "too_large").inc()
    logger.warning(
        "delivery over the size cap",
        extra={"store": store.name, "limit": limit, "content_length": request.content_length},
    )
    return _error(
        413, "body too large", f"the relay accepts at most {limit} bytes (RELAY_MAX_BODY_BYTES)"
    )


def _error(status: int, error: str, detail: str) -> web.Response:
    return web.json_response({"error": error, "detail": detail}, status=status)
