"""Redis Sentinel: a real primary, replica and three sentinels (Debian's redis-server and
redis-sentinel), a real relay and worker processes, the stand-in Odoo over HTTP. The primary is
killed with SIGKILL in the middle of a burst of deliveries: nothing answered 200 is lost or
applied twice, and the relay and the worker follow the new primary without a restart."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest
import requests

from tests.conftest import SECRET
from tests.processes import RelayServer, WorkerProcess, relay_environment
from tests.redis_server import MASTER_NAME, SentinelSetup
from tests.waiting import wait_for
from tests.woo import example_payload, woo_delivery

SENDERS = 4
# Each sender's pause between two deliveries: a burst of up to 20 a second, which the one worker
# of the test works off within seconds once the failover is over, on a busy machine too.
PACE_SECONDS = 0.2


@pytest.fixture
def sentinel_setup(tmp_path: Path) -> Iterator[SentinelSetup]:
    with SentinelSetup(tmp_path / "redis") as setup:
        yield setup


class Burst:
    """Signed order deliveries sent by a few threads at once until stopped; what each was
    answered is kept."""

    def __init__(self, relay_url: str) -> None:
        self.relay_url = relay_url
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._send, args=(n,)) for n in range(SENDERS)]

    def __enter__(self) -> Self:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _send(self, sender: int) -> None:
        base = example_payload("woo.order.updated")
        number = 0
        while not self.stopped.is_set():
            number += 1
            payload = dict(base, id=100_000 * (sender + 1) + number)
            request = woo_delivery("order.updated", payload, SECRET)
            response = requests.post(
                f"{self.relay_url}/webhook/woo",
                data=request.body,
                headers=request.headers,
                timeout=30,
            )
            with self.lock:
                self.answers.append((response.status_code, response.json()))
            self.stopped.wait(PACE_SECONDS)

    def accepted(self) -> list[dict[str, Any]]:
        with self.lock:
            return [answer for status, answer in self.answers if status == 200]

    def statuses(self) -> set[int]:
        with self.lock:
            return {status for status, _ in self.answers}


def health(relay: RelayServer) -> dict[str, Any]:
    return requests.get(f"{relay.url}/health", timeout=10).json()


def test_a_failover_loses_no_delivery_answered_200_and_everyone_follows_the_new_primary(
    sentinel_setup: SentinelSetup, fake_odoo, tmp_path: Path
) -> None:
    env = relay_environment(
        "redis://127.0.0.1:1/0",  # not used: the sentinels name the primary
        tmp_path / "spool",
        REDIS_SENTINELS=sentinel_setup.sentinel_addresses,
        REDIS_SENTINEL_MASTER=MASTER_NAME,
        RELAY_REDIS_MIN_REPLICAS="1",
        RELAY_SPOOL_DRAIN_INTERVAL="0.2",
    )
    relay = RelayServer(env, tmp_path / "relay.log")
    worker = WorkerProcess(env, tmp_path / "worker.log", burst=False)
    old_primary = sentinel_setup.primary
    try:
        with Burst(relay.url) as burst:
            wait_for(lambda: len(fake_odoo.processed_keys()) >= 20, 60, "the worker at work")

            old_primary.kill()
            # /health says what happens while the relay cannot reach the primary.
            during = wait_for(
                lambda: next(
                    (p for p in health(relay)["problems"] if "Redis primary unreachable" in p),
                    None,
                ),
                30,
                "/health to report the failover",
            )
            new_port = wait_for(
                sentinel_setup.promoted_port, 30, "the sentinels to promote the replica"
            )
            # The dead host comes back as a replica of the new primary: until then no replica
            # can acknowledge a write, and deliveries wait in the spool.
            old_primary.replica_of = new_port
            old_primary.start()
            wait_for(
                lambda: sentinel_setup.replicas_attached(new_port) == 1, 30, "the replica again"
            )
            after = len(burst.accepted())
            wait_for(lambda: len(burst.accepted()) >= after + 20, 60, "deliveries afterwards")

        accepted = burst.accepted()
        keys = {answer["idempotency_key"] for answer in accepted}
        assert burst.statuses() == {200}, "every delivery was taken, none refused"
        assert {answer["queued"] for answer in accepted} == {"enqueued", "spooled"}
        wait_for(
            lambda: keys <= set(fake_odoo.processed_keys()), 90, "every accepted delivery in Odoo"
        )
        with fake_odoo.lock:
            attempts = {key: fake_odoo.ledger[key]["attempts"] for key in keys}
        assert set(attempts.values()) == {1}, "each delivery applied exactly once"

        assert relay.alive() and worker.alive(), "both followed the new primary, no restart"
        report = health(relay)
        assert report["redis"]["reachable"] is True
        assert report["redis"]["sentinel"] == f"Sentinel names 127.0.0.1:{new_port} as the primary"
        assert report["spool"]["depth"] == 0
        assert "Sentinel" in during
        assert f"127.0.0.1:{old_primary.port}" in during
    finally:
        worker.stop()
        relay.stop()
