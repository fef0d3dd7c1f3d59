"""The WooCommerce webhooks this system needs, created (or re-enabled) through the REST API."""

from __future__ import annotations

from collections.abc import Iterator

from relay.clients.woo import WooClient

TOPICS = (
    "order.created",
    "order.updated",
    "order.deleted",
    "order.restored",
    "product.created",
    "product.updated",
    "product.deleted",
    "product.restored",
    "customer.created",
    "customer.updated",
    "customer.deleted",
)


def register_webhooks(
    woo: WooClient, delivery_url: str, secret: str, update_secret: bool = False
) -> Iterator[str]:
    """Yield one line per topic saying what was done; running it twice changes nothing.

    With `update_secret`, webhooks that exist get `secret` too: the step of a secret rotation
    taken once the relay accepts both secrets (WOO_WEBHOOK_PREVIOUS_SECRET).
    """
    existing = {
        hook["topic"]: hook for hook in woo.webhooks() if hook.get("delivery_url") == delivery_url
    }
    for topic in TOPICS:
        hook = existing.get(topic)
        if hook is None:
            created = woo.create_webhook(
                {
                    "name": f"Elitaco {topic}",
                    "topic": topic,
                    "delivery_url": delivery_url,
                    "secret": secret,
                    "status": "active",
                }
            )
            yield f"created  {topic}  (webhook {created['id']})"
        elif hook.get("status") != "active":
            woo.update_webhook(hook["id"], {"status": "active", "secret": secret})
            yield f"re-enabled  {topic}  (webhook {hook['id']}, was {hook.get('status')})"
        elif update_secret:
            woo.update_webhook(hook["id"], {"secret": secret})
            yield f"secret updated  {topic}  (webhook {hook['id']})"
        else:
            yield f"exists  {topic}  (webhook {hook['id']})"
