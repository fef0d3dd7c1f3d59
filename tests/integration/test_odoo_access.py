"""The workers' Odoo API key: checked by the cron, warned about in /health and /metrics before
Odoo starts refusing it (Odoo 18 gives internal users' keys at most 90 days)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from rq import Queue, SimpleWorker

from relay.clients import odoo
from relay.ingress.keys import QUEUE
from relay.pipeline.status import read_odoo_access_report
from relay.work.odoo_access import check_odoo_access
from tests.redis_server import free_port

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def expires_in(days: float) -> str:
    return (NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def client_for(url: str, api_key: str) -> odoo.OdooClient:
    return odoo.OdooClient(odoo.OdooConfig(url=url, api_key=api_key, connect_timeout=1))


def metric(metrics_text: str, name: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name:
                return sample.value
    raise AssertionError(f"{name} is not in /metrics")


async def health_and_metrics(client) -> tuple[dict, str]:
    response = await client.get("/health")
    assert response.status == 200  # the relay itself still takes deliveries
    return await response.json(), await (await client.get("/metrics")).text()


async def test_a_key_close_to_its_end_is_warned_about(fake_odoo, client) -> None:
    fake_odoo.api_key_expires_at = expires_in(5)
    connection = client.server.app[QUEUE].connection
    report = check_odoo_access(client_for(fake_odoo.url, fake_odoo.api_key), connection, now=NOW)
    assert report["user"] == "rq-worker"
    assert "expires at 2026-11-29T12:00:00Z (5 days left)" in report["warning"]
    assert "ODOO_API_KEY" in report["warning"]
    assert read_odoo_access_report(connection) == report

    health, metrics = await health_and_metrics(client)
    assert health["status"] == "degraded"
    assert health["odoo_access"]["warning"] == report["warning"]
    assert (
        metric(metrics, "relay_odoo_api_key_expiry_timestamp_seconds")
        == (NOW + timedelta(days=5)).timestamp()
    )
    assert metric(metrics, "relay_odoo_api_key_refused") == 0


async def test_a_key_with_time_left_or_no_end_is_fine(fake_odoo, client) -> None:
    connection = client.server.app[QUEUE].connection
    fake_odoo.api_key_expires_at = expires_in(60)
    report = check_odoo_access(client_for(fake_odoo.url, fake_odoo.api_key), connection, now=NOW)
    assert report["warning"] is None
    health, _ = await health_and_metrics(client)
    assert health["status"] == "ok"
    assert health["odoo_access"]["api_key_expires_at"] == expires_in(60)

    fake_odoo.api_key_expires_at = None
    check_odoo_access(client_for(fake_odoo.url, fake_odoo.api_key), connection, now=NOW)
    health, metrics = await health_and_metrics(client)
    assert health["status"] == "ok"
    assert metric(metrics, "relay_odoo_api_key_expiry_timestamp_seconds") == math.inf


async def test_a_refused_key_is_reported(fake_odoo, client) -> None:
    connection = client.server.app[QUEUE].connection
    report = check_odoo_access(client_for(fake_odoo.url, "expired-key"), connection, now=NOW)
    assert report["refused"] is True
    assert "Unauthorized" in report["error"]
    assert "events wait in the queue" in report["warning"]
    health, metrics = await health_and_metrics(client)
    assert health["status"] == "degraded"
    assert metric(metrics, "relay_odoo_api_key_refused") == 1
    # No check has told the expiry yet: unknown, not "1970".
    assert math.isnan(metric(metrics, "relay_odoo_api_key_expiry_timestamp_seconds"))


async def test_odoo_down_is_not_a_key_problem(client) -> None:
    connection = client.server.app[QUEUE].connection
    unreachable = client_for(f"http://127.0.0.1:{free_port()}", "any")
    report = check_odoo_access(unreachable, connection, now=NOW)
    assert report["refused"] is False
    assert report["warning"] is None
    assert "unreachable" in report["error"]
    health, _ = await health_and_metrics(client)
    assert health["status"] == "ok"


def test_the_cron_job_checks_with_the_workers_key(fake_odoo, redis_url, monkeypatch) -> None:
    monkeypatch.setenv("ODOO_API_KEY_WARN_DAYS", "30")
    fake_odoo.api_key_expires_at = (datetime.now(UTC) + timedelta(days=20)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
    job = maintenance.enqueue("relay.jobs.check_odoo_access")
    SimpleWorker([maintenance], connection=maintenance.connection).work(burst=True)
    assert job.get_status(refresh=True) == "finished", job.latest_result().exc_string
    report = read_odoo_access_report(maintenance.connection)
    assert report["user"] == "rq-worker"
    assert "days left" in report["warning"]  # 20 days is inside the 30 days asked for
