"""Odoo → WooCommerce: push what the module's outbox holds and acknowledge each push."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from typing import Any

import requests
from redis import Redis
from redis.exceptions import RedisError

from relay.clients.odoo import OdooClient, until_odoo_answers
from relay.clients.woo import PER_PAGE, WooClient
from relay.redis_connection import redis_from_env
from relay.work.imports import enqueue_import
from relay.work.shipments import push_shipment, push_shipped

logger = logging.getLogger(__name__)


@dataclass
class PushReport:
    claimed: int = 0
    pushed: int = 0
    failed: int = 0


def push_outbox(
    odoo: OdooClient,
    woo: WooClient,
    worker: str,
    limit: int = 100,
    lease_seconds: int = 300,
    connection: Redis | None = None,
) -> PushReport:
    """Claim up to `limit` outbox rows (leased to `worker`), push them, acknowledge each.
    Import requests become the job that reads the store (on `connection`'s maintenance
    queue)."""
    events = odoo.claim_outbox(worker, limit, lease_seconds, woo.store)
    report = PushReport(claimed=len(events))
    stock = [event for event in events if event["event_type"] == "odoo.stock.changed"]
    import_requests = [e for e in events if e["event_type"] == "odoo.import.requested"]
    products = [e for e in events if e["event_type"] == "odoo.product.changed"]
    categories = [e for e in events if e["event_type"] == "odoo.category.changed"]
    orders = [e for e in events if e not in stock + import_requests + products + categories]
    # Orders first: WooCommerce restocks an order it cancels, and Odoo's quantity, pushed
    # afterwards, is the one that must stay.
    # Products before stock: a product created now gets its stock with the next push.
    results = [_push_order(woo, event) for event in orders]
    made: dict[int, int] = {}  # categories made (or found) by this push, by Odoo id
    results += [_push_category(woo, event, made) for event in categories]
    results += _push_products(woo, products, made)
    results += _push_stock(woo, stock)
    results += [_request_import(connection, event) for event in import_requests]
    # (event, True, WooCommerce's answer) or (event, False, the error[, what was made anyway])
    for event, ok, answer, *made in results:
        response = answer if ok else next(iter(made), None)
        until_odoo_answers(
            lambda event=event, ok=ok, answer=answer, response=response: odoo.ack_outbox(
                event["event_id"], ok, response, None if ok else answer, worker
            ),
            {"event_id": event["event_id"]},
        )
        report.pushed += ok
        report.failed += not ok
        logger.log(
            logging.INFO if ok else logging.WARNING,
            "outbox push %s",
            "done" if ok else "failed",
            extra={
                "event_id": event["event_id"],
                "event_type": event["event_type"],
                "answer": answer,
            },
        )
    return report


def _push_stock(woo: WooClient, events: list[dict[str, Any]]) -> list[tuple]:
    """Stock through the batch endpoints: products together, each product's variations together."""
    by_parent: dict[int | None, list[tuple[dict, dict]]] = defaultdict(list)
    for event in events:
        for item in event["data"]["items"]:
            by_parent[item.get("woo_parent_id")].append((event, item))
    results = []
    for parent_id, pairs in by_parent.items():
        for start in range(0, len(pairs), PER_PAGE):
            chunk = pairs[start : start + PER_PAGE]
            updates = [
                {
                    "id": item["woo_product_id"],
                    "manage_stock": True,
                    "stock_quantity": int(item["stock_quantity"]),
                }
                for _, item in chunk
            ]
            try:
                answer = woo.update_stock(updates, parent_id)
            except requests.RequestException as exc:
                results += [(event, False, f"WooCommerce: {exc}") for event, _ in chunk]
                continue
            per_id = {entry.get("id"): entry for entry in answer.get("update", [])}
            for event, item in chunk:
                entry = per_id.get(item["woo_product_id"], {})
                if "error" in entry or not entry:
                    error = entry.get("error") or {"message": "missing from the batch answer"}
                    results.append((event, False, f"WooCommerce: {error.get('message')}"))
                else:
                    results.append(
                        (
                            event,
                            True,
                            json.dumps(
                                {"id": entry["id"], "stock_quantity": entry.get("stock_quantity")}
                            ),
                        )
                    )
    return results


def _push_category(woo: WooClient, event: dict[str, Any], made: dict[int, int]) -> tuple:
    """A category renamed or moved in Odoo: its name and parent set in WooCommerce (the
    parents it is moved under made first when the store lacks them)."""
    data = event["data"]
    try:
        parent_ids = _category_ids(woo, data, made)
        woo.update_category(
            data["woo_category_id"], data["name"], parent_ids[0] if parent_ids else None
        )
    except requests.RequestException as exc:
        answer = {"categories": _categories_of(data, made)}
        return event, False, f"WooCommerce: {_detail(exc)}", json.dumps(answer)
    answer = {"id": data["woo_category_id"], "categories": _categories_of(data, made)}
    return event, True, json.dumps(answer)


def _push_products(
    woo: WooClient, events: list[dict[str, Any]], categories: dict[int, int] | None = None
) -> list[tuple]:
    """Products sold from Odoo, through the batch endpoint: updated when WooCommerce's id is
    known, else when WooCommerce has the SKU already (a create whose answer was lost, a
    product made there by hand), else created. The answer names the id Odoo binds."""
    categories = {} if categories is None else categories  # made by this push, by Odoo id
    results: list[tuple] = [
        _push_variable(woo, event, categories)
        for event in events
        if event["data"].get("type") == "variable"
    ]
    planned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for event in events:
        data = event["data"]
        if data.get("type") == "variable":
            continue
        try:
            category_ids = _category_ids(woo, data, categories)
            woo_id = data.get("woo_product_id") or next(
                (p["id"] for p in woo.products_by_sku(data["sku"]) if p.get("type") != "variation"),
                None,
            )
        except requests.RequestException as exc:
            made = {"categories": _categories_of(data, categories)}
            results.append((event, False, f"WooCommerce: {_detail(exc)}", json.dumps(made)))
            continue
        values = _product_values(data, category_ids, created=not woo_id)
        planned.append((event, values | {"id": woo_id} if woo_id else values))
    for start in range(0, len(planned), PER_PAGE):
        chunk = planned[start : start + PER_PAGE]
        try:
            answered = _batch(woo.batch_products, chunk)
        except requests.RequestException as exc:
            for event, _ in chunk:
                made = {"categories": _categories_of(event["data"], categories)}
                results.append((event, False, f"WooCommerce: {_detail(exc)}", json.dumps(made)))
            continue
        for event, entry, error in answered:
            made = {"categories": _categories_of(event["data"], categories)}
            if error:
                results.append((event, False, f"WooCommerce: {error}", json.dumps(made)))
            else:
                answer = {"id": entry["id"], "status": entry.get("status")} | made
                results.append((event, True, json.dumps(answer)))
    return results


def _category_ids(woo: WooClient, data: dict[str, Any], made: dict[int, int]) -> list[int]:
    """The product's WooCommerce category ids. Categories Odoo has and the store has not yet
    (`new_categories`, from the top down to the product's own) are made first, each once per
    push (`made`, by Odoo id)."""
    new = data.get("new_categories") or []
    for category in new:
        if category["odoo_id"] not in made:
            parent_odoo_id = category.get("parent_odoo_id")
            parent_id = made[parent_odoo_id] if parent_odoo_id else category.get("parent_id")
            made[category["odoo_id"]] = woo.create_category(category["name"], parent_id)
    return [made[new[-1]["odoo_id"]]] if new else list(data.get("category_ids") or [])


def _categories_of(data: dict[str, Any], made: dict[int, int]) -> dict[str, int]:
    """What Odoo binds: the product's new categories this push made, by Odoo id."""
    new = [category["odoo_id"] for category in data.get("new_categories") or []]
    return {str(odoo_id): made[odoo_id] for odoo_id in new if odoo_id in made}


def _batch(send: Callable[[list, list], dict], chunk: list[tuple[Any, dict]]) -> list[tuple]:
    """One batch call for `chunk` ((key, values) pairs; values with an id are updates, the
    others creates): each key with WooCommerce's entry for it and, when it failed, the
    error. The answer lists creates and updates each in the order they were sent."""
    answer = send(
        [values for _, values in chunk if "id" not in values],
        [values for _, values in chunk if "id" in values],
    )
    created, updated = iter(answer.get("create") or []), iter(answer.get("update") or [])
    answered = []
    for key, values in chunk:
        entry = next(updated if "id" in values else created, None) or {}
        if entry.get("id") and not entry.get("error"):
            answered.append((key, entry, None))
        else:
            message = (entry.get("error") or {}).get("message") or "missing from the batch answer"
            answered.append((key, entry, message))
    return answered


def _push_variable(woo: WooClient, event: dict[str, Any], categories: dict[int, int]) -> tuple:
    """A product with variants: the variable product (found by its id, else through a
    variation's SKU, else created), then its variations through the variations batch
    endpoint. The answer names every id made, failed or not, so that Odoo binds them and a
    retry updates what this attempt made instead of making it again."""
    data = event["data"]
    made: dict[str, Any] = {"id": None, "variations": {}}
    errors: list[str] = []
    try:
        category_ids = _category_ids(woo, data, categories)
        parent_id = data.get("woo_product_id") or _parent_by_sku(woo, data["variations"])
        values = {
            "name": data["name"],
            "type": "variable",
            "status": data["status"],
            "short_description": data.get("short_description") or "",
            "attributes": [
                {"name": a["name"], "options": a["options"], "variation": True, "visible": True}
                for a in data["attributes"]
            ],
        }
        if category_ids:
            values["categories"] = [{"id": category} for category in category_ids]
        parent = woo.update_product(parent_id, values) if parent_id else woo.create_product(values)
        made["id"] = parent_id = parent["id"]
        in_store = woo.variations(parent_id)
        known = {variation.get("sku"): variation["id"] for variation in in_store}
        planned: list[tuple[int | str, dict[str, Any]]] = []
        for variation in data["variations"]:
            values = {
                key: variation[key]
                for key in ("sku", "regular_price", "status", "attributes", "manage_stock")
                if key in variation
            } | {"weight": variation.get("weight") or ""}
            woo_id = variation.get("woo_variation_id") or known.get(variation["sku"])
            if not woo_id:
                values |= _initial_stock(variation)
            planned.append(
                (variation["odoo_product_id"], values | {"id": woo_id} if woo_id else values)
            )
        sku_of = {odoo_id: values["sku"] for odoo_id, values in planned}
        # Variations Odoo does not have (its variant deleted, or made by hand) stop being sold.
        pushed = {values.get("id") for _, values in planned}
        for variation in in_store:
            if variation["id"] not in pushed and variation.get("status") != "private":
                gone = f"woo-{variation['id']}"
                sku_of[gone] = variation.get("sku") or gone
                planned.append((gone, {"id": variation["id"], "status": "private"}))
        for start in range(0, len(planned), PER_PAGE):
            chunk = planned[start : start + PER_PAGE]
            send = partial(woo.batch_variations, parent_id)
            for odoo_id, entry, error in _batch(send, chunk):
                if error:
                    errors.append(f"variation {sku_of[odoo_id]}: {error}")
                elif isinstance(odoo_id, int):
                    made["variations"][str(odoo_id)] = entry["id"]
    except requests.RequestException as exc:
        errors.append(_detail(exc))
    made["categories"] = _categories_of(data, categories)
    if errors:
        return event, False, "WooCommerce: " + "; ".join(errors), json.dumps(made)
    return event, True, json.dumps(made)


def _parent_by_sku(woo: WooClient, variations: list[dict[str, Any]]) -> int | None:
    """The variable product an earlier attempt made, through the SKU of one of its variations."""
    for variation in variations:
        for found in woo.products_by_sku(variation["sku"]):
            if found.get("type") == "variation" and found.get("parent_id"):
                return found["parent_id"]
    return None


def _product_values(data: dict[str, Any], category_ids: list[int], created: bool) -> dict:
    values = {
        "name": data["name"],
        "sku": data["sku"],
        "regular_price": data["regular_price"],
        "status": data["status"],
        "short_description": data.get("short_description") or "",
        "weight": data.get("weight") or "",
    }
    if category_ids:
        values["categories"] = [{"id": category} for category in category_ids]
    if created:  # then stock is pushed by its own rows; WooCommerce tracks it if Odoo does
        values |= {"type": "simple", "manage_stock": bool(data.get("manage_stock"))}
        values |= _initial_stock(data)
    return values


def _initial_stock(data: dict[str, Any]) -> dict[str, int]:
    """The stock a product is made with (its later changes are the stock rows')."""
    if data.get("manage_stock") and "stock_quantity" in data:
        return {"stock_quantity": int(data["stock_quantity"])}
    return {}


def _request_import(connection: Redis | None, event: dict[str, Any]) -> tuple:
    connection = connection or redis_from_env()
    try:
        job_id = enqueue_import(connection, event["data"]["import_id"])
    except RedisError as exc:
        return event, False, f"Redis: {exc}"
    return event, True, json.dumps({"job": job_id})


def _push_order(woo: WooClient, event: dict[str, Any]) -> tuple:
    data = event["data"]
    order_id = data["woo_order_id"]
    try:
        if event["event_type"] == "odoo.order.shipped":
            answer = push_shipment(woo, data) if "delivery" in data else push_shipped(woo, data)
        elif event["event_type"] == "odoo.order.refunded":
            refund = _push_refund(woo, data)
            return event, True, json.dumps({"id": refund.get("id"), "amount": refund.get("amount")})
        else:
            answer = woo.update_order(order_id, {"status": "cancelled"})
    except requests.RequestException as exc:
        return event, False, f"WooCommerce: {_detail(exc)}"
    return event, True, json.dumps({"id": answer.get("id"), "status": answer.get("status")})


def _push_refund(woo: WooClient, data: dict[str, Any]) -> dict[str, Any]:
    """The refund of an Odoo credit note, made once: a POST is never retried by the client, and
    a refund an earlier attempt made (its answer lost) is found by the credit note's meta."""
    order_id = data["woo_order_id"]
    marker = {(meta["key"], str(meta["value"])) for meta in data["meta_data"]}
    for refund in woo.refunds(order_id):
        metas = refund.get("meta_data") or []
        if marker & {(meta.get("key"), str(meta.get("value"))) for meta in metas}:
            return refund
    order = woo.order(order_id)
    taxes_of = {
        item["id"]: item.get("taxes") or []
        for kind in ("line_items", "shipping_lines", "fee_lines")
        for item in order.get(kind) or []
    }
    line_items = [
        {
            "id": line["woo_line_id"],
            "quantity": line["quantity"],
            "refund_total": line["total"],
            "refund_tax": split_tax(line["total_tax"], taxes_of.get(line["woo_line_id"], [])),
        }
        for line in data["lines"]
    ]
    return woo.create_refund(
        order_id,
        {
            "amount": data["amount"],
            "reason": data["reason"],
            "api_refund": data["api_refund"],
            "api_restock": False,  # Odoo's stock is the truth; its push follows the return
            "line_items": line_items,
            "meta_data": data["meta_data"],
        },
    )


def split_tax(tax: str, line_taxes: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A refund line's tax over the WooCommerce tax rates its order line was taxed with, in
    their proportion (the last takes the rounding), as WooCommerce's refund_tax wants it."""
    refunded = Decimal(tax)
    rates = [(rate["id"], Decimal(rate.get("total") or "0")) for rate in line_taxes]
    rates = [(rate_id, charged) for rate_id, charged in rates if charged]
    if not refunded or not rates:
        return []
    charged_total = sum(charged for _, charged in rates)
    shares, left = [], refunded
    for rate_id, charged in rates[:-1]:
        share = (refunded * charged / charged_total).quantize(Decimal("0.01"), ROUND_HALF_UP)
        shares.append({"id": rate_id, "refund_total": str(share)})
        left -= share
    shares.append({"id": rates[-1][0], "refund_total": str(left)})
    return shares


def _detail(exc: requests.RequestException) -> str:
    """The error and, when WooCommerce said why, its message (e.g. "Invalid refund amount.")."""
    response = getattr(exc, "response", None)
    try:
        message = response.json().get("message") if response is not None else None
    except ValueError:
        message = None
    return f"{exc} ({message})" if message else str(exc)
