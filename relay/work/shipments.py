"""An order's deliveries told to WooCommerce: each one as it leaves, with its tracking number
where the Shipment Tracking extension keeps them and a note to the customer; the order is
completed with its last delivery."""

from __future__ import annotations

import hashlib
import html
from datetime import datetime
from typing import Any

from relay.clients.woo import WooClient

# The Shipment Tracking extension's order meta: the tracking numbers a customer sees.
TRACKING_META = "_wc_shipment_tracking_items"


def push_shipped(woo: WooClient, data: dict[str, Any]) -> dict[str, Any]:
    """A row queued before deliveries were told one by one: the whole order shipped."""
    order_id = data["woo_order_id"]
    answer = woo.update_order(order_id, {"status": "completed"})
    note = f"Shipped from Odoo ({data['odoo_order']})"
    if data.get("tracking_ref"):
        note += f": tracking {data['tracking_ref']}"
    if data.get("carrier"):
        note += f" with {data['carrier']}"
    add_note_once(woo, order_id, note, to_customer=False)
    return answer


def push_shipment(woo: WooClient, data: dict[str, Any]) -> dict[str, Any]:
    """One delivery left: its tracking number joins the order's Shipment Tracking items (the
    de facto place, `_wc_shipment_tracking_items`, which the customer's e-mails and account
    page show), the customer gets a note, and the order is completed with its last delivery."""
    order_id = data["woo_order_id"]
    values: dict[str, Any] = {"status": "completed"} if data.get("complete") else {}
    if data.get("tracking_ref"):
        items = tracking_items(woo.order(order_id), data)
        if items is not None:
            values["meta_data"] = [{"key": TRACKING_META, "value": items}]
    answer = woo.update_order(order_id, values) if values else {"id": order_id}
    add_note_once(woo, order_id, shipment_note(data), to_customer=True)
    return answer


def tracking_items(order: dict[str, Any], data: dict[str, Any]) -> list[dict] | None:
    """The order's tracking items with this delivery's, or None when it is there already (a
    push repeated after a lost answer)."""
    meta = {item.get("key"): item.get("value") for item in order.get("meta_data") or []}
    items = meta.get(TRACKING_META)
    items = list(items) if isinstance(items, list) else []
    tracking_id = hashlib.md5(f"odoo:{data['delivery']}".encode()).hexdigest()
    if any(isinstance(item, dict) and item.get("tracking_id") == tracking_id for item in items):
        return None
    shipped_at = data.get("shipped_at")
    when = datetime.fromisoformat(shipped_at) if shipped_at else None
    return [
        *items,
        {
            "tracking_provider": "",
            "custom_tracking_provider": data.get("carrier") or "",
            "custom_tracking_link": "",
            "tracking_number": data["tracking_ref"],
            "date_shipped": str(int(when.timestamp())) if when else "",
            "tracking_id": tracking_id,
        },
    ]


def shipment_note(data: dict[str, Any]) -> str:
    """What the customer reads of one delivery."""
    note = f"Shipped: {data['delivery']}"
    if data.get("carrier"):
        note += f" with {data['carrier']}"
    if data.get("tracking_ref"):
        note += f", tracking number {data['tracking_ref']}"
    items = ", ".join(f"{item['quantity']:g} × {item['name']}" for item in data.get("items") or [])
    if items:
        note += f" ({items})"
    note += "." if data.get("complete") else ". The rest of your order follows."
    return note


def add_note_once(woo: WooClient, order_id: int, note: str, to_customer: bool) -> None:
    # A note POST is not retried, and a failed push is pushed again: add it only once.
    notes = woo.order_notes(order_id, "any")
    if note not in {html.unescape(existing.get("note", "")) for existing in notes}:
        woo.add_order_note(order_id, note, to_customer=to_customer)
