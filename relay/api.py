"""GET /api/orders/{id}/timeline: an order's timeline, served from Odoo's timeline data."""

from __future__ import annotations

import hashlib
import hmac
import logging

import aiohttp
from aiohttp import web

from relay.keys import ODOO_SESSION, SETTINGS

logger = logging.getLogger(__name__)


def api_token(app_secret: str) -> str:
    """The relay API's bearer token, derived from APP_SECRET (`python -m relay api-token`)."""
    return hmac.new(app_secret.encode(), b"elitaco-relay-api-v1", hashlib.sha256).hexdigest()


async def order_timeline(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not settings.app_secret:
        return _error(503, "API disabled", "set APP_SECRET to enable the relay's API")
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(presented.encode(), api_token(settings.app_secret).encode()):
        return _error(401, "unauthorized", "send Authorization: Bearer <python -m relay api-token>")
    woo_order_id = request.match_info["order_id"]
    if not woo_order_id.isdigit():
        return _error(400, "bad order id", "the WooCommerce order id is a number")
    url = f"{settings.odoo_url}/elitaco/v1/orders/{woo_order_id}/timeline"
    try:
        async with request.app[ODOO_SESSION].get(url) as response:
            if response.status == 404:
                return _error(
                    404, "unknown order", f"Odoo knows no WooCommerce order {woo_order_id}"
                )
            if response.status != 200:
                return _error(502, "Odoo error", f"Odoo answered HTTP {response.status}")
            return web.json_response(await response.json())
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("Odoo unreachable for a timeline", extra={"error": str(exc)})
        return _error(503, "Odoo unreachable", f"{settings.odoo_url}: {exc}")


def _error(status: int, error: str, detail: str) -> web.Response:
    return web.json_response({"error": error, "detail": detail}, status=status)
