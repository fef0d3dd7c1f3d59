"""`python -m relay serve --processes N` as a supervisor runs it: N processes on one port, each
with its own spool; one killed is started again; every delivery answered 200 while Redis was down
reaches RQ once, whichever process took it and whichever died; SIGTERM stops them all."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue

from tests.conftest import SECRET
from tests.processes import (
    PROCESS_MARKER_VARIABLE,
    RelayServer,
    listening_on,
    processes_marked,
    relay_environment,
)
from tests.redis_server import RedisServer
from tests.waiting import wait_for
from tests.woo import example_payload, woo_delivery


def relay_processes(relay: RelayServer) -> list[int]:
    """The serving children of the parent (not the parent, not multiprocessing's helpers) that
    listen on the port. A child can be running a moment before it listens (0.11 s once, under
    load): counted then, the test could kill the only one listening and find the port shut."""
    listening = listening_on(relay.port)
    found = []
    for pid in processes_marked(PROCESS_MARKER_VARIABLE, relay.marker):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command and pid in listening:
            found.append(pid)
    return found


def deliver(relay: RelayServer, n: int) -> requests.Response:
    payload = example_payload("woo.order.updated") | {
        "id": 5000 + n,
        "date_modified_gmt": f"2026-03-01T10:{n // 60:02d}:{n % 60:02d}",
    }
    delivery = woo_delivery("order.updated", payload, SECRET)
    return requests.post(
        f"{relay.url}/webhook/woo", data=delivery.body, headers=delivery.headers, timeout=10
    )


def deliver_again_if_reset(relay: RelayServer, n: int) -> requests.Response:
    """A delivery sent again once if its connection was reset before an answer (WooCommerce
    never resends; the reconcile would read the order again). On a loaded CI machine one
    connection was reset just as a process started again (cause not found: 12 kills under load,
    480 deliveries after them, none reset since); unanswered, the relay had accepted nothing, and
    the queue's count below still shows each delivery enqueued once."""
    try:
        return deliver(relay, n)
    except requests.ConnectionError:
        time.sleep(0.5)
        return deliver(relay, n)


@pytest.fixture
def relay_on_own_redis(redis_server: RedisServer, tmp_path: Path):
    env = relay_environment(redis_server.url, tmp_path / "spool", RELAY_SPOOL_DRAIN_INTERVAL="0.1")
    relay = RelayServer(env, tmp_path / "relay.log", processes=2)
    yield relay
    relay.stop()


def test_two_processes_share_the_port_and_a_killed_one_is_started_again(
    relay_on_own_redis: RelayServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    relay = relay_on_own_redis
    wait_for(lambda: len(relay_processes(relay)) == 2, 20, "two relay processes listening")
    first = relay_processes(relay)
    assert all(deliver(relay, n).status_code == 200 for n in range(20))
    os.kill(first[0], signal.SIGKILL)
    wait_for(
        lambda: len(relay_processes(relay)) == 2 and first[0] not in relay_processes(relay),
        20,
        "the killed process started again and listening",
    )
    answered = [deliver_again_if_reset(relay, n).status_code for n in range(20, 40)]
    assert answered == [200] * 20
    queue = Queue("woo-events", connection=Redis.from_url(redis_server.url))
    assert len(queue.job_ids) == 40
    # The parent logs it before it starts the new process; read until the file has it.
    wait_for(lambda: "relay process died; starting it again" in relay.log(), 10, "the log")
    spools = sorted(p.name for p in (tmp_path / "spool").iterdir() if p.is_dir())
    assert spools == ["process-0", "process-1"], "one spool per process"

    assert relay.terminate() == 0, "SIGTERM stops the parent and its processes"
    # multiprocessing's resource tracker leaves once it reads the end of its pipe from the
    # parent: on a busy machine that can be a moment after the parent has gone.
    wait_for(
        lambda: processes_marked(PROCESS_MARKER_VARIABLE, relay.marker) == [],
        10,
        "every relay process gone",
    )


def test_deliveries_spooled_while_redis_is_down_reach_rq_once_though_a_process_died(
    relay_on_own_redis: RelayServer, redis_server: RedisServer, tmp_path: Path
) -> None:
    relay = relay_on_own_redis
    wait_for(lambda: len(relay_processes(relay)) == 2, 20, "two relay processes listening")
    redis_server.stop()
    accepted = []
    for n in range(30):
        response = deliver(relay, n)
        assert response.status_code == 200, response.text
        assert response.json()["queued"] == "spooled"
        accepted.append(response.json()["event_id"])
    spooled = {
        p.parent.name: len(p.read_text().splitlines())
        for p in (tmp_path / "spool").glob("process-*/spool.jsonl")
    }
    assert sum(spooled.values()) == len(accepted), spooled
    assert len(spooled) == 2, "the kernel shared the connections between the processes"
    os.kill(relay_processes(relay)[0], signal.SIGKILL)  # one spool's process dies

    redis_server.start()
    queue = Queue("woo-events", connection=Redis.from_url(redis_server.url))
    wait_for(lambda: len(queue.job_ids) >= len(accepted), 60, "the spools drained")
    counts = Counter(queue.job_ids)
    assert sorted(counts) == sorted(accepted), "every delivery answered 200, and only those"
    assert max(counts.values()) == 1, "each once"
