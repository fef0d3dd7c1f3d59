"""Kubernetes' probes (deploy/k8s): liveness never depends on Redis; readiness says whether a
delivery sent now would be kept, in Redis or in the spool."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from relay.config import Settings
from relay.ingress.app import create_app
from tests.conftest import ONE_STORE
from tests.integration.test_spool_faults import post
from tests.redis_server import RedisServer
from tests.woo import example_payload


async def test_with_redis_up_the_relay_is_alive_and_ready(client) -> None:
    live = await client.get("/health/live")
    ready = await client.get("/health/ready")
    assert (live.status, await live.json()) == (200, {"status": "alive"})
    assert (ready.status, await ready.json()) == (200, {"status": "ready"})


async def test_with_redis_down_it_stays_alive_and_ready_while_the_spool_takes_deliveries(
    aiohttp_client, outage: Settings, redis_server: RedisServer
) -> None:
    client = await aiohttp_client(create_app(outage, ONE_STORE))
    redis_server.stop()
    assert (await client.get("/health")).status == 503, "the operator's /health says degraded"
    assert (await client.get("/health/live")).status == 200
    ready = await client.get("/health/ready")
    assert ready.status == 200
    assert "unreachable" in (await ready.json())["redis"]
    response = await post(client, example_payload("woo.order.updated"))
    assert response.status == 200, "what readiness promised: the delivery is kept"


async def test_with_redis_down_and_the_spool_read_only_it_is_alive_but_not_ready(
    aiohttp_client, outage: Settings, redis_server: RedisServer, read_only_spool: Path
) -> None:
    client = await aiohttp_client(create_app(replace(outage, spool_dir=read_only_spool), ONE_STORE))
    redis_server.stop()
    assert (await client.get("/health/live")).status == 200
    ready = await client.get("/health/ready")
    assert ready.status == 503
    detail = (await ready.json())["detail"]
    assert "Redis is unreachable" in detail and "Read-only file system" in detail
    assert (await post(client, example_payload("woo.order.updated"))).status == 503
