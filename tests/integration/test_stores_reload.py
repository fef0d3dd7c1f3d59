"""`python -m relay serve` (one process, and `--processes 2`) re-reads STORES_FILE on SIGHUP
while deliveries keep arriving: none is refused or lost, the new store's path answers once the
log says so, and a broken file leaves the running stores answering, its line in the log."""

from __future__ import annotations

import json
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue

from tests.integration.test_relay_processes import relay_processes
from tests.processes import RelayServer, relay_environment
from tests.waiting import wait_for
from tests.woo import example_payload, woo_delivery

REFUSED = "stores not reloaded: the file was refused; the stores loaded before are served"
SECRETS = {"de": "de-hook-secret", "fr": "fr-hook-secret", "it": "it-hook-secret"}
STORE_TABLE = (
    '[stores.{name}]\nurl = "https://shop.example.{name}"\nwebhook_secret_file = "{file}"\n'
)


def write_stores(path: Path, names: list[str]) -> None:
    tables = []
    for name in names:
        secret_file = path.parent / f"{name}-webhook-secret"
        secret_file.write_text(SECRETS[name] + "\n")
        tables.append(STORE_TABLE.format(name=name, file=secret_file))
    path.write_text("\n".join(tables))


def log_lines(relay: RelayServer, message: str) -> list[dict]:
    found = []
    for line in relay.log().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == message:
            found.append(entry)
    return found


def wait_for_log(relay: RelayServer, message: str, count: int, what: str) -> list[dict]:
    """Once `count` lines of `message` are in the relay's log (one per relay process)."""
    wait_for(lambda: len(log_lines(relay, message)) >= count, 20, what)
    found = log_lines(relay, message)
    assert len(found) == count, found
    return found


def deliver(relay: RelayServer, store: str, n: int) -> requests.Response:
    payload = example_payload("woo.order.updated") | {
        "id": 7000 + n,
        "date_modified_gmt": f"2026-03-01T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}",
    }
    delivery = woo_delivery("order.updated", payload, SECRETS[store])
    return requests.post(
        f"{relay.url}/webhook/woo/{store}", data=delivery.body, headers=delivery.headers, timeout=10
    )


class DeliveryLoop(threading.Thread):
    """Deliveries to each of `stores` in turn, one after another, until stopped."""

    def __init__(self, relay: RelayServer, stores: list[str]) -> None:
        super().__init__(daemon=True)
        self.relay, self.stores = relay, stores
        self.answers: list[tuple[int, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopping.is_set():
            response = deliver(self.relay, self.stores[n % len(self.stores)], n)
            self.answers.append((response.status_code, response.text))
            n += 1

    def stop(self) -> list[tuple[int, str]]:
        self.stopping.set()
        self.join(30)
        return self.answers


@dataclass
class StoresRelay:
    server: RelayServer
    stores_file: Path
    processes: int


@pytest.fixture(params=[1, 2], ids=["one-process", "two-processes"])
def served(request, redis_url: str, tmp_path: Path):
    stores_file = tmp_path / "stores.toml"
    write_stores(stores_file, ["de", "fr"])
    env = relay_environment(redis_url, tmp_path / "spool", STORES_FILE=str(stores_file))
    for shorthand in ("WOO_STORE_URL", "WOO_WEBHOOK_SECRET"):
        env.pop(shorthand)
    relay = RelayServer(env, tmp_path / "relay.log", processes=request.param)
    wait_for_log(relay, "relay serves the stores", request.param, "every process serving")
    yield StoresRelay(relay, stores_file, request.param)
    relay.stop()


def test_sighup_adds_a_store_without_dropping_a_delivery(served, redis_url: str) -> None:
    relay, processes = served.server, served.processes
    loop = DeliveryLoop(relay, ["de", "fr"])
    loop.start()
    wait_for(lambda: len(loop.answers) >= 20, 20, "deliveries under way")
    assert deliver(relay, "it", 0).status_code == 404, "no store 'it' yet"

    write_stores(served.stores_file, ["de", "fr", "it"])
    os.kill(relay.pid, signal.SIGHUP)
    reloaded = wait_for_log(relay, "stores reloaded", processes, "every process reloading")
    assert all(entry["added"] == ["it"] and entry["removed"] == [] for entry in reloaded)
    answered_before = len(loop.answers)
    wait_for(lambda: len(loop.answers) >= answered_before + 20, 20, "deliveries after the reload")
    # Enough deliveries that, with two processes, each of them takes some.
    assert [deliver(relay, "it", n).status_code for n in range(10)] == [200] * 10

    answers = loop.stop()
    assert [status for status, _ in answers] == [200] * len(answers), answers[:3]
    queue = Queue("woo-events", connection=Redis.from_url(redis_url))
    queued = set(queue.job_ids)
    accepted = {json.loads(text)["event_id"] for _, text in answers}
    assert accepted <= queued, "every delivery answered 200 has its job in Redis"
    assert len(queued) == len(answers) + 10

    if processes > 1:  # a process started again after the reload serves the new stores too
        os.kill(relay_processes(relay)[0], signal.SIGKILL)
        serving = wait_for_log(relay, "relay serves the stores", processes + 1, "a new process")
        assert serving[-1]["stores"] == ["de", "fr", "it"], "the parent read the file again too"
        assert [deliver(relay, "it", n).status_code for n in range(10, 20)] == [200] * 10


def test_a_broken_file_on_sighup_keeps_the_running_stores(served) -> None:
    relay, processes = served.server, served.processes
    text = served.stores_file.read_text()
    broken = text + '\n[stores.it]\nurl = "https://shop.example.it"\nurl = 2\n'
    served.stores_file.write_text(broken)
    os.kill(relay.pid, signal.SIGHUP)
    refused = wait_for_log(relay, REFUSED, processes, "every process refusing the file")
    assert all("line 11" in entry["error"] for entry in refused), refused[0]["error"]
    assert all(entry["stores"] == ["de", "fr"] for entry in refused)
    assert [deliver(relay, "de", n).status_code for n in range(10)] == [200] * 10
    assert [deliver(relay, "fr", n).status_code for n in range(10, 20)] == [200] * 10
    assert relay.alive(), "a SIGHUP never stops the relay"
