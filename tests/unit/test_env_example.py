""".env.example is what an operator fills in: every name in it does something, every name the
relay reads is in it, and compose gives each service the names its process reads, no others."""

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from relay.config import (
    HOW_TO_MAKE,
    ImportWindow,
    OdooConfig,
    Settings,
    WooConfig,
    check_worker_environment,
    events_queue_name,
)
from relay.redis_connection import redis_from_env

ROOT = Path(__file__).resolve().parents[2]
RELAY = ROOT / "relay"
EXAMPLE_NAMES = set(
    re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
)
COMPOSE_FILES = ("docker-compose.yml", "docker-compose.prod.yml")
COMPOSE = "\n".join((ROOT / name).read_text() for name in COMPOSE_FILES)
READS = [
    r"(?:env|environ)(?:\.get)?[(\[]\"([A-Z][A-Z0-9_]+)\"",
    r"_(?:int|float|intervals)\(\s*env, \"([A-Z][A-Z0-9_]+)\"",
    r"secret\(\s*(?:env|os\.environ), \"([A-Z][A-Z0-9_]+)\"",
    r"key_variable=\"([A-Z][A-Z0-9_]+)\"",
]


def read_in(*paths: str) -> set[str]:
    """The names the code under these paths of relay/ reads from the environment."""
    files = [
        file
        for path in paths
        for file in ((RELAY / path).rglob("*.py") if (RELAY / path).is_dir() else [RELAY / path])
    ]
    code = "\n".join(file.read_text() for file in sorted(files))
    return {name for pattern in READS for name in re.findall(pattern, code)}


READ_BY_CODE = read_in(".") | {"ODOO_API_KEY"}  # OdooConfig.from_env's default key_variable
INTERPOLATED = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE))
# relay/stores.py: every process that serves stores reads the stores file, or the shorthand's
# name (the shorthand's secrets each process reads from what it is given).
STORES_FILE_NAMES = {"STORES_FILE", "WOO_STORE_NAME"}
# The one-store shorthand as the relay reads it (relay.ingress.served_stores): the store and its
# webhook secrets, never its REST key.
SHORTHAND_WEBHOOK_NAMES = {"WOO_STORE_URL", "WOO_WEBHOOK_SECRET", "WOO_WEBHOOK_PREVIOUS_SECRET"}
# In compose the relay listens on 8080, published on PUBLISH_ADDRESS.
OUTSIDE_COMPOSE_ONLY = {"RELAY_HOST", "RELAY_PORT"}


class RecordingEnvironment(dict):
    """An environment that remembers which names were read from it."""

    def __init__(self) -> None:
        super().__init__(
            WOO_WEBHOOK_SECRET="s",
            WOO_STORE_URL="https://shop.example.com",
            WOO_CONSUMER_KEY="ck",
            WOO_CONSUMER_SECRET="cs",
        )
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def read_by(monkeypatch: pytest.MonkeyPatch, *calls: Callable[[], object]) -> set[str]:
    environment = RecordingEnvironment()
    monkeypatch.setattr(os, "environ", environment)
    for call in calls:
        call()
    return environment.read


@pytest.fixture
def process_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, set[str]]:
    """What each compose service's process reads, from the code it runs."""
    return {
        # python -m relay serve: its settings, and what the HTTP relay reads beside them.
        "relay": read_by(monkeypatch, Settings.from_env)
        | read_in("ingress", "pipeline")
        | STORES_FILE_NAMES
        | SHORTHAND_WEBHOOK_NAMES,
        # python -m relay worker: its start's check, its clients' settings, its jobs; and
        # LOG_LEVEL (the worker command's logging).
        "worker": read_by(
            monkeypatch,
            check_worker_environment,
            OdooConfig.from_env,
            WooConfig.from_env,
            redis_from_env,
            events_queue_name,
        )
        | read_in("jobs.py", "work", "clients", "pipeline")
        | STORES_FILE_NAMES
        | {"LOG_LEVEL"},
        # python -m relay cron: RQ's CronScheduler with relay.cron_config, and LOG_LEVEL.
        "cron": read_in("cron_config.py") | read_by(monkeypatch, redis_from_env) | {"LOG_LEVEL"},
        # rq-dashboard --config relay.dashboard_config, its login from its own environment.
        "dashboard": read_in("dashboard_config.py")
        | read_by(monkeypatch, redis_from_env)
        | {"RQ_DASHBOARD_USERNAME", "RQ_DASHBOARD_PASSWORD"},
        # python -m relay register-webhooks | import | reconcile | replay (which asks Odoo)
        "cli": read_by(
            monkeypatch,
            WooConfig.from_env,
            OdooConfig.from_env,
            redis_from_env,
            events_queue_name,
            ImportWindow.from_env,
        )
        | STORES_FILE_NAMES
        | {"WOO_WEBHOOK_SECRET", "PAYLOAD_RETENTION_DAYS", "LOG_LEVEL"},
    }


def compose_environments() -> dict[str, set[str]]:
    """Each service's variables, in the base and production files together."""
    names: dict[str, set[str]] = {}
    for file in COMPOSE_FILES:
        for service, spec in yaml.safe_load((ROOT / file).read_text())["services"].items():
            names.setdefault(service, set()).update(spec.get("environment") or {})
    return names


def test_every_name_in_the_example_is_read_by_the_relay_or_compose() -> None:
    assert EXAMPLE_NAMES - READ_BY_CODE - INTERPOLATED == set()


def test_every_name_the_relay_reads_is_in_the_example() -> None:
    assert READ_BY_CODE - EXAMPLE_NAMES == set()


def test_compose_passes_every_name_the_relay_reads_to_some_container() -> None:
    given = set().union(*compose_environments().values())
    assert READ_BY_CODE - given - OUTSIDE_COMPOSE_ONLY == set()


def test_each_service_gets_what_its_process_reads(process_reads) -> None:
    environments = compose_environments()
    for service, reads in process_reads.items():
        assert reads - OUTSIDE_COMPOSE_ONLY - environments[service] == set(), service


def test_each_service_gets_nothing_its_process_does_not_read(process_reads) -> None:
    environments = compose_environments()
    for service, reads in process_reads.items():
        assert environments[service] - reads == set(), service


def test_the_relay_holds_no_key_that_writes_and_the_dashboard_no_secret() -> None:
    environments = compose_environments()
    writing_keys = {"ODOO_API_KEY", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"}
    assert writing_keys & environments["relay"] == set()
    assert set(HOW_TO_MAKE) & (environments["dashboard"] | environments["cron"]) == set()
