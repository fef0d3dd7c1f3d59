"""Waiting for something that happens in the background: in another process, or in async
tests in the event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    """The condition's first true result; fails saying `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.25)


async def eventually(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def run_for_each_store(queue, function: str, timeout: float = 60) -> list:
    """A cron job as `python -m relay cron` enqueues it (on `queue`, the maintenance queue, a
    worker serving it), waited for with the job it enqueued for each store; returns those."""
    from rq.job import Job, JobStatus

    cron = queue.enqueue(function)
    wait_for(lambda: cron.get_status(refresh=True) == JobStatus.FINISHED, timeout, function)
    jobs = [
        Job.fetch(job_id, connection=queue.connection)
        for job_id in cron.return_value()["stores"].values()
        if " " not in job_id  # "<id> still pending": that one is waited for by the next run
    ]
    for job in jobs:
        wait_for(
            lambda job=job: job.get_status(refresh=True) == JobStatus.FINISHED,
            timeout,
            job.description,
        )
    return jobs
