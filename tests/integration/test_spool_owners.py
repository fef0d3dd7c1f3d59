"""Spools of relay processes that are gone (relay/ingress/spool_owners.py): drained into RQ by a
live relay, each line once even with two live relays looking, and never a spool whose process
still lives."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from relay.config import Settings
from relay.ingress.app import create_app
from relay.ingress.spool import Spool
from relay.ingress.spool_owners import SpoolInUse, claim, spool_directory
from tests.conftest import ONE_STORE
from tests.integration.test_worker import fresh
from tests.waiting import eventually


def left_behind(directory: Path, count: int) -> list[str]:
    """A spool as a relay process that died leaves it: lines written, no owner."""
    spool = Spool(directory)
    envelopes = [fresh("woo.order.updated", id=1000 + n) for n in range(count)]
    for envelope in envelopes:
        spool.append(envelope)
    return [envelope["event_id"] for envelope in envelopes]


def queued(settings: Settings) -> list[str]:
    return Queue(settings.queue_name, connection=Redis.from_url(settings.redis_url)).job_ids


async def test_two_live_relays_drain_a_dead_processs_spool_once(
    aiohttp_client, settings: Settings
) -> None:
    dead = left_behind(spool_directory(settings.spool_dir, 7), 150)
    legacy = left_behind(settings.spool_dir, 3)  # a single relay's, before --processes
    for slot in (0, 1):
        await aiohttp_client(create_app(replace(settings, process_slot=slot), ONE_STORE))
    await eventually(lambda: len(queued(settings)) >= len(dead) + len(legacy), timeout=30)
    await asyncio.sleep(0.5)
    assert sorted(queued(settings)) == sorted(dead + legacy), "every line once"
    assert Spool(spool_directory(settings.spool_dir, 7)).depth == 0
    assert Spool(settings.spool_dir).depth == 0


async def test_the_spool_of_a_live_process_is_left_to_it(
    aiohttp_client, settings: Settings
) -> None:
    owned = spool_directory(settings.spool_dir, 3)
    waiting = left_behind(owned, 5)
    gone = left_behind(spool_directory(settings.spool_dir, 4), 2)
    owner = claim(owned)  # process 3 lives (this test holds its lock)
    try:
        await aiohttp_client(create_app(replace(settings, process_slot=0), ONE_STORE))
        await eventually(lambda: len(queued(settings)) == len(gone), timeout=30)
        await asyncio.sleep(0.5)
        assert sorted(queued(settings)) == sorted(gone)
        assert Spool(owned).depth == len(waiting)
    finally:
        owner.close()
    # Process 3 is gone now: its spool is drained in the next round.
    await eventually(lambda: len(queued(settings)) == len(gone) + len(waiting), timeout=30)


def test_the_spool_command_shows_every_processs_spool(settings: Settings, capsys) -> None:
    from relay.cli import main as cli_main

    left_behind(settings.spool_dir, 1)
    left_behind(spool_directory(settings.spool_dir, 0), 2)
    left_behind(spool_directory(settings.spool_dir, 1), 3)
    assert cli_main(["spool", "--dir", str(settings.spool_dir)]) == 0
    out = capsys.readouterr().out
    assert f"spool {settings.spool_dir / 'spool.jsonl'}: 1 envelope(s)" in out
    assert f"spool {settings.spool_dir / 'process-0' / 'spool.jsonl'}: 2 envelope(s)" in out
    assert f"spool {settings.spool_dir / 'process-1' / 'spool.jsonl'}: 3 envelope(s)" in out


def test_a_second_relay_on_a_spool_in_use_is_refused_with_what_to_do(settings: Settings) -> None:
    owner = claim(settings.spool_dir)
    try:
        with pytest.raises(SpoolInUse, match="give each relay its own RELAY_SPOOL_DIR"):
            claim(settings.spool_dir, wait_seconds=0.3)
    finally:
        owner.close()
    claim(settings.spool_dir, wait_seconds=0.3).close()  # free again once its owner is gone
