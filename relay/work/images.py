"""A product's main image, which its webhook names only by address. The workers download it
(from the store's own host, at most WOO_IMAGE_MAX_BYTES, within a timeout) and hand it to Odoo
under `fetched.image`, only when it differs from the last image Odoo applied for the product:
that one's version is remembered in Redis, so the `product.updated` every stock change sends
downloads nothing."""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from redis import Redis
from redis.exceptions import RedisError

from relay.config import ConfigError, WooConfig

logger = logging.getLogger(__name__)

PRODUCT_EVENTS = ("woo.product.created", "woo.product.updated", "woo.product.restored")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = (5, 20)
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")  # no SVG: it is markup
REMEMBERED_SECONDS = 30 * 24 * 3600


class ImageRefused(Exception):
    """The image was not taken: not on the store's host, too big, not an image, unreachable."""


def main_image(data: dict[str, Any]) -> dict[str, Any] | None:
    """A product's first image (WooCommerce's featured one), a variation's `image`."""
    images = data.get("images")
    image = images[0] if isinstance(images, list) and images else data.get("image")
    return image if isinstance(image, dict) and image.get("src") else None


def image_version(image: dict[str, Any]) -> str:
    """What tells one image from the next: a replaced or edited file changes one of these."""
    return f"{image.get('id')}:{image.get('date_modified_gmt') or ''}:{image['src']}"


def applied_key(store: str, product_id: int) -> str:
    return f"elitaco:woo-image:{store}:{product_id}"


def with_image(
    envelope: dict[str, Any], config: Callable[[], WooConfig], cache: Redis | None
) -> dict[str, Any]:
    """`envelope` with `fetched.image` ({version, src, content_type, content: base64}) when
    its product's main image is not the one Odoo has, or `fetched.image_error` saying why it
    could not be taken (Odoo keeps the image it has; the next event tries again)."""
    data = envelope.get("data") or {}
    image = main_image(data)
    if envelope.get("event_type") not in PRODUCT_EVENTS or image is None:
        return envelope
    try:
        woo = config()
    except ConfigError:
        return envelope
    version = image_version(image)
    if _remembered(cache, woo.store, data.get("id")) == version:
        return envelope
    try:
        content, content_type = download(image["src"], woo)
    except ImageRefused as exc:
        logger.warning(
            "product image not taken", extra={"product": data.get("id"), "error": str(exc)}
        )
        fetched = dict(envelope.get("fetched") or {}, image_error=f"{image['src']}: {exc}")
        return envelope | {"fetched": fetched}
    taken = {
        "version": version,
        "src": image["src"],
        "content_type": content_type,
        "content": base64.b64encode(content).decode("ascii"),
    }
    return envelope | {"fetched": dict(envelope.get("fetched") or {}, image=taken)}


def remember_applied(
    envelope: dict[str, Any], config: Callable[[], WooConfig], cache: Redis | None
) -> None:
    """Odoo applied the event: its image is the product's now."""
    image = (envelope.get("fetched") or {}).get("image")
    if cache is None or not image:
        return
    key = applied_key(config().store, envelope["data"]["id"])
    try:
        cache.set(key, image["version"], ex=REMEMBERED_SECONDS)
    except RedisError:
        pass  # downloaded again with the next event: harmless


def download(src: str, woo: WooConfig) -> tuple[bytes, str]:
    """The image at `src`, which must be on the store's host (or in WOO_IMAGE_HOSTS)."""
    parts = urlsplit(src)
    host = (parts.hostname or "").lower().removeprefix("www.")
    allowed = {urlsplit(woo.store_url).hostname.lower().removeprefix("www.")}
    allowed |= {h.strip().lower() for h in os.environ.get("WOO_IMAGE_HOSTS", "").split(",") if h}
    if parts.scheme not in ("http", "https") or host not in allowed:
        raise ImageRefused(f"not on the store's host ({', '.join(sorted(allowed))})")
    limit = int(os.environ.get("WOO_IMAGE_MAX_BYTES") or DEFAULT_MAX_BYTES)
    try:
        with requests.get(
            src,
            stream=True,
            timeout=TIMEOUT,
            allow_redirects=False,
            verify=woo.ca_bundle or True,
        ) as response:
            if response.status_code != 200:
                raise ImageRefused(f"the store answered HTTP {response.status_code}")
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type not in IMAGE_TYPES:
                raise ImageRefused(f"not a JPEG, PNG, GIF or WebP image ({content_type or '?'})")
            content = bytearray()
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > limit:
                    raise ImageRefused(f"larger than {limit} bytes (WOO_IMAGE_MAX_BYTES)")
    except requests.RequestException as exc:
        raise ImageRefused(f"could not be read: {exc}") from exc
    return bytes(content), content_type


def _remembered(cache: Redis | None, store: str, product_id: Any) -> str | None:
    if cache is None or not isinstance(product_id, int):
        return None
    try:
        value = cache.get(applied_key(store, product_id))
    except RedisError:
        return None
    return value.decode() if value else None
