"""What `rq cron relay.cron_config` schedules, as RQ's scheduler loads it (no Redis needed)."""

from __future__ import annotations

import pytest
from redis import Redis
from rq.cron import CronScheduler

from relay.pipeline.queueing import MAINTENANCE_QUEUE


def scheduled() -> dict[str, object]:
    scheduler = CronScheduler(connection=Redis())  # loading the config never connects
    scheduler.load_config_from_file("relay.cron_config")
    return {job.name: job for job in scheduler.get_jobs()}


def test_the_dead_letters_are_put_in_step_with_odoo_every_few_minutes() -> None:
    job = scheduled()["sync-dead-letters"]
    assert job.func_name == "relay.jobs.sync_dead_letters"
    assert job.queue_name == MAINTENANCE_QUEUE
    assert job.interval == 300


def test_its_interval_is_dead_letter_sync_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAD_LETTER_SYNC_INTERVAL", "60")
    assert scheduled()["sync-dead-letters"].interval == 60


def test_the_stores_tax_rounding_is_told_to_odoo_every_hour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = scheduled()["check-tax-rounding"]
    assert job.func_name == "relay.jobs.check_tax_rounding"
    assert (job.queue_name, job.interval) == (MAINTENANCE_QUEUE, 3600)
    monkeypatch.setenv("TAX_ROUNDING_CHECK_INTERVAL", "600")
    assert scheduled()["check-tax-rounding"].interval == 600


def test_drift_runs_daily_at_a_time_of_day_not_when_the_scheduler_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = scheduled()["drift-daily"]
    assert job.func_name == "relay.jobs.drift_daily"
    assert (job.interval, job.cron) == (None, "30 3 * * *")
    assert not job.should_run(), "not at the scheduler's start, as an interval job would"
    assert (job.next_enqueue_time.hour, job.next_enqueue_time.minute) == (3, 30)
    monkeypatch.setenv("DRIFT_CRON", "0 1 * * *")
    assert scheduled()["drift-daily"].cron == "0 1 * * *"
