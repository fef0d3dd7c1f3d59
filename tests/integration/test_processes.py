"""The relay as its CLI runs it: real processes, real HTTP, a real RQ worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus

from tests.conftest import SECRET
from tests.processes import ROOT, RelayServer, WorkerProcess, relay_environment, rq_dashboard
from tests.redis_server import RedisServer
from tests.waiting import wait_for
from tests.woo import example_payload, woo_delivery


@pytest.fixture
def relay_server(redis_url: str, tmp_path: Path):
    server = RelayServer(relay_environment(redis_url, tmp_path / "spool"), tmp_path / "relay.log")
    yield server
    server.stop()


def test_serve_accepts_a_signed_delivery_over_http_and_logs_json(relay_server, queue) -> None:
    base = relay_server.url
    request = woo_delivery("order.created", example_payload("woo.order.created"), SECRET)
    response = requests.post(
        f"{base}/webhook/woo", data=request.body, headers=request.headers, timeout=5
    )
    assert response.status_code == 200, response.text
    event_id = response.json()["event_id"]
    assert queue.job_ids == [event_id]
    assert requests.get(f"{base}/health", timeout=5).json()["queue"]["depth"] == 1

    assert relay_server.terminate() == 0
    log_lines = relay_server.log().splitlines()
    accepted = [json.loads(line) for line in log_lines if '"delivery accepted"' in line]
    assert accepted[0]["event_id"] == event_id
    assert accepted[0]["trace_id"] == response.json()["trace_id"]
    assert accepted[0]["level"] == "INFO"
    assert SECRET not in "\n".join(log_lines)


def test_serve_refuses_to_start_without_a_secret(redis_url, tmp_path) -> None:
    env = relay_environment(redis_url, tmp_path, WOO_WEBHOOK_SECRET="", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "relay", "serve"],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "WOO_WEBHOOK_SECRET is not set" in result.stderr


@pytest.mark.parametrize(
    ("command", "name"), [("serve", "WOO_WEBHOOK_SECRET"), ("worker", "ODOO_API_KEY")]
)
def test_serve_and_worker_refuse_a_placeholder_secret(
    command: str, name: str, redis_url: str, tmp_path: Path
) -> None:
    """As `docker compose up` starts them with .env.example's change-me: a line that says
    what to set and how, exit status 2, no traceback."""
    env = relay_environment(redis_url, tmp_path, PYTHONPATH=str(ROOT), **{name: "change-me"})
    result = subprocess.run(
        [sys.executable, "-m", "relay", command],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: {name} is still the placeholder 'change-me': set it in .env; "
    )
    assert "Traceback" not in result.stderr


def test_a_worker_runs_the_enqueued_job(relay_server, queue, fake_odoo) -> None:
    base = relay_server.url
    request = woo_delivery("order.updated", example_payload("woo.order.updated"), SECRET)
    event_id = requests.post(
        f"{base}/webhook/woo", data=request.body, headers=request.headers, timeout=5
    ).json()["event_id"]
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    job = Job.fetch(event_id, connection=queue.connection)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value()["status"] == "processed"
    assert fake_odoo.calls[0]["event_id"] == event_id


def dashboard_environment(redis_url: str, **login: str) -> dict[str, str]:
    """The dashboard's environment: its Redis and its login (if any)."""
    return dict(os.environ, REDIS_URL=redis_url, **login)


def test_the_rq_dashboard_starts_and_serves(redis_url, queue) -> None:
    """The dashboard runs from the same image and requirements as the relay; with its login
    variables empty (compose's default outside production) it asks for none."""
    queue.enqueue("relay.jobs.process_event", {"event_id": "shown-in-the-dashboard"})
    no_login = dashboard_environment(redis_url, RQ_DASHBOARD_USERNAME="", RQ_DASHBOARD_PASSWORD="")
    with rq_dashboard(no_login) as url:
        assert requests.get(f"{url}/", timeout=5).status_code == 200
        queues = requests.get(f"{url}/0/data/queues.json", timeout=5).json()
        assert [entry["name"] for entry in queues["queues"]] == ["woo-events"]


def test_the_rq_dashboard_takes_its_login_from_its_environment(redis_url) -> None:
    """Production gives the login in the environment alone (a command line shows in ps)."""
    login = {"RQ_DASHBOARD_USERNAME": "operator", "RQ_DASHBOARD_PASSWORD": "5f0c1d9e"}
    with rq_dashboard(dashboard_environment(redis_url, **login)) as url:
        assert requests.get(f"{url}/", timeout=5).status_code == 401
        wrong = requests.get(f"{url}/", auth=("operator", "guess"), timeout=5)
        assert wrong.status_code == 401
        right = requests.get(f"{url}/", auth=("operator", "5f0c1d9e"), timeout=5)
        assert right.status_code == 200


def test_the_cron_service_enqueues_the_maintenance_jobs(redis_url: str, tmp_path: Path) -> None:
    """The compose `cron` service's command: every interval job of relay/cron_config.py is
    enqueued at start (then every interval); the daily drift run waits for its time of day."""
    maintenance = Queue("woo-maintenance", connection=Redis.from_url(redis_url))
    process = subprocess.Popen(
        [sys.executable, "-m", "relay", "cron"],
        env=relay_environment(redis_url, tmp_path / "spool", PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while maintenance.count < 8 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert sorted(job.func_name for job in maintenance.get_jobs()) == [
        "relay.jobs.check_backlog",
        "relay.jobs.check_odoo_access",
        "relay.jobs.check_tax_rounding",
        "relay.jobs.drift_requests",
        "relay.jobs.push_outbox",
        "relay.jobs.reconcile_customers",
        "relay.jobs.reconcile_recent",
        "relay.jobs.sync_dead_letters",
    ], output


def test_a_worker_started_while_redis_is_down_waits_for_it(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Restarted by its supervisor during a Redis outage, a worker waits instead of exiting."""
    redis_server.stop()
    env = relay_environment(redis_server.url, tmp_path / "spool")
    worker = WorkerProcess(env, tmp_path / "worker.log", burst=False)
    try:
        wait_for(lambda: "the worker waits for it" in worker.log(), 10, "the waiting line")
        assert worker.alive(), worker.log()
        redis_server.start()
        job = Queue("woo-events", connection=Redis.from_url(redis_server.url)).enqueue("os.getpid")
        wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 30, "the job")
    finally:
        worker.stop()
