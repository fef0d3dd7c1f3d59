"""Webhook health against a real WooCommerce store: `register-webhooks --check` finds a topic
whose webhook was deleted and one of ours delivering to another URL, and finds nothing once
register-webhooks has put them right."""

from __future__ import annotations

from redis import Redis

from relay.pipeline.status import read_webhook_report
from tests.e2e.conftest import Shop


def test_check_finds_a_missing_topic_and_a_webhook_pointing_elsewhere(shop: Shop) -> None:
    url = f"{shop.relay.url}/webhook/woo"
    fine = shop.cli("register-webhooks", "--url", url, "--check")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "ok: every topic has an active webhook to " in fine.stdout

    hooks = {
        hook["topic"]: hook
        for hook in shop.store.rest("GET", "/webhooks", per_page=100)
        if hook["delivery_url"] == url
    }
    deleted = hooks["customer.deleted"]
    moved = hooks["order.restored"]
    elsewhere = f"{url}?from=old-relay"  # still answers WooCommerce's ping
    try:
        shop.store.rest("DELETE", f"/webhooks/{deleted['id']}", force="true")
        shop.store.rest("PUT", f"/webhooks/{moved['id']}", {"delivery_url": elsewhere})

        found = shop.cli("register-webhooks", "--url", url, "--check")
        assert found.returncode == 1, found.stdout + found.stderr
        assert "PROBLEM  missing  customer.deleted" in found.stdout
        assert "PROBLEM  missing  order.restored" in found.stdout
        assert (
            f"PROBLEM  elsewhere  order.restored: webhook {moved['id']} (order.restored) "
            f"delivers to {elsewhere}, not {url}"
        ) in found.stdout
        report = read_webhook_report(
            Redis.from_url(shop.env["REDIS_URL"]), shop.env["WOO_STORE_URL"]
        )
        assert len(report["problems"]) == 3, "what /health reports"
        assert report["problems"][0]["delivery_url"] == url
    finally:  # the store as the other tests expect it: every topic delivered to the relay
        shop.store.rest("DELETE", f"/webhooks/{moved['id']}", force="true")
        again = shop.cli("register-webhooks", "--url", url)
        assert again.returncode == 0, again.stderr

    fixed = shop.cli("register-webhooks", "--url", url, "--check")
    assert fixed.returncode == 0, fixed.stdout
