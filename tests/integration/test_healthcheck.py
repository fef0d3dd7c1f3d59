"""The worker's and the cron scheduler's compose healthchecks, `python -m relay healthcheck
worker|cron`, against real processes and real Redis: healthy while this host's process beats
its heart in Redis, unhealthy once it hangs (SIGSTOP here) or is not there at all; another
host's (another container's) process does not count."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler

from relay.work import liveness
from relay.work.worker import RelayWorker
from tests.processes import ROOT, CronProcess, ManagedProcess, WorkerProcess, relay_environment
from tests.waiting import wait_for

HOST = socket.gethostname()


def healthcheck(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The command the compose healthcheck runs, in this host (as in the container)."""
    return subprocess.run(
        [sys.executable, "-m", "relay", "healthcheck", *args],
        env=dict(os.environ, REDIS_URL=redis_url, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def healthy(redis_url: str, process: str) -> subprocess.CompletedProcess[str] | None:
    result = healthcheck(redis_url, process)
    return result if result.returncode == 0 else None


@contextmanager
def hung(process: ManagedProcess) -> Iterator[None]:
    """The process stops where it is, as a hung one does, until the block ends."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def test_the_worker_healthcheck_follows_this_hosts_worker(redis_url: str, tmp_path: Path) -> None:
    missing = healthcheck(redis_url, "worker")
    assert missing.returncode == 1
    assert f"unhealthy: no worker of host {HOST} is registered in Redis" in missing.stderr

    env = relay_environment(redis_url, tmp_path / "spool")
    worker = WorkerProcess(env, tmp_path / "worker.log", burst=False)
    try:
        result = wait_for(lambda: healthy(redis_url, "worker"), 20, "the worker's heartbeat")
        assert result.stdout.startswith(f"healthy: the worker of host {HOST} beat ")
        with hung(worker):
            time.sleep(2.5)
            stale = healthcheck(redis_url, "worker", "--max-age", "2")
        assert stale.returncode == 1, stale.stdout
        assert "hung or stopped" in stale.stderr
        assert healthy(redis_url, "worker"), "going on, it beats again"
    finally:
        worker.stop()
    assert healthcheck(redis_url, "worker").returncode == 1, "a stopped worker unregisters"


def test_the_cron_healthcheck_follows_this_hosts_scheduler(redis_url: str, tmp_path: Path) -> None:
    missing = healthcheck(redis_url, "cron")
    assert missing.returncode == 1
    assert f"unhealthy: no cron of host {HOST} is registered in Redis" in missing.stderr

    cron = CronProcess(relay_environment(redis_url, tmp_path / "spool"), tmp_path / "cron.log")
    try:
        result = wait_for(lambda: healthy(redis_url, "cron"), 20, "the scheduler's heartbeat")
        assert result.stdout.startswith(f"healthy: the cron of host {HOST} beat ")
        with hung(cron):
            time.sleep(2.5)
            stale = healthcheck(redis_url, "cron", "--max-age", "2")
        assert stale.returncode == 1, stale.stdout
        assert "hung or stopped" in stale.stderr
    finally:
        cron.stop()
    assert healthcheck(redis_url, "cron").returncode == 1, "a stopped scheduler unregisters"


def test_another_hosts_worker_and_scheduler_do_not_count(redis_url: str) -> None:
    """Two containers share Redis: each healthcheck answers for its own container's process."""
    connection = Redis.from_url(redis_url)
    worker = Worker([Queue("woo-events", connection=connection)], connection=connection)
    worker.hostname = "another-container"
    worker.register_birth()
    scheduler = CronScheduler(connection, name="another-container:1:abcdef")
    scheduler.hostname = "another-container"
    scheduler.register_birth()
    assert liveness.worker_heartbeat_age(connection, "another-container") < 5
    assert liveness.cron_heartbeat_age(connection, "another-container") < 5

    for process in ("worker", "cron"):
        result = healthcheck(redis_url, process)
        assert result.returncode == 1
        assert f"no {process} of host {HOST} is registered" in result.stderr


def test_a_live_worker_beats_well_within_the_healthchecks_limit(redis_url: str) -> None:
    """Idle, a worker beats each time its wait on the queues times out; busy, every job
    monitoring interval: both leave room for a missed beat in WORKER_MAX_AGE."""
    connection = Redis.from_url(redis_url)
    worker = RelayWorker([Queue("woo-events", connection=connection)], connection=connection)
    assert 2 * max(worker.dequeue_timeout, worker.job_monitoring_interval) < liveness.WORKER_MAX_AGE
