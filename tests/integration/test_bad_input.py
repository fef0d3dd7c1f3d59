"""What anyone can send the relay, signed or not: the answer is clear, /metrics and the logs stay
bounded and hold no customer data, and no authentic delivery is lost."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import time
from dataclasses import replace

import pytest
import requests

from relay.ingress.app import create_app
from relay.ingress.keys import SETTINGS, SPOOL, SPOOL_DRAINER
from relay.ingress.spool import Spool
from tests.conftest import ONE_STORE, SECRET
from tests.processes import RelayServer, relay_environment
from tests.waiting import eventually
from tests.woo import example_payload, nested, woo_delivery, woo_ping

CUSTOMER_EMAIL = "secret.customer@example.org"


def order(n: int, **changes) -> dict:
    payload = example_payload("woo.order.updated")
    return payload | {"date_modified_gmt": f"2026-02-20T12:{n // 60:02d}:{n % 60:02d}"} | changes


async def post(client, topic: str, payload: dict):
    delivery = woo_delivery(topic, payload, SECRET)
    return await client.post("/webhook/woo", data=delivery.body, headers=delivery.headers)


def raw_request(port: int, data: bytes, wait: float = 0.5) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        time.sleep(wait)
        chunks = []
        connection.settimeout(2)
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


@pytest.fixture
def relay_server(redis_url, tmp_path):
    server = RelayServer(
        relay_environment(redis_url, tmp_path / "spool", RELAY_BODY_TIMEOUT="1"),
        tmp_path / "relay.log",
    )
    yield server
    server.stop()


async def test_each_delivery_of_a_batch_has_its_own_fate(client, queue) -> None:
    """44 concurrent deliveries, 4 of them nested deeper than RQ can serialise: the 40 are
    enqueued, the 4 are kept aside with their reason, and no one gets a 500."""
    payloads = [order(n) for n in range(44)]
    for n in (3, 17, 18, 40):
        payloads[n]["meta_data"] = [{"id": 1, "key": "deep", "value": nested(600)}]
    responses = await asyncio.gather(*(post(client, "order.updated", p) for p in payloads))
    statuses = [response.status for response in responses]
    assert statuses.count(200) == 40 and statuses.count(202) == 4, statuses
    answers = [await response.json() for response in responses]
    assert {answers[n]["status"] for n in (3, 17, 18, 40)} == {"set_aside"}
    assert "RecursionError" in answers[3]["reason"]
    assert queue.count == 40
    spool = client.server.app[SPOOL]
    assert spool.set_aside_count == 4 and spool.depth == 0
    health = await (await client.get("/health")).json()
    assert health["status"] == "degraded" and health["spool"]["set_aside"] == 4


async def test_an_id_odoo_cannot_store_is_set_aside_with_the_reason(client, queue) -> None:
    for resource_id in (2**31, 2**63 + 1):
        response = await post(client, "order.updated", order(1, id=resource_id))
        assert response.status == 202
        answer = await response.json()
        assert answer["status"] == "set_aside" and "2147483647" in answer["reason"]
    assert queue.count == 0
    spool = Spool(client.server.app[SETTINGS].spool_dir)
    kept = spool.set_aside_entries()
    assert len(kept) == 2 and str(2**63 + 1) in kept[1]["line"], "kept whole for a person"


async def test_topic_labels_come_from_a_fixed_set(client) -> None:
    for n in range(300):
        delivery = woo_delivery("order.updated", order(n), "not-the-secret")
        delivery.headers["X-WC-Webhook-Topic"] = f"order.{n:0200d}"
        await client.post("/webhook/woo", data=delivery.body, headers=delivery.headers)
    metrics = await (await client.get("/metrics")).text()
    assert len(metrics) < 20_000, "300 invented topics did not become 300 label sets"
    assert 'topic="other"' in metrics


def test_a_non_utf8_topic_leaves_metrics_and_logs_working(relay_server) -> None:
    body = b"{}"
    request = (
        b"POST /webhook/woo HTTP/1.1\r\nHost: relay\r\nX-WC-Webhook-Topic: order.\xff\xfe\r\n"
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    assert raw_request(relay_server.port, request).startswith(b"HTTP/1.1 401")
    response = requests.get(f"{relay_server.url}/metrics", timeout=5)
    assert response.status_code == 200 and 'topic="other"' in response.text
    assert "webhook signature refused" in relay_server.log()


async def test_only_woocommerces_exact_ping_is_a_ping(client, caplog) -> None:
    ping = woo_ping()
    ping.body = b"webhook_id=" + b"7" * 200_000  # under the size cap, far over any real id
    with caplog.at_level(logging.INFO):
        response = await client.post(
            "/webhook/woo", data=io.BytesIO(ping.body), headers=ping.headers
        )
    assert response.status == 401
    longest = max(len(str(record.__dict__)) for record in caplog.records)
    assert longest < 5000, "no log line carries the body"
    for body in (b" webhook_id=12", b"webhook_id=12\n", b"webhook_id=12&x=1"):
        ping.body = body
        assert (await client.post("/webhook/woo", data=body, headers=ping.headers)).status == 401


def test_a_body_longer_than_its_content_length_is_not_echoed(relay_server) -> None:
    body = json.dumps({"id": 1, "billing": {"email": CUSTOMER_EMAIL}}).encode()
    request = (
        b"POST /webhook/woo HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10\r\n\r\n" + body
    )
    answer = raw_request(relay_server.port, request)
    assert b"400" in answer
    assert CUSTOMER_EMAIL.encode() not in answer
    log = relay_server.log()
    assert CUSTOMER_EMAIL not in log and "Traceback" not in log
    assert '"level":"WARNING"' in log and "not valid HTTP" in log


def test_headers_without_a_body_are_answered_408(relay_server) -> None:
    request = (
        b"POST /webhook/woo HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
        b"Content-Length: 500\r\n\r\n" + b'{"id": 1'
    )
    started = time.monotonic()
    answer = raw_request(relay_server.port, request, wait=1.5)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert time.monotonic() - started < 10, "the connection does not stay open forever"


def test_a_client_gone_mid_body_is_one_warning(relay_server) -> None:
    body = json.dumps(order(1)).encode()
    with socket.create_connection(("127.0.0.1", relay_server.port)) as connection:
        connection.sendall(
            b"POST /webhook/woo HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body[:100]
        )
        time.sleep(0.3)
    time.sleep(0.5)
    log = relay_server.log()
    assert "client went away" in log and "Traceback" not in log and '"level":"ERROR"' not in log


async def test_the_drain_never_holds_the_spool_while_enqueueing(tmp_path) -> None:
    """Appends wait at most for a slice's bookkeeping, not for a whole drain."""
    spool = Spool(tmp_path)
    for n in range(250):
        spool.append({"event_id": str(n)})
    seen_locked = []

    def enqueue(entry: dict) -> bool:
        seen_locked.append(spool._lock.locked())
        if entry["event_id"] == "120":
            spool.append({"event_id": "during the drain"})  # would deadlock under the lock
        return True

    result = spool.drain(enqueue, slice_size=100)
    assert result.enqueued == 251 and not any(seen_locked)
    assert spool.depth == 0 and spool.entries() == []


async def test_the_drain_task_survives_and_health_says_when_it_is_stuck(
    aiohttp_client, settings, queue, monkeypatch
) -> None:
    client = await aiohttp_client(
        create_app(replace(settings, spool_drain_interval=0.05), ONE_STORE)
    )
    app = client.server.app
    spool = app[SPOOL]
    spool.append(example_payload("woo.order.deleted") | {"event_id": "x"})  # not an envelope
    calls = []

    def broken_drain(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spool, "drain", broken_drain)
    await eventually(lambda: len(calls) >= 3)
    assert not app[SPOOL_DRAINER].done()
    health = await (await client.get("/health")).json()
    assert health["status"] == "degraded"
    assert any("not draining although Redis answers" in p for p in health["spool"]["problems"])
    monkeypatch.undo()
    await eventually(lambda: spool.depth == 0)
    health = await (await client.get("/health")).json()
    assert not any("not draining" in p for p in health["spool"]["problems"])
    assert spool.set_aside_count == 1, "the line RQ could not take is kept aside"
    assert queue.count == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"id": 1, "total": 1e400}', 202),  # valid JSON, beyond a double
        (b'{"a":' * 1100 + b"1" + b"}" * 1100, 202),  # valid JSON, beyond any parser's depth
        (b'{"id": 1, "total": NaN}', 400),  # not JSON
        (b'{"id": 123456789012345678901234567890}', 202),  # an id no column holds
    ],
)
async def test_valid_json_the_pipeline_cannot_carry_is_kept(client, queue, body, status) -> None:
    delivery = woo_delivery("order.updated", None, SECRET, body=body)
    response = await client.post("/webhook/woo", data=delivery.body, headers=delivery.headers)
    assert response.status == status, await response.text()
    assert queue.count == 0
    kept = client.server.app[SPOOL].set_aside_entries()
    assert len(kept) == (1 if status == 202 else 0)
    if kept:
        assert json.loads(kept[0]["line"])["body"] == body.decode(), "kept whole"
