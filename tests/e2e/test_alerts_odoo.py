"""The workers' checks reach a person in a real Odoo: POST /elitaco/v1/alerts as the
Integration User with its API key raises one alert per kind with a To-Do for the Integration
Managers, and a later fine check clears it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from redis import Redis
from rq import Queue

from relay.clients.odoo import OdooClient, OdooConfig, OdooError
from relay.pipeline.status import read_api_versions, save_webhook_report
from relay.work import alerts
from relay.work.webhooks import webhook_problems
from tests.conftest import SECRET
from tests.e2e.test_real_odoo import new_order
from tests.waiting import wait_for
from tests.woo import STORE_URL as STORE
from tests.woo import woo_delivery

STORE_URL = "https://alerts-shop.example.com"
RELAY_URL = "https://relay.example.com/webhook/woo"


def open_alerts(odoo) -> dict[str, dict]:
    rows = odoo.search_read(
        "integration.alert",
        [("store_id.key", "=", "alerts-shop.example.com"), ("state", "=", "open")],
        ["kind", "count", "message", "activity_ids"],
    )
    return {row["kind"]: row for row in rows}


def test_backlog_and_webhook_problems_become_alerts_and_clear(odoo, redis_url) -> None:
    client = OdooClient(OdooConfig(url=odoo.url, api_key=odoo.worker_key))
    connection = Redis.from_url(redis_url)
    queue = Queue("alerts-backlog", connection=connection)
    queue.enqueue("relay.jobs.process_event", {"event_id": "waiting"})
    later = datetime.now(UTC) + timedelta(hours=1)
    backlog = alerts.backlog_alert(queue, timedelta(minutes=30), now=later)
    problems = webhook_problems([], RELAY_URL)  # the store has no webhook at all
    save_webhook_report(connection, STORE_URL, [], problems, RELAY_URL)

    assert alerts.report(client, STORE_URL, [backlog])["alerts"] == {"backlog": "open"}
    answer = alerts.report_reconcile(client, connection, STORE_URL)
    assert answer["alerts"] == {"webhook": "open"}
    found = open_alerts(odoo)
    assert sorted(found) == ["backlog", "webhook"]
    assert found["webhook"]["count"] == len(problems) == 11
    assert "no webhook sends order.created to " + RELAY_URL in found["webhook"]["message"]
    assert len(found["backlog"]["activity_ids"]) == 1
    [store] = odoo.search_read(
        "integration.store", [("key", "=", "alerts-shop.example.com")], ["last_reconcile_at"]
    )
    assert store["last_reconcile_at"], "the reconcile's time is on the overview"

    assert alerts.report(client, STORE_URL, [backlog])["alerts"] == {"backlog": "open"}
    assert len(open_alerts(odoo)["backlog"]["activity_ids"]) == 1, "found again: one To-Do"

    queue.empty()
    save_webhook_report(connection, STORE_URL, [], [], RELAY_URL)
    assert alerts.report(client, STORE_URL, [alerts.backlog_alert(queue)])["alerts"] == {
        "backlog": "cleared"
    }
    alerts.report_reconcile(client, connection, STORE_URL)
    assert open_alerts(odoo) == {}
    mine = odoo.search_read(
        "integration.alert", [("store_id.key", "=", "alerts-shop.example.com")], ["id"]
    )
    activities = odoo.search_read(
        "mail.activity",
        [("res_model", "=", "integration.alert"), ("res_id", "in", [row["id"] for row in mine])],
        ["id"],
    )
    assert activities == [], "the To-Dos are done"


def test_a_bad_report_is_refused_with_what_to_send(odoo) -> None:
    client = OdooClient(OdooConfig(url=odoo.url, api_key=odoo.worker_key))
    with pytest.raises(OdooError, match=r"params\.alerts\[0\]\.kind: 'weather' is not one of"):
        client.report_alerts(STORE_URL, [{"kind": "weather", "ok": True}])


def test_the_worker_notes_which_api_version_a_webhook_delivers_with(
    odoo, relay, start_worker, redis_url
) -> None:
    """WooCommerce's REST API does not tell a webhook's API version: the worker reads it from
    the links of what the webhook delivered, for the webhook check."""
    order = new_order("processing")
    order["_links"] = {
        "self": [{"href": f"{STORE.rstrip('/')}/wp-json/wc/v1/orders/{order['id']}"}]
    }
    delivery = woo_delivery("order.updated", order, SECRET, webhook_id=41)
    response = requests.post(
        f"{relay.url}/webhook/woo", data=delivery.body, headers=delivery.headers, timeout=10
    )
    assert response.status_code == 200, response.text
    start_worker()
    connection = Redis.from_url(redis_url)
    wait_for(
        lambda: read_api_versions(connection, STORE).get("41"), 60, "the webhook's API version"
    )
    assert read_api_versions(connection, STORE)["41"] == "wp_api_v1"
    hooks = [
        {
            "id": 41,
            "name": "Elitaco order.updated",
            "topic": "order.updated",
            "status": "active",
            "delivery_url": RELAY_URL,
        }
    ]
    seen = [hook | {"api_version": read_api_versions(connection, STORE)["41"]} for hook in hooks]
    assert ("api_version", "order.updated") in [
        (found["problem"], found["topic"]) for found in webhook_problems(seen, RELAY_URL)
    ]
