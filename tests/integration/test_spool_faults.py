"""The spool under real faults: a full disk, a read-only one (a small tmpfs, mounted here as
root), and envelopes RQ cannot take. A delivery is answered 200 only once it is whole on disk or
on RQ, and every one answered 200 reaches RQ exactly once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from redis import Redis
from rq import Queue

from relay.cli import main as cli_main
from relay.config import Settings
from relay.ingress.app import create_app
from relay.ingress.keys import SPOOL
from relay.ingress.spool import Spool
from tests.conftest import ONE_STORE, SECRET
from tests.waiting import eventually
from tests.woo import example_payload, nested, woo_delivery


def order(n: int, **changes) -> dict:
    payload = example_payload("woo.order.updated")
    return payload | {"date_modified_gmt": f"2026-02-20T13:{n // 60:02d}:{n % 60:02d}"} | changes


async def post(client, payload: dict):
    delivery = woo_delivery("order.updated", payload, SECRET)
    return await client.post("/webhook/woo", data=delivery.body, headers=delivery.headers)


def queued(settings: Settings) -> list[str]:
    return Queue(settings.queue_name, connection=Redis.from_url(settings.redis_url)).job_ids


async def test_a_full_disk_refuses_with_503_and_loses_nothing_answered_200(
    aiohttp_client, outage, redis_server, small_disk
) -> None:
    filler = small_disk / "filler"
    filler.write_bytes(b"x" * 16 * 1024)  # freed later, as an operator would
    settings = replace(outage, spool_dir=small_disk / "spool")
    client = await aiohttp_client(create_app(settings, ONE_STORE))
    redis_server.stop()

    accepted, refused = [], None
    for n in range(40):
        response = await post(client, order(n))
        if response.status == 503:
            refused = await response.json()
            break
        assert response.status == 200
        accepted.append((await response.json())["event_id"])
    assert refused is not None and len(accepted) >= 2, "the disk filled up"
    assert "spool cannot be written" in refused["detail"] or "spool" in refused["error"]
    spool = client.server.app[SPOOL]
    assert [entry["event_id"] for entry in Spool(settings.spool_dir).entries()] == accepted
    assert settings.spool_dir.joinpath("spool.jsonl").read_bytes().endswith(b"\n"), "no torn line"
    health = await (await client.get("/health")).json()
    assert health["spool"]["writable"] is False
    assert any("cannot be written" in problem for problem in health["spool"]["problems"])

    filler.unlink()  # space again
    response = await post(client, order(99))
    assert response.status == 200
    accepted.append((await response.json())["event_id"])
    assert spool.write_error is None

    redis_server.start()
    await eventually(lambda: len(queued(settings)) == len(accepted))
    await asyncio.sleep(0.3)
    assert queued(settings) == accepted, "every delivery answered 200, once, in order"


async def test_a_read_only_spool_is_503_and_health_says_why(
    aiohttp_client, outage, redis_server, read_only_spool
) -> None:
    settings = replace(outage, spool_dir=read_only_spool)
    client = await aiohttp_client(create_app(settings, ONE_STORE))
    redis_server.stop()
    response = await post(client, order(1))
    assert response.status == 503
    assert "Read-only file system" in (await response.json())["detail"]
    health = await client.get("/health")
    report = await health.json()
    assert report["spool"]["writable"] is False
    assert any("Read-only" in problem for problem in report["spool"]["problems"])


async def test_a_spooled_line_rq_cannot_take_is_set_aside_and_the_drain_goes_on(
    aiohttp_client, outage, redis_server, capsys
) -> None:
    """An authentic order nested deeper than RQ's pickle goes: while Redis was down it was
    spooled (JSON takes it); draining sets it aside with its reason and enqueues what follows,
    also after a restart."""
    client = await aiohttp_client(create_app(outage, ONE_STORE))
    redis_server.stop()
    answers = []
    for n, payload in enumerate(
        [order(1), order(2, meta_data=[{"id": 1, "key": "x", "value": nested(600)}]), order(3)]
    ):
        response = await post(client, payload)
        assert response.status == 200, n
        answers.append(await response.json())
    assert {answer["queued"] for answer in answers} == {"spooled"}

    redis_server.start()
    spool = client.server.app[SPOOL]
    await eventually(lambda: spool.depth == 0)
    assert queued(outage) == [answers[0]["event_id"], answers[2]["event_id"]]
    assert spool.set_aside_count == 1
    health = await (await client.get("/health")).json()
    assert health["status"] == "degraded" and health["spool"]["set_aside"] == 1

    assert cli_main(["spool", "--dir", str(outage.spool_dir), "--set-aside"]) == 0
    shown = capsys.readouterr().out
    assert "1 set aside" in shown and "RecursionError" in shown
    await client.close()

    restarted = await aiohttp_client(create_app(outage, ONE_STORE))
    await asyncio.sleep(0.3)
    assert restarted.server.app[SPOOL].depth == 0
    assert queued(outage) == [answers[0]["event_id"], answers[2]["event_id"]]
