"""What a refund's webhook does not say: WooCommerce's order payload lists each refund's id and
total only; the workers read its lines (GET /orders/<id>/refunds/<refund id>) and hand them to
Odoo with the event, under `fetched`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from relay.clients.woo import WooClient
from relay.config import ConfigError

ORDER_EVENTS = ("woo.order.created", "woo.order.updated", "woo.order.restored")


def with_refund_details(envelope: dict[str, Any], woo: Callable[[], WooClient]) -> dict[str, Any]:
    """`envelope` with `fetched.refunds` (the details of each refund its order lists) and
    `fetched.refund_errors` (refund id -> why it could not be read: Odoo then books nothing
    for that refund and the event is retried). A refund WooCommerce no longer has (deleted
    since) is neither: Odoo books the amount the order listed."""
    data = envelope.get("data") or {}
    refund_ids = [
        refund["id"]
        for refund in data.get("refunds") or []
        if isinstance(refund, dict) and isinstance(refund.get("id"), int)
    ]
    if envelope.get("event_type") not in ORDER_EVENTS or not refund_ids:
        return envelope
    details: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    try:
        client = woo()
    except ConfigError as exc:
        errors = {
            str(refund_id): f"the workers have no WooCommerce REST key: {exc}"
            for refund_id in refund_ids
        }
        return envelope | {"fetched": {"refunds": details, "refund_errors": errors}}
    for refund_id in refund_ids:
        try:
            detail = client.refund(data["id"], refund_id)
        except requests.HTTPError as exc:
            if exc.response is not None and exc.response.status_code == 404:
                continue
            errors[str(refund_id)] = str(exc)
        except requests.RequestException as exc:
            errors[str(refund_id)] = str(exc)
        else:
            detail.pop("_links", None)
            details.append(detail)
    return envelope | {"fetched": {"refunds": details, "refund_errors": errors}}
