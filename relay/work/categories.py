"""What a product's webhook does not say about its categories: their parents. The workers read
each category and its ancestors (GET /products/categories/<id>, kept an hour in Redis, as
categories change seldom) and hand them to Odoo with the event, under `fetched.categories`, so
that Odoo builds the same category tree."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import requests
from redis import Redis
from redis.exceptions import RedisError

from relay.clients.woo import WooClient
from relay.config import ConfigError

logger = logging.getLogger(__name__)

PRODUCT_EVENTS = ("woo.product.created", "woo.product.updated", "woo.product.restored")
CACHE_SECONDS = 3600
MAX_DEPTH = 20  # a loop of parents in a broken store stops here


def cache_key(store: str, category_id: int) -> str:
    return f"elitaco:woo-category:{store}:{category_id}"


def with_categories(
    envelope: dict[str, Any], woo: Callable[[], WooClient], cache: Redis | None
) -> dict[str, Any]:
    """`envelope` with `fetched.categories`: each category of the product and its ancestors,
    as {id, name, parent}. Unchanged when there is nothing to read or it cannot be read: Odoo
    then files the product under the category's name alone, and a later event puts it right."""
    data = envelope.get("data") or {}
    wanted = [
        category["id"]
        for category in data.get("categories") or []
        if isinstance(category, dict) and isinstance(category.get("id"), int)
    ]
    if envelope.get("event_type") not in PRODUCT_EVENTS or not wanted:
        return envelope
    store = (envelope.get("meta") or {}).get("store_url", "")
    try:
        client = woo()
    except ConfigError:
        return envelope
    found: dict[int, dict[str, Any]] = {}
    try:
        for category_id in wanted:
            for _ in range(MAX_DEPTH):
                if category_id in found or not category_id:
                    break
                category = _read(client, cache, store, category_id)
                found[category_id] = category
                category_id = category["parent"]
    except requests.RequestException as exc:
        logger.warning(
            "product categories not read; Odoo files the product by name",
            extra={"product": data.get("id"), "error": str(exc)},
        )
        return envelope
    fetched = dict(envelope.get("fetched") or {}, categories=list(found.values()))
    return envelope | {"fetched": fetched}


def _read(client: WooClient, cache: Redis | None, store: str, category_id: int) -> dict:
    key = cache_key(store, category_id)
    if cache is not None:
        try:
            cached = cache.get(key)
        except RedisError:
            cached = None
        if cached:
            return json.loads(cached)
    raw = client.category(category_id)
    category = {"id": raw["id"], "name": raw.get("name") or "", "parent": raw.get("parent") or 0}
    if cache is not None:
        try:
            cache.set(key, json.dumps(category), ex=CACHE_SECONDS)
        except RedisError:
            pass
    return category
