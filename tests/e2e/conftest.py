"""End-to-end fixtures: a real Odoo 18 that the tests start themselves, the relay and RQ workers
as real processes between it and the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from redis import Redis

from tests.conftest import SECRET
from tests.odoo_server import OdooInstallation, OdooServer
from tests.processes import ROOT, RelayServer, WorkerProcess, relay_environment
from tests.woo import woo_delivery
from tests.woo_store import SETUP, WooStore

APP_SECRET = "e2e-app-secret"
NO_ODOO = (
    'no Odoo 18 here: set ODOO_SRC and ODOO_PYTHON (`eval "$(../shared/odoo/setup)"`), '
    "or run `bash scripts/test` with ../shared beside the clone"
)


@pytest.fixture(scope="session")
def odoo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OdooServer]:
    installation = OdooInstallation.from_env()
    if installation is None:
        if os.environ.get("ELITACO_REQUIRE_ODOO"):
            pytest.fail(NO_ODOO)
        pytest.skip(NO_ODOO)
    server = OdooServer(installation, tmp_path_factory.mktemp("odoo"))
    try:
        server.create_database()
        server.start()
        yield server
    finally:
        server.stop()
        server.drop_database()


@pytest.fixture
def odoo(odoo_server: OdooServer) -> Iterator[OdooServer]:
    """The session's Odoo, running again after a test that stopped it."""
    if odoo_server.process is None:
        odoo_server.start()
    yield odoo_server
    if odoo_server.process is None:
        odoo_server.start()


def pipeline_environment(
    redis_url: str, spool_dir: Path, odoo: OdooServer, **extra: str
) -> dict[str, str]:
    """What the relay and the workers read, pointing at `odoo` as its Integration User (and its
    reader), with short outage backoffs and retries so that a test sees them play out."""
    return relay_environment(
        redis_url,
        spool_dir,
        ODOO_URL=odoo.url,
        ODOO_API_KEY=odoo.worker_key,
        ODOO_READ_API_KEY=odoo.reader_key,
        ODOO_OUTAGE_BACKOFF_MAX="1",
        APP_SECRET=APP_SECRET,
        RELAY_RETRY_INTERVALS="1,1,1",
        **extra,
    )


@pytest.fixture
def pipeline_env(redis_url: str, odoo: OdooServer, tmp_path: Path) -> dict[str, str]:
    """What the relay and the workers read, pointing at this Odoo as its Integration User."""
    return pipeline_environment(redis_url, tmp_path / "spool", odoo)


@pytest.fixture
def relay(pipeline_env: dict[str, str], tmp_path: Path) -> Iterator[RelayServer]:
    server = RelayServer(pipeline_env, tmp_path / "relay.log")
    yield server
    server.stop()


@pytest.fixture
def start_worker(
    pipeline_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `python -m relay worker` processes (long-running, with RQ's scheduler)."""
    workers: list[WorkerProcess] = []

    def start(**extra_env: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(workers)}.log"
        worker = WorkerProcess(pipeline_env | extra_env, log, burst=False)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def deliver(relay: RelayServer, topic: str, payload: dict) -> dict:
    """POST one signed delivery to the relay as WooCommerce does; return its answer."""
    delivery = woo_delivery(topic, payload, SECRET)
    response = requests.post(
        f"{relay.url}/webhook/woo", data=delivery.body, headers=delivery.headers, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


NO_STORE = (
    "no WooCommerce store here: ../shared/woocommerce/setup is not beside the clone "
    "(it starts a real store for these tests)"
)
STORE_REDIS_URL = os.environ.get("TEST_STORE_REDIS_URL", "redis://127.0.0.1:6379/14")


def relay_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m relay <args>` as an operator runs it, with `env`."""
    return subprocess.run(
        [sys.executable, "-m", "relay", *args],
        env=env | {"PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Shop:
    """A real WooCommerce store wired to the real Odoo through the relay and two workers, as
    README sets them up: webhooks registered by the CLI, settings made in Odoo."""

    store: WooStore
    odoo: OdooServer
    relay: RelayServer
    env: dict[str, str]
    registered: str  # what `python -m relay register-webhooks` printed

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return relay_cli(self.env, *args)

    def restart_relay(self, tmp_path: Path) -> None:
        port = self.relay.port
        self.relay.stop()
        self.relay = RelayServer(self.env, tmp_path / "relay-restarted.log", port=port)


@pytest.fixture(scope="session")
def woo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WooStore]:
    if not SETUP.exists():
        if os.environ.get("ELITACO_REQUIRE_STORE"):
            pytest.fail(NO_STORE)
        pytest.skip(NO_STORE)
    store = WooStore.start(tmp_path_factory.mktemp("store"))
    yield store
    store.remove()


@pytest.fixture(scope="session")
def shop(
    odoo_server: OdooServer, woo_store: WooStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Shop]:
    workdir = tmp_path_factory.mktemp("shop")
    Redis.from_url(STORE_REDIS_URL).flushdb()
    odoo_server.set_param("elitaco_integration.product_master", "woo")
    odoo_server.set_param("elitaco_integration.store_url", woo_store.url)
    env = pipeline_environment(
        STORE_REDIS_URL, workdir / "spool", odoo_server, **woo_store.worker_env()
    )
    relay = RelayServer(env, workdir / "relay.log")
    workers = [WorkerProcess(env, workdir / f"worker-{n}.log", burst=False) for n in range(2)]
    shop = Shop(woo_store, odoo_server, relay, env, registered="")
    try:
        registered = shop.cli("register-webhooks", "--url", f"{relay.url}/webhook/woo")
        assert registered.returncode == 0, registered.stderr
        shop.registered = registered.stdout
        yield shop
    finally:
        for worker in workers:
            worker.stop()
        shop.relay.stop()
        Redis.from_url(STORE_REDIS_URL).flushdb()
