"""Redis outages: deliveries go to the fsync'd spool and reach RQ exactly once, in order."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job

from relay.cli import main as cli_main
from relay.config import Settings
from relay.ingress.app import create_app
from relay.ingress.spool import Spool
from relay.pipeline.queueing import enqueue_envelope, enqueue_unless_enqueued
from tests.conftest import ONE_STORE, SECRET
from tests.redis_server import RedisServer
from tests.waiting import eventually
from tests.woo import example_envelope, example_payload, woo_delivery


def order_update(n: int) -> dict:
    """The example order, updated n minutes later (a distinct state, so a distinct key)."""
    return dict(example_payload("woo.order.updated"), date_modified_gmt=f"2026-02-20T11:{n:02d}:00")


async def deliver(client, n: int) -> dict:
    request = woo_delivery("order.updated", order_update(n), SECRET)
    response = await client.post("/webhook/woo", data=request.body, headers=request.headers)
    assert response.status == 200, await response.text()
    return await response.json()


def queued_event_ids(queue: Queue) -> list[str]:
    return list(queue.job_ids)


@pytest.fixture
def outage_settings(settings: Settings, redis_server: RedisServer) -> Settings:
    return replace(settings, redis_url=redis_server.url, redis_timeout=0.5)


@pytest.fixture
def outage_queue(outage_settings: Settings) -> Queue:
    return Queue(outage_settings.queue_name, connection=Redis.from_url(outage_settings.redis_url))


async def test_redis_outage_spools_then_drains_exactly_once_in_order(
    aiohttp_client, outage_settings, outage_queue, redis_server, capsys
) -> None:
    client = await aiohttp_client(create_app(outage_settings, ONE_STORE))
    before = await deliver(client, 0)
    assert before["queued"] == "enqueued"

    redis_server.stop()
    spooled = [await deliver(client, n) for n in range(1, 4)]
    assert [answer["queued"] for answer in spooled] == ["spooled"] * 3

    health = await client.get("/health")
    assert health.status == 503
    report = await health.json()
    assert report["redis"]["reachable"] is False and report["spool"]["depth"] == 3
    metrics = await (await client.get("/metrics")).text()
    assert "relay_spool_depth 3.0" in metrics

    assert cli_main(["spool", "--dir", str(outage_settings.spool_dir)]) == 0
    shown = capsys.readouterr().out
    assert "3 envelope(s) waiting" in shown and spooled[0]["event_id"] in shown

    redis_server.start()  # a fresh, empty Redis on the same port
    await eventually(lambda: outage_queue.count == 3)
    await asyncio.sleep(0.3)  # several more drain intervals: nothing is enqueued twice
    assert queued_event_ids(outage_queue) == [answer["event_id"] for answer in spooled]
    envelope = Job.fetch(spooled[0]["event_id"], connection=outage_queue.connection).args[0]
    assert envelope["idempotency_key"] == spooled[0]["idempotency_key"]

    assert (await client.get("/health")).status == 200
    after = await deliver(client, 9)
    assert after["queued"] == "enqueued"
    assert queued_event_ids(outage_queue)[-1] == after["event_id"]
    assert Spool(outage_settings.spool_dir).entries() == []


async def test_relay_restarted_with_a_full_spool_drains_it_once(
    aiohttp_client, outage_settings, outage_queue, redis_server
) -> None:
    redis_server.stop()
    first_run = await aiohttp_client(create_app(outage_settings, ONE_STORE))
    spooled = [await deliver(first_run, n) for n in range(2)]
    assert {answer["queued"] for answer in spooled} == {"spooled"}
    await first_run.close()

    redis_server.start()
    second_run = await aiohttp_client(create_app(outage_settings, ONE_STORE))
    await eventually(lambda: outage_queue.count == 2)
    await asyncio.sleep(0.3)
    assert queued_event_ids(outage_queue) == [answer["event_id"] for answer in spooled]
    await second_run.close()

    third_run = await aiohttp_client(create_app(outage_settings, ONE_STORE))
    await asyncio.sleep(0.3)
    assert outage_queue.count == 2
    await third_run.close()


def test_drain_skips_what_a_crashed_drain_already_enqueued(tmp_path, queue) -> None:
    spool = Spool(tmp_path)
    envelopes = [
        dict(example_envelope("woo.order.created"), event_id=f"{n:08d}-0000-4000-8000-000000000000")
        for n in range(3)
    ]
    for envelope in envelopes:
        spool.append(envelope)
    enqueue_envelope(queue, envelopes[0])  # the crash happened after this one

    result = Spool(tmp_path).drain(lambda envelope: enqueue_unless_enqueued(queue, envelope))
    assert (result.enqueued, result.skipped) == (2, 1)
    assert list(queue.job_ids) == [envelope["event_id"] for envelope in envelopes]


def test_a_drain_interrupted_by_redis_goes_on_where_it_stopped(tmp_path, queue) -> None:
    spool = Spool(tmp_path)
    envelopes = [
        dict(example_envelope("woo.order.created"), event_id=f"{n:08d}-0000-4000-8000-000000000000")
        for n in range(3)
    ]
    for envelope in envelopes:
        spool.append(envelope)

    calls = []

    def flaky_enqueue(envelope: dict) -> bool:
        calls.append(envelope["event_id"])
        if len(calls) == 2:
            raise RedisConnectionError("Redis went away")
        return enqueue_unless_enqueued(queue, envelope)

    with pytest.raises(RedisConnectionError):
        spool.drain(flaky_enqueue, stop_on=(RedisError,))
    assert spool.depth == 2 and len(spool.entries()) == 2
    assert Spool(tmp_path).depth == 2, "how far it got is on disk"

    result = spool.drain(lambda envelope: enqueue_unless_enqueued(queue, envelope))
    assert (result.enqueued, result.skipped) == (2, 0)
    assert list(queue.job_ids) == [envelope["event_id"] for envelope in envelopes]
    assert spool.depth == 0 and spool.entries() == []


def test_a_torn_line_is_set_aside_not_dropped_and_swallows_nothing(tmp_path) -> None:
    """The relay died while writing a line (never acknowledged): the line is kept aside, and
    the next one written is a line of its own."""
    spool = Spool(tmp_path)
    spool.append(example_envelope("woo.order.created"))
    with open(spool.path, "ab") as spool_file:
        spool_file.write(b'{"event_id": "torn')
    reopened = Spool(tmp_path)
    assert reopened.depth == 1
    [aside] = reopened.set_aside_entries()
    assert aside["line"] == '{"event_id": "torn' and "torn line" in aside["reason"]
    reopened.append(example_envelope("woo.order.deleted"))
    assert [e["event_type"] for e in reopened.entries()] == [
        "woo.order.created",
        "woo.order.deleted",
    ]
    assert Spool(tmp_path).set_aside_count == 1, "set aside once, not at every start"


def test_spool_json_listing(tmp_path, capsys) -> None:
    spool = Spool(tmp_path)
    envelope = example_envelope("woo.order.deleted")
    spool.append(envelope)
    assert cli_main(["spool", "--dir", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == envelope
