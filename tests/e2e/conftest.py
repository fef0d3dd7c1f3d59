"""End-to-end fixtures: a real Odoo 18 that the tests start themselves, the relay and RQ workers
as real processes between it and the tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import SECRET
from tests.odoo_server import OdooInstallation, OdooServer
from tests.processes import RelayServer, WorkerProcess, relay_environment
from tests.woo import woo_delivery

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


@pytest.fixture
def pipeline_env(redis_url: str, odoo: OdooServer, tmp_path: Path) -> dict[str, str]:
    """What the relay and the workers read, pointing at this Odoo as its Integration User."""
    return relay_environment(
        redis_url,
        tmp_path / "spool",
        ODOO_URL=odoo.url,
        ODOO_API_KEY=odoo.worker_key,
        ODOO_OUTAGE_BACKOFF_MAX="1",
        APP_SECRET=APP_SECRET,
        RELAY_RETRY_INTERVALS="1,1,1",
    )


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


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.25)
