"""Redis high availability beside the failover test: RELAY_REDIS_MIN_REPLICAS, the cron
scheduler and the RQ dashboard on Sentinel, a worker that loses Redis under a job. Real
redis-server and redis-sentinel processes."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue

from relay.config import Settings
from relay.ingress.app import create_app
from relay.ingress.keys import SPOOL
from relay.pipeline.queueing import MAINTENANCE_QUEUE, enqueue_envelope, enqueued_marker
from tests.conftest import ONE_STORE, SECRET
from tests.processes import ROOT, CronProcess, WorkerProcess, relay_environment, rq_dashboard
from tests.redis_server import MASTER_NAME, RedisServer, SentinelSetup
from tests.waiting import eventually, wait_for
from tests.woo import example_envelope, example_payload, woo_delivery


@pytest.fixture
def primary_and_replica(tmp_path: Path) -> Iterator[tuple[RedisServer, RedisServer]]:
    (tmp_path / "primary").mkdir()
    (tmp_path / "replica").mkdir()
    primary = RedisServer(tmp_path / "primary")
    replica = RedisServer(tmp_path / "replica", replica_of=primary.port)
    try:
        primary.start()
        replica.start()
        yield primary, replica
    finally:
        replica.stop()
        primary.stop()


def attached_replicas(primary: RedisServer) -> int:
    """Replicas past their first sync: only those acknowledge a WAIT."""
    with Redis(port=primary.port) as connection:
        replication = connection.info("replication")
    replicas = [replication[f"slave{n}"] for n in range(replication["connected_slaves"])]
    return sum(1 for replica in replicas if replica.get("state") == "online")


async def test_a_delivery_no_replica_acknowledged_waits_in_the_spool_until_one_does(
    aiohttp_client, settings: Settings, primary_and_replica
) -> None:
    primary, replica = primary_and_replica
    wait_for(lambda: attached_replicas(primary) == 1, 10, "the replica")
    relay_settings = replace(
        settings, redis_url=primary.url, redis_min_replicas=1, redis_timeout=1.0
    )
    client = await aiohttp_client(create_app(relay_settings, ONE_STORE))
    queue = Queue(settings.queue_name, connection=Redis.from_url(primary.url))

    def deliver(order_id: int):
        payload = dict(example_payload("woo.order.updated"), id=order_id)
        request = woo_delivery("order.updated", payload, SECRET)
        return client.post("/webhook/woo", data=request.body, headers=request.headers)

    replicated = await (await deliver(1)).json()
    assert replicated["queued"] == "enqueued"

    replica.stop()
    wait_for(
        lambda: attached_replicas(primary) == 0,
        10,
        "the primary to see its replica gone",
    )
    answer = await deliver(2)
    assert answer.status == 200
    waiting = await answer.json()
    # On the primary alone, which a failover now would lose: answered as spooled.
    assert waiting["queued"] == "spooled"
    assert queue.connection.exists(enqueued_marker(waiting["event_id"]))
    report = await (await client.get("/health")).json()
    assert report["spool"]["depth"] == 1
    assert (
        "the Redis primary has 0 replica(s) attached and RELAY_REDIS_MIN_REPLICAS is 1: "
        "deliveries wait in the spool until a replica is back"
    ) in report["problems"]

    replica.start()
    await eventually(lambda: client.server.app[SPOOL].depth == 0, timeout=30)
    # The drain found the job on the primary and waited for the replica: enqueued once.
    assert queue.job_ids == [replicated["event_id"], waiting["event_id"]]
    with Redis(port=replica.port) as on_replica:
        assert on_replica.exists(enqueued_marker(waiting["event_id"]))
    queue.connection.close()


@pytest.fixture
def sentinel_setup(tmp_path: Path) -> Iterator[SentinelSetup]:
    with SentinelSetup(tmp_path / "redis") as setup:
        yield setup


def sentinel_environment(setup: SentinelSetup, tmp_path: Path, **extra: str) -> dict[str, str]:
    return relay_environment(
        "redis://127.0.0.1:1/0",  # not used: the sentinels name the primary
        tmp_path / "spool",
        REDIS_SENTINELS=setup.sentinel_addresses,
        REDIS_SENTINEL_MASTER=MASTER_NAME,
        **extra,
    )


def test_the_cron_scheduler_follows_a_failover(sentinel_setup: SentinelSetup, tmp_path: Path):
    env = sentinel_environment(sentinel_setup, tmp_path, OUTBOX_INTERVAL="1")
    old_port = sentinel_setup.primary.port

    def maintenance_jobs(port: int) -> int:
        with Redis(port=port) as connection:
            return Queue(MAINTENANCE_QUEUE, connection=connection).count

    cron = CronProcess(env, tmp_path / "cron.log")
    try:
        wait_for(lambda: maintenance_jobs(old_port) >= 5, 30, "the cron jobs on the primary")
        sentinel_setup.primary.kill()
        new_port = wait_for(sentinel_setup.promoted_port, 30, "the failover")
        promoted = maintenance_jobs(new_port)
        # push-outbox, due every second, is enqueued on the new primary by the same process.
        wait_for(lambda: maintenance_jobs(new_port) > promoted, 30, "jobs on the new primary")
        assert cron.alive(), cron.log()
        healthcheck = subprocess.run(
            [sys.executable, "-m", "relay", "healthcheck", "cron"],
            env=dict(env, PYTHONPATH=str(ROOT)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert healthcheck.returncode == 0, healthcheck.stderr
    finally:
        cron.stop()


def test_the_dashboard_reads_the_primary_sentinel_names(
    sentinel_setup: SentinelSetup, tmp_path: Path
) -> None:
    with Redis(port=sentinel_setup.primary.port) as connection:
        Queue("woo-events", connection=connection).enqueue(
            "relay.jobs.process_event", {"event_id": "shown-in-the-dashboard"}
        )
    env = sentinel_environment(sentinel_setup, tmp_path)
    with rq_dashboard(env) as url:
        queues = requests.get(f"{url}/0/data/queues.json", timeout=10).json()["queues"]
    assert {queue["name"]: queue["count"] for queue in queues} == {"woo-events": 1}


def test_sentinel_settings_are_checked_when_a_process_starts(tmp_path: Path) -> None:
    env = dict(
        relay_environment("redis://127.0.0.1:1/0", tmp_path),
        REDIS_SENTINELS="sentinel-1:26379,sentinel-2",
        PYTHONPATH=str(ROOT),
    )
    result = subprocess.run(
        [sys.executable, "-m", "relay", "serve"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: REDIS_SENTINELS must be host:port pairs separated by commas"
    ), result.stderr


def test_a_worker_that_loses_redis_under_a_job_starts_again_by_itself(
    fake_odoo, tmp_path: Path
) -> None:
    """RQ's work loop quits when Redis is gone as a job ends (it cannot record the result):
    the worker process waits for Redis and works on, as it must through a failover."""
    (tmp_path / "redis").mkdir()
    redis_server = RedisServer(tmp_path / "redis", persistent=True)
    redis_server.start()
    worker = None
    try:
        env = relay_environment(redis_server.url, tmp_path / "spool")
        queue = Queue("woo-events", connection=Redis.from_url(redis_server.url))
        fake_odoo.stall_seconds = 2
        worker = WorkerProcess(env, tmp_path / "worker.log", burst=False)
        first = example_envelope("woo.order.updated")
        enqueue_envelope(queue, first)
        wait_for(lambda: fake_odoo.calls, 30, "the job to reach Odoo")
        redis_server.stop()  # while Odoo takes its time to answer
        wait_for(
            lambda: "Redis unreachable; the worker waits for it" in worker.log(), 30, "the wait"
        )
        fake_odoo.stall_seconds = 0
        redis_server.start()
        second = dict(example_envelope("woo.order.created"), event_id=str(uuid.uuid4()))
        enqueue_envelope(queue, second)
        wait_for(
            lambda: second["idempotency_key"] in fake_odoo.processed_keys(), 30, "the next job"
        )
        assert worker.alive(), worker.log()
        assert "found an unhandled exception, quitting" in worker.log()
        queue.connection.close()
    finally:
        if worker is not None:
            worker.stop()
        redis_server.stop()
