"""The event contract (docs/schemas/event.schema.json, copied into data/) and what processing
an envelope produces. A contract test in the repository keeps the copy identical."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "event.schema.json"


def store_key(url: str | None) -> str:
    """One name per store however its address is written, as the relay's store_identity()
    (relay/config.py; a contract test holds them equal): bindings, orders and the outbox are
    kept per store. 'https://www.Shop.example.com:443/shop/' -> 'shop.example.com/shop'."""
    if not url:
        return ""
    parts = urlsplit(url.strip() if "//" in url else f"//{url.strip()}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return host + parts.path.rstrip("/").lower()


@cache
def _validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def envelope_problem(envelope: Any) -> str | None:
    """None for a valid envelope, else one sentence naming the first problem and where."""
    if not isinstance(envelope, dict):
        return f"the envelope must be a JSON object, got {type(envelope).__name__}"
    errors = sorted(_validator().iter_errors(envelope), key=lambda error: list(error.path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(part) for part in error.absolute_path) or "(envelope)"
    return f"{where}: {error.message}"


@dataclass
class Outcome:
    """What applying one event did."""

    status: str = "processed"  # processed | ignored
    message: str = ""
    record: Any = None  # the Odoo record the event produced or touched
    sale_order: Any = None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Two different states of one modification second met: which one is WooCommerce's last
    # cannot be told from them, so the workers read the order again from WooCommerce.
    reread: bool = False
    # A delivery that changed nothing (a state already applied, or older than it): the
    # order's timeline counts it on the row of the state applied rather than giving it a row.
    repeat: bool = False
    # How the event's record was found, for a first sync's report: "created", "matched" (an
    # Odoo record that was not bound yet, found by SKU, barcode or e-mail), "unmatched" (none
    # could be taken), or "" (it was bound already).
    found: str = ""
    # Applied only in part (an order kept as a quotation): the rest waits for what this
    # refusal names, and the event counts as failed, its envelope kept to be applied again.
    held: Any = None


class EventRejected(Exception):
    """The event cannot be applied as it is; retrying it unchanged will not help.

    `value_map`: (kind, WooCommerce value) of the value map whose mapping would let it apply,
    when that is the cause: the order's problem banner opens it.
    """

    def __init__(self, message: str, value_map: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.value_map = value_map


class Ambiguous(EventRejected):
    """Several Odoo records match (two products with one SKU): none is taken."""


class EventWaiting(Exception):
    """The event needs another one applied first (a variation its variable product): it fails
    as retryable, and a retry or a replay applies it once the other one is there."""


RESOURCES = ("order", "product", "customer", "coupon")


def describe(envelope: dict[str, Any]) -> dict[str, Any]:
    """What a person recognises an event by, kept on its ledger row (the envelope itself is
    emptied after the retention): the resource, its number, SKU or e-mail, its status, the
    customer and an order's total."""
    data = envelope.get("data") if isinstance(envelope.get("data"), dict) else {}
    parts = str(envelope.get("event_type") or "").split(".")
    resource = parts[1] if len(parts) > 2 and parts[1] in RESOURCES else ""
    billing = data.get("billing") if isinstance(data.get("billing"), dict) else {}
    who = data if resource == "customer" else billing
    person = " ".join(filter(None, (_text(who.get("first_name")), _text(who.get("last_name")))))
    label = {
        "order": data.get("number") and f"#{data['number']}",
        "product": data.get("sku") or data.get("name"),
        "customer": data.get("email"),
        "coupon": data.get("code"),
    }.get(resource) or (data.get("id") and f"#{data['id']}")
    total = None
    if resource == "order":
        try:
            total = float(data["total"])
        except (KeyError, TypeError, ValueError):
            total = None
    return {
        "resource": resource or None,
        "woo_label": _text(label)[:120] or None,
        "woo_status": _text(data.get("status"))[:40] or None,
        "customer_name": (person or _text(who.get("email")))[:120] or None,
        "amount_total": total,
        "currency_code": _text(data.get("currency"))[:3] or None if total is not None else None,
    }


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int) and value != "" else ""
