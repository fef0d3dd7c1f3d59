"""Webhook health: `register-webhooks --check` and the reconcile cron's watchdog find missing
topics, webhooks not active, and webhooks delivering to another URL or API version; /health
says so. (Against the real store: tests/e2e/test_webhook_health_store.py.)"""

from __future__ import annotations

import pytest

from relay.cli import main as cli_main
from relay.clients.woo import WooClient, WooConfig
from relay.ingress.app import create_app
from relay.ingress.keys import QUEUE
from relay.pipeline.status import read_delivery_url, read_webhook_report, save_delivery_url
from relay.work.reconcile import check_webhooks
from relay.work.webhooks import (
    TOPICS,
    check_webhook_health,
    note_api_version,
    webhook_alert,
    webhook_problems,
)
from tests.conftest import SECRET, one_store

URL = "https://relay.example.com/webhook/woo"


def healthy(**changes) -> list[dict]:
    return [
        {
            "id": n,
            "name": f"Elitaco {topic}",
            "topic": topic,
            "status": "active",
            "delivery_url": URL,
            "api_version": "wp_api_v3",
        }
        | (changes if topic == "order.created" else {})
        for n, topic in enumerate(TOPICS, start=1)
    ]


def problems_of(hooks: list[dict], url: str | None = URL) -> list[tuple]:
    return [(found["problem"], found["topic"]) for found in webhook_problems(hooks, url)]


def test_every_topic_active_to_the_relay_is_healthy() -> None:
    assert webhook_problems(healthy(), URL) == []
    assert webhook_alert({"problems": []}) == {"kind": "webhook", "ok": True}


def test_a_missing_topic_is_found() -> None:
    hooks = [hook for hook in healthy() if hook["topic"] != "customer.deleted"]
    [found] = webhook_problems(hooks, URL)
    assert (found["problem"], found["topic"]) == ("missing", "customer.deleted")
    assert "run register-webhooks" in found["message"]


def test_ours_pointing_elsewhere_is_found_and_its_topic_missing() -> None:
    hooks = healthy(delivery_url="https://old-relay.example.com/webhook/woo")
    assert problems_of(hooks) == [("missing", "order.created"), ("elsewhere", "order.created")]
    message = webhook_problems(hooks, URL)[1]["message"]
    assert "delivers to https://old-relay.example.com/webhook/woo, not " + URL in message


def test_another_plugins_webhook_elsewhere_is_none_of_our_business() -> None:
    other = {"id": 99, "name": "Mailer", "topic": "order.created", "status": "active"}
    assert webhook_problems([*healthy(), other | {"delivery_url": "https://mail"}], URL) == []


def test_another_api_version_and_a_disabled_webhook_are_found() -> None:
    assert problems_of(healthy(api_version="wp_api_v1")) == [("api_version", "order.created")]
    assert problems_of(healthy(status="disabled")) == [("disabled", "order.created")]
    assert problems_of(healthy(status="paused")) == [("paused", "order.created")]
    alert = webhook_alert({"problems": webhook_problems(healthy(status="paused"), URL)})
    assert (alert["ok"], alert["count"]) == (False, 1)
    assert "webhook 1 (order.created) is paused" in alert["message"]


def test_without_a_known_url_any_delivery_url_counts() -> None:
    hooks = healthy(delivery_url="https://elsewhere/webhook/woo")
    assert problems_of(hooks, None) == []


@pytest.fixture
def woo_env(fake_woo, settings, monkeypatch) -> WooClient:
    for name, value in {
        "REDIS_URL": settings.redis_url,
        "WOO_WEBHOOK_SECRET": SECRET,
        "WOO_STORE_URL": fake_woo.url,
        "WOO_CONSUMER_KEY": fake_woo.key,
        "WOO_CONSUMER_SECRET": fake_woo.secret,
        "WOO_BACKOFF_FACTOR": "0",
    }.items():
        monkeypatch.setenv(name, value)
    return WooClient(WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret, backoff_factor=0))


def test_check_reports_and_exits_1_then_0_once_registered(fake_woo, woo_env, queue, capsys):
    fake_woo.webhooks = healthy(delivery_url="https://old-relay.example.com/webhook/woo")
    fake_woo.webhooks.pop()  # customer.deleted
    assert cli_main(["register-webhooks", "--url", URL, "--check"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM  missing  customer.deleted" in out
    assert "PROBLEM  elsewhere  order.created" in out
    assert len(fake_woo.webhooks) == len(TOPICS) - 1, "--check changes nothing"
    report = read_webhook_report(queue.connection, fake_woo.url)
    assert len(report["problems"]) == 3, "/health reads the same"

    assert cli_main(["register-webhooks", "--url", URL]) == 0
    assert read_delivery_url(queue.connection, fake_woo.url) == URL, "kept for the watchdog"
    fake_woo.webhooks = [hook for hook in fake_woo.webhooks if hook["id"] != 1]
    assert cli_main(["register-webhooks", "--url", URL, "--check"]) == 0
    assert "ok: every topic has an active webhook to " + URL in capsys.readouterr().out


async def test_the_watchdog_checks_against_the_registered_url_and_health_says_what_to_do(
    fake_woo, woo_env, aiohttp_client, settings
) -> None:
    client = await aiohttp_client(create_app(settings, one_store(url=fake_woo.url)))
    connection = client.server.app[QUEUE].connection
    save_delivery_url(connection, fake_woo.url, URL)
    fake_woo.webhooks = healthy(delivery_url="https://old-relay.example.com/webhook/woo")
    assert check_webhooks(woo_env, connection) == [], "none disabled"
    report = check_webhook_health(woo_env, connection)
    assert report["delivery_url"] == URL
    health = await (await client.get("/health")).json()
    assert health["status"] == "degraded"
    [problem] = [text for text in health["problems"] if "webhook problem" in text]
    assert problem.startswith("store default: 2 WooCommerce webhook problem(s)")
    assert health["stores"]["default"]["status"] == "degraded"
    assert "webhook 1 (order.created) delivers to https://old-relay.example.com" in problem


def test_the_api_version_comes_from_what_a_webhook_delivered(fake_woo, woo_env, queue) -> None:
    """WooCommerce's REST API does not say a webhook's API version; its payloads' links do."""
    fake_woo.webhooks = [
        {key: value for key, value in hook.items() if key != "api_version"} for hook in healthy()
    ]
    connection = queue.connection
    save_delivery_url(connection, fake_woo.url, URL)
    assert check_webhook_health(woo_env, connection)["problems"] == []

    def delivered(webhook_id: int, version: str) -> dict:
        href = f"https://shop.example.com/wp-json/wc/{version}/orders/7"
        return {
            "meta": {"webhook_id": str(webhook_id), "store_url": fake_woo.url},
            "data": {"_links": {"self": [{"href": href}]}},
        }

    note_api_version(connection, delivered(1, "v3"))
    note_api_version(connection, delivered(2, "v1"))
    note_api_version(connection, {"meta": {}, "data": {"id": 3}})  # no links: nothing to note
    [found] = check_webhook_health(woo_env, connection)["problems"]
    assert (found["problem"], found["webhook_id"]) == ("api_version", 2)
    assert "sends API version wp_api_v1, not wp_api_v3" in found["message"]
