"""One relay, several stores: POST /webhook/woo/<store> is verified with that store's secrets
alone and its events are that store's; the timeline API asks Odoo for the store of its path."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job

from relay.clients.odoo import OdooConfig
from relay.ingress.api import api_token
from relay.ingress.app import create_app
from relay.ingress.keys import STORES
from relay.pipeline.queueing import enqueue_envelope
from relay.stores import Store, Stores
from tests.redis_server import RedisServer
from tests.waiting import eventually
from tests.woo import WooRequest, example_envelope, example_payload, woo_delivery, woo_ping

DE = Store("de", "https://shop.example.de", webhook_secret="de-secret")
FR = Store(
    "fr", "https://www.shop.example.fr", webhook_secret="fr-new", previous_webhook_secret="fr-old"
)
TWO_STORES = Stores((DE, FR), source="/etc/elitaco/stores.toml", from_file=True)
APP_SECRET = "app-secret-for-tests"


async def post(client: TestClient, path: str, request: WooRequest):
    return await client.post(path, data=request.body, headers=request.headers)


def order(secret: str) -> WooRequest:
    return woo_delivery("order.created", example_payload("woo.order.created"), secret)


def samples(text: str, name: str) -> dict[str, float]:
    """Every sample of a metric, by its labels as written."""
    found = {}
    for line in text.splitlines():
        if line.startswith(name + "{"):
            labels, value = line[len(name) :].rsplit(" ", 1)
            found[labels] = float(value)
    return found


@pytest.fixture
async def client(aiohttp_client, settings) -> TestClient:
    return await aiohttp_client(create_app(settings, TWO_STORES))


async def test_each_store_path_takes_its_stores_deliveries_as_that_stores(client, queue) -> None:
    for path, secret in (("/webhook/woo/de", "de-secret"), ("/webhook/woo/fr", "fr-new")):
        response = await post(client, path, order(secret))
        assert response.status == 200, await response.text()
    old_secret = await post(client, "/webhook/woo/fr", order("fr-old"))
    assert old_secret.status == 200, "the store's previous secret while it rotates"
    envelopes = [Job.fetch(i, connection=queue.connection).args[0] for i in queue.job_ids]
    assert [e["meta"]["store_url"] for e in envelopes] == [DE.url, FR.url, FR.url]
    keys = [e["idempotency_key"] for e in envelopes]
    assert keys[0].startswith("woo:4711@shop.example.de:") and "@shop.example.fr:" in keys[1]
    text = await (await client.get("/metrics")).text()
    assert samples(text, "relay_webhook_deliveries_total") == {
        '{outcome="enqueued",store="de",topic="order.created"}': 1,
        '{outcome="enqueued",store="fr",topic="order.created"}': 2,
    }
    assert samples(text, "relay_webhook_previous_secret_total") == {
        '{store="fr",webhook_id="3"}': 1
    }


async def test_a_delivery_signed_with_another_stores_secret_is_401_counted_under_its_path(
    client, queue
) -> None:
    """The store of an event is the path's whose secret verified it: a store's secret opens no
    other store's path, whatever the unsigned X-WC-Webhook-Source says."""
    signed_by_fr = order("fr-new")
    signed_by_fr.headers["X-WC-Webhook-Source"] = FR.url
    response = await post(client, "/webhook/woo/de", signed_by_fr)
    assert response.status == 401
    detail = (await response.json())["detail"]
    assert "the webhook_secret of store 'de' in /etc/elitaco/stores.toml" in detail
    assert (await post(client, "/webhook/woo/fr", order("de-secret"))).status == 401
    assert (await post(client, "/webhook/woo/de", order("fr-old"))).status == 401
    assert queue.count == 0
    text = await (await client.get("/metrics")).text()
    assert samples(text, "relay_webhook_signature_failures_total") == {
        '{reason="mismatch",store="de"}': 2,
        '{reason="mismatch",store="fr"}': 1,
    }


async def test_woocommerces_ping_is_answered_on_a_store_path(client, queue) -> None:
    response = await post(client, "/webhook/woo/fr", woo_ping(webhook_id=12))
    assert response.status == 200
    assert await response.json() == {"status": "ok", "ping": True}
    assert queue.count == 0


async def test_a_path_of_no_store_is_404_naming_the_stores(client, queue) -> None:
    response = await post(client, "/webhook/woo/it", order("de-secret"))
    assert response.status == 404
    answer = await response.json()
    assert answer["error"] == "unknown store"
    assert answer["detail"] == (
        "no store named 'it' in /etc/elitaco/stores.toml; the stores: /webhook/woo/de, "
        "/webhook/woo/fr"
    )
    bare = await post(client, "/webhook/woo", order("de-secret"))
    assert bare.status == 404, "with several stores no delivery is taken without its store"
    assert "deliver each store's webhooks to its own address" in (await bare.json())["detail"]
    assert (await post(client, "/webhook/woo", woo_ping())).status == 404
    assert queue.count == 0
    text = await (await client.get("/metrics")).text()
    assert samples(text, "relay_webhook_deliveries_total") == {
        '{outcome="unknown_store",store="(unknown)",topic="order.created"}': 2,
        '{outcome="unknown_store",store="(unknown)",topic="none"}': 1,
    }


async def test_one_store_of_a_file_takes_the_bare_path_too(aiohttp_client, settings, queue):
    one = Stores((DE,), source="/etc/elitaco/stores.toml", from_file=True)
    client = await aiohttp_client(create_app(settings, one))
    assert (await post(client, "/webhook/woo", order("de-secret"))).status == 200
    assert (await post(client, "/webhook/woo/de", order("de-secret"))).status == 200
    assert (await post(client, "/webhook/woo", order("fr-new"))).status == 401
    assert queue.count == 2


async def test_the_size_cap_holds_per_store(client, queue, settings) -> None:
    big = example_payload("woo.order.created") | {"customer_note": "x" * settings.max_body_bytes}
    response = await post(client, "/webhook/woo/fr", woo_delivery("order.created", big, "fr-new"))
    assert response.status == 413
    text = await (await client.get("/metrics")).text()
    assert samples(text, "relay_webhook_deliveries_total") == {
        '{outcome="too_large",store="fr",topic="order.created"}': 1
    }


async def test_while_redis_is_down_each_stores_deliveries_are_spooled_as_its_own(
    aiohttp_client, settings, redis_server: RedisServer
) -> None:
    outage = replace(settings, redis_url=redis_server.url, redis_timeout=0.5)
    client = await aiohttp_client(create_app(outage, TWO_STORES))
    redis_server.stop()
    for path, secret in (("/webhook/woo/de", "de-secret"), ("/webhook/woo/fr", "fr-new")):
        response = await post(client, path, order(secret))
        assert (await response.json())["queued"] == "spooled"
    redis_server.start()
    queue = Queue(outage.queue_name, connection=Redis.from_url(redis_server.url))
    await eventually(lambda: queue.count == 2)
    envelopes = [Job.fetch(i, connection=queue.connection).args[0] for i in queue.job_ids]
    assert [e["meta"]["store_url"] for e in envelopes] == [DE.url, FR.url]


async def test_a_reload_serves_the_new_stores_from_the_next_delivery(client, queue) -> None:
    current = client.server.app[STORES]
    it = Store("it", "https://shop.example.it", webhook_secret="it-secret")
    current.stores = Stores((DE, it), source="/etc/elitaco/stores.toml", from_file=True)
    assert (await post(client, "/webhook/woo/it", order("it-secret"))).status == 200
    assert (await post(client, "/webhook/woo/fr", order("fr-new"))).status == 404
    [job_id] = queue.job_ids
    assert Job.fetch(job_id, connection=queue.connection).args[0]["meta"]["store_url"] == it.url


async def test_a_delivery_under_way_finishes_with_the_stores_it_began_with(client, queue) -> None:
    """A reload while a delivery's body is still arriving: it is verified and stamped with the
    store it began with, though that store is gone by the time its body is whole."""
    request = order("fr-new")
    proceed = asyncio.Event()

    async def slowly():
        yield request.body[:10]
        await proceed.wait()
        yield request.body[10:]

    answer = asyncio.create_task(
        client.post("/webhook/woo/fr", data=slowly(), headers=request.headers)
    )
    await asyncio.sleep(0.2)  # the relay has the headers and is reading the body
    assert not answer.done()
    client.server.app[STORES].stores = Stores(
        (DE,), source="/etc/elitaco/stores.toml", from_file=True
    )
    proceed.set()
    response = await answer
    assert response.status == 200, await response.text()
    [job_id] = queue.job_ids
    assert Job.fetch(job_id, connection=queue.connection).args[0]["meta"]["store_url"] == FR.url
    assert (await post(client, "/webhook/woo/fr", order("fr-new"))).status == 404, "fr is gone"


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(APP_SECRET)}"}


@pytest.fixture
async def api_client(aiohttp_client, settings, fake_odoo):
    app_settings = replace(
        settings, app_secret=APP_SECRET, odoo=OdooConfig(fake_odoo.url, fake_odoo.reader_key)
    )
    return await aiohttp_client(create_app(app_settings, TWO_STORES))


async def test_the_timeline_asks_odoo_for_the_store_of_its_path(
    api_client, queue: Queue, fake_odoo
) -> None:
    enqueue_envelope(queue, example_envelope("woo.order.created"), [0, 0, 0])
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    response = await api_client.get("/api/stores/fr/orders/4711/timeline", headers=auth())
    assert response.status == 200
    assert (await response.json())["woo_order_id"] == 4711
    assert fake_odoo.timeline_queries == ["store=shop.example.fr"], "Odoo's key of the store"


async def test_the_timeline_of_no_store_or_without_one_is_404_naming_the_paths(
    api_client, fake_odoo
) -> None:
    assert (await api_client.get("/api/stores/it/orders/4711/timeline")).status == 401
    response = await api_client.get("/api/stores/it/orders/4711/timeline", headers=auth())
    assert response.status == 404
    assert "no store named 'it'" in (await response.json())["detail"]
    response = await api_client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 404
    detail = (await response.json())["detail"]
    assert "/api/stores/de/orders/{id}/timeline, /api/stores/fr/orders/{id}/timeline" in detail
    assert fake_odoo.timeline_queries == []
