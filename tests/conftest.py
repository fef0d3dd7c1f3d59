from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from redis import Redis
from rq import Queue

from relay.config import Settings
from relay.ingress.app import create_app
from relay.stores import Store, Stores
from tests.fake_woo import FakeWoo
from tests.processes import TEST_SESSION_VARIABLE, kill_marked
from tests.redis_server import RedisServer

# Tests own this Redis database and empty it around every test.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "wc-secret-0123456789"
STORE_URL = "https://shop.example.com"


def one_store(secret: str = SECRET, previous_secret: str = "", url: str = STORE_URL) -> Stores:
    """What WOO_STORE_URL & co. describe: one store, named `default`."""
    store = Store("default", url, webhook_secret=secret, previous_webhook_secret=previous_secret)
    return Stores((store,), source="WOO_STORE_URL")


# The stores the tests' relays serve, unless a test says otherwise.
ONE_STORE = one_store()
# Every process the tests start inherits this; whatever still carries it at the end is a leftover.
os.environ[TEST_SESSION_VARIABLE] = f"{os.getpid()}-{os.urandom(4).hex()}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leftovers = kill_marked(TEST_SESSION_VARIABLE, os.environ[TEST_SESSION_VARIABLE])
    if leftovers:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = f"processes started by the tests were still running and were killed: {leftovers}"
        if reporter is not None:
            reporter.write_line(f"FAILED: {message}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def redis_lock_path(url: str) -> Path:
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"elitaco-tests-redis-{digest}.lock"


@pytest.fixture(scope="session")
def redis_database_of_this_session(pytestconfig: pytest.Config) -> Iterator[str]:
    """TEST_REDIS_URL for this test session alone: a second session (CI on a clone beside a
    local run) would empty it under this one's jobs, so it waits until this one is done."""
    with redis_lock_path(TEST_REDIS_URL).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
            with capture.global_and_fixture_disabled():
                print(
                    f"\nwaiting: another test session uses {TEST_REDIS_URL}; set TEST_REDIS_URL "
                    "to another database to run both at once",
                    flush=True,
                )
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield TEST_REDIS_URL


@pytest.fixture
def redis_url(redis_database_of_this_session: str) -> Iterator[str]:
    connection = Redis.from_url(redis_database_of_this_session)
    connection.flushdb()
    yield redis_database_of_this_session
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, redis_url: str) -> Settings:
    return Settings(
        redis_url=redis_url,
        spool_dir=tmp_path / "spool",
        spool_drain_interval=0.05,
        max_body_bytes=256 * 1024,
    )


@pytest.fixture
def queue(settings: Settings) -> Queue:
    return Queue(settings.queue_name, connection=Redis.from_url(settings.redis_url))


@pytest.fixture
async def client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings, ONE_STORE))


@pytest.fixture
def fake_odoo(monkeypatch):
    """The fake Odoo, and the worker environment pointing at it."""
    from relay.clients import odoo
    from tests.fake_odoo import FakeOdoo

    fake = FakeOdoo()
    fake.start()
    monkeypatch.setenv("ODOO_URL", fake.url)
    monkeypatch.setenv("ODOO_API_KEY", fake.api_key)
    monkeypatch.setenv("ODOO_OUTAGE_BACKOFF_MAX", "0.2")
    odoo.default_client.cache_clear()
    yield fake
    fake.stop()
    odoo.default_client.cache_clear()


@pytest.fixture
def fake_woo() -> Iterator[FakeWoo]:
    """A WooCommerce REST API stand-in over real HTTP (tests/fake_woo.py)."""
    fake = FakeWoo()
    fake.start()
    yield fake
    fake.stop()
