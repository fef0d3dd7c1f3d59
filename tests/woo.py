"""Builds requests exactly as WooCommerce's WC_Webhook::deliver() and deliver_ping() send them."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relay.ingress.signature import sign

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "schemas" / "examples"
STORE_URL = "https://shop.example.com/"
USER_AGENT = "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)"


@dataclass
class WooRequest:
    body: bytes
    headers: dict[str, str]


def example_envelope(event_type: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))


def example_payload(event_type: str) -> dict[str, Any]:
    return example_envelope(event_type)["data"]


def php_json(payload: Any) -> bytes:
    """`wp_json_encode($payload)` with default flags: '/' as '\\/', non-ASCII as \\uXXXX."""
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return encoded.replace("/", "\\/").encode("ascii")


def woo_delivery(
    topic: str,
    payload: Any,
    secret: str,
    *,
    webhook_id: int = 3,
    body: bytes | None = None,
    signature: str | None = None,
) -> WooRequest:
    body = php_json(payload) if body is None else body
    resource, _, event = topic.partition(".")
    delivery_seed = f"{webhook_id}{int(time.time())}".encode()
    return WooRequest(
        body=body,
        headers={
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Connection": "close",
            "X-WC-Webhook-Source": STORE_URL,
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": sign(body, secret) if signature is None else signature,
            "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": hashlib.md5(delivery_seed).hexdigest(),
        },
    )


def woo_ping(webhook_id: int = 3) -> WooRequest:
    return WooRequest(
        body=f"webhook_id={webhook_id}".encode(),
        headers={
            "User-Agent": USER_AGENT,
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
        },
    )


def nested(levels: int) -> dict[str, Any]:
    """A value nested `levels` deep (more than RQ's pickle takes at ~500)."""
    value: dict[str, Any] = {"leaf": True}
    for _ in range(levels):
        value = {"nested": value}
    return value
