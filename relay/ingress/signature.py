"""WooCommerce webhook signature: base64(HMAC-SHA256(raw body, secret)).

WooCommerce keys the HMAC with the stored secret after `wp_specialchars_decode(..., ENT_QUOTES)`
(PR woocommerce#22722), so a secret copied with HTML entities in it is tried decoded as well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal

SignedWith = Literal["current", "previous"]

_WP_SPECIALCHARS = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#039;", "'"),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&amp;", "&"),
)


class SignatureError(Exception):
    """The delivery is not signed with our secret."""


def sign(body: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(
    body: bytes, signature_header: str | None, secret: str, previous_secret: str = ""
) -> SignedWith:
    """Say which secret signs `body`: "current" (`secret`), or "previous" while a rotation is
    under way and WooCommerce still signs with `previous_secret`; raise SignatureError if none."""
    if not signature_header:
        raise SignatureError("missing X-WC-Webhook-Signature header")
    presented = signature_header.strip().encode("ascii", errors="replace")
    candidates: list[tuple[SignedWith, str]] = [
        (name, variant)
        for name, configured in (("current", secret), ("previous", previous_secret))
        if configured
        for variant in dict.fromkeys((configured, wp_specialchars_decode(configured)))
    ]
    signed_with: SignedWith | None = None
    for name, candidate in candidates:
        expected = sign(body, candidate).encode("ascii")
        if hmac.compare_digest(expected, presented) and signed_with is None:
            signed_with = name
    if signed_with is None:
        raise SignatureError("X-WC-Webhook-Signature does not match the body and secret")
    return signed_with


def wp_specialchars_decode(text: str) -> str:
    """WordPress's wp_specialchars_decode(text, ENT_QUOTES): only these entities."""
    for entity, char in _WP_SPECIALCHARS:
        text = text.replace(entity, char)
    return text
