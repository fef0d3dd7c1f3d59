"""GET /api/stores/{store}/orders/{id}/timeline (GET /api/orders/{id}/timeline while there is
one store): a store's order's timeline, served from Odoo's timeline data."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

import aiohttp
from aiohttp import web

from relay.ingress.keys import ODOO_SESSION, SETTINGS, STORES

logger = logging.getLogger(__name__)
ORDER_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits: str.isdigit() takes "²" and "٣" too
MAX_ORDER_ID = 2**31 - 1


def api_token(app_secret: str) -> str:
    """The relay API's bearer token, derived from APP_SECRET (`python -m relay api-token`)."""
    return hmac.new(app_secret.encode(), b"elitaco-relay-api-v1", hashlib.sha256).hexdigest()


async def order_timeline(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not settings.app_secret:
        return _error(503, "API disabled", "set APP_SECRET to enable the relay's API")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    expected = api_token(settings.app_secret)
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        return _error(401, "unauthorized", "send Authorization: Bearer <python -m relay api-token>")
    stores = request.app[STORES].stores
    name = request.match_info.get("store")
    store = stores.only if name is None else stores.get(name)
    if store is None:
        paths = ", ".join(f"/api/stores/{each}/orders/{{id}}/timeline" for each in stores.names)
        if name is None:
            detail = f"this relay serves {len(stores)} stores: ask for the order of one, {paths}"
        else:
            detail = f"no store named {name[:40]!r} in {stores.source}; the stores: {paths}"
        return _error(404, "unknown store", detail)
    woo_order_id = request.match_info["order_id"]
    if not ORDER_ID.fullmatch(woo_order_id) or int(woo_order_id) > MAX_ORDER_ID:
        return _error(400, "bad order id", "the WooCommerce order id is a number (digits 0-9)")
    if not settings.odoo.api_key:
        return _error(
            503,
            "API disabled",
            "set ODOO_READ_API_KEY to the API key of an Odoo user in the group "
            "WooCommerce Integration / Timeline Reader",
        )
    odoo = settings.odoo
    url = f"{odoo.url}/elitaco/v1/orders/{woo_order_id}/timeline"
    try:
        # Odoo knows the store by its identity (integration.store.key), as events carry it.
        params = {"store": store.identity}
        async with request.app[ODOO_SESSION].get(url, params=params) as response:
            if response.status in (401, 403):
                return _error(
                    502,
                    "Odoo refused the relay",
                    f"Odoo answered HTTP {response.status}: check ODOO_READ_API_KEY and that its "
                    "user is in the group WooCommerce Integration / Timeline Reader",
                )
            if response.status == 404:
                return _error(
                    404,
                    "unknown order",
                    f"Odoo knows no WooCommerce order {woo_order_id} of store {store.name!r}",
                )
            if response.status != 200:
                return _error(502, "Odoo error", f"Odoo answered HTTP {response.status}")
            try:
                return web.json_response(await response.json(content_type=None))
            except ValueError:
                return _error(502, "Odoo error", "Odoo answered 200 with a body that is not JSON")
    except TimeoutError:
        limits = (
            f"ODOO_CONNECT_TIMEOUT {odoo.connect_timeout:g} s, "
            f"ODOO_READ_TIMEOUT {odoo.read_timeout:g} s"
        )
        detail = f"Odoo did not answer in time ({odoo.url}; {limits})"
        logger.warning("Odoo timed out for a timeline", extra={"odoo_url": odoo.url})
        return _error(503, "Odoo unreachable", detail)
    except aiohttp.ClientError as exc:
        logger.warning("Odoo unreachable for a timeline", extra={"error": str(exc)})
        return _error(503, "Odoo unreachable", f"{odoo.url}: {exc or type(exc).__name__}")


def _error(status: int, error: str, detail: str) -> web.Response:
    return web.json_response({"error": error, "detail": detail}, status=status)
