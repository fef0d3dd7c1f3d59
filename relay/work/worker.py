"""The RQ worker `python -m relay worker` runs: RQ's forking Worker, tuned so that a job whose
worker was killed runs again within a minute, with its retries intact, and running each
event's job in its own process (no work horse) with the heartbeats a work horse would get."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Self

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.exceptions import AbandonedJobError, StopRequested
from rq.executions import Execution
from rq.job import Job
from rq.utils import now
from rq.worker import WorkerStatus

from relay.clients.odoo import default_client
from relay.pipeline.queueing import PROCESS_EVENT, RUN_IMPORT
from relay.work import event_batches
from relay.work.imports import report_killed_import

logger = logging.getLogger(__name__)

# The worker heartbeats a running job every JOB_MONITORING_INTERVAL seconds; a job whose
# heartbeat is HEARTBEAT_GRACE seconds overdue counts as abandoned, and every
# MAINTENANCE_INTERVAL seconds a live worker looks for those (RQ's defaults: 30, 60 and 600 s,
# so a killed worker's job waited up to ~11 minutes). Now: queued again within 30 + 15 s. A
# heartbeat delayed past the grace would at worst run a job twice, which the Odoo ledger makes
# harmless.
JOB_MONITORING_INTERVAL = 10
HEARTBEAT_GRACE = 20
MAINTENANCE_INTERVAL = 15
# Jobs run in the worker's own process instead of a forked work horse. An event's job is one
# HTTP call to Odoo; forking for it cost about 6 ms of the ~140 ms an order takes with one
# worker (docs/performance.md). Long jobs (imports, outbox pushes) keep their work horse: a
# killed import is reported to Odoo by the worker that watched its horse die.
IN_PROCESS_JOBS = frozenset({PROCESS_EVENT})


def restore_retry_of_abandoned_job(job: Job, exc_type: type, *exc_info: Any) -> bool:
    """A job abandoned by a killed worker did not fail. RQ retries it, which takes one of its
    retries and waits the retry's interval (through RQ's scheduler, whose lock may have died
    with the worker); this gives that retry back and makes it immediate, leaving the intervals
    of later retries as they were."""
    if exc_type is AbandonedJobError:
        retries_left = job.retries_left or 0
        if job.retry_intervals:
            # RQ takes interval number len(intervals) - retries_left: make that one 0.
            intervals = list(job.retry_intervals)
            intervals.insert(max(len(intervals) - retries_left, 0), 0)
            job.retry_intervals = intervals
        job.retries_left = retries_left + 1
    return True  # go on with RQ's own handling


class JobHeartbeats:
    """While jobs run in the worker's own process (one event, or a batch of them), a thread
    sends for each the heartbeats RQ's worker sends while it waits for a work horse, so a job
    waiting on Odoo longer than the heartbeat TTL is not taken for abandoned (and run a
    second time meanwhile). Each job's beats stop at its end (`finished`)."""

    def __init__(self, worker: Worker, running: list[tuple[Job, Execution]]) -> None:
        self.worker = worker
        self.running = {job.id: (job, execution) for job, execution in running}
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="job heartbeats", daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def finished(self, job: Job) -> None:
        """Before RQ records the job's end: no heartbeat of it may follow."""
        with self.lock:
            self.running.pop(job.id, None)
            if self.running:
                return
        self.stop()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join()

    def _beat(self) -> None:
        started = time.monotonic()
        while not self.stopped.wait(self.worker.job_monitoring_interval):
            try:
                with self.lock:
                    self._beat_running(time.monotonic() - started)
            except RedisError as exc:  # Redis away: the next beat tries again
                logger.warning("job heartbeat failed", extra={"error": str(exc)})

    def _beat_running(self, working_time: float) -> None:
        worker = self.worker
        worker.set_current_job_working_time(working_time)
        with worker.connection.pipeline() as pipe:
            worker.heartbeat(worker.job_monitoring_interval + 60, pipeline=pipe)
            for job, execution in self.running.values():
                ttl = int(worker.get_heartbeat_ttl(job))
                execution.heartbeat(job.started_job_registry, ttl, pipeline=pipe)
                job.heartbeat(now(), ttl, pipeline=pipe, xx=True)
            pipe.execute()


class RelayWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("job_monitoring_interval", JOB_MONITORING_INTERVAL)
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        # An idle worker waits on the queues for worker_ttl - 15 s between maintenance checks.
        kwargs.setdefault("worker_ttl", MAINTENANCE_INTERVAL + 15)
        kwargs.setdefault("exception_handlers", [restore_retry_of_abandoned_job])
        super().__init__(*args, **kwargs)
        self._heartbeats: JobHeartbeats | None = None
        self.stop_requested = False

    def request_stop(self, signum: int, frame: Any) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)

    def dequeue_job_and_maintain_ttl(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dequeue_job_and_maintain_ttl(*args, **kwargs)
        except StopRequested:
            # RQ stops an idle worker by raising in the middle of its wait on the queues. A
            # Sentinel connection (redis-py) stays open with that wait's reply still to come,
            # and RQ's teardown would read it as the answer to its own commands. It is back in
            # the pool already; the connection of the worker's pubsub thread is in use.
            self.connection.connection_pool.disconnect(inuse_connections=False)
            raise

    def execute_job(self, job: Job, queue: Queue) -> None:
        if job.func_name not in IN_PROCESS_JOBS:
            super().execute_job(job, queue)
            return
        backlog = event_batches.take_backlog(queue, job) if job.func_name == PROCESS_EVENT else []
        jobs = [job, *backlog]
        executions = [self.prepare_execution(each) for each in jobs]
        event_batches.registered(queue, backlog, self.name)
        try:
            with JobHeartbeats(self, list(zip(jobs, executions, strict=True))) as beats:
                self._heartbeats = beats
                answers = event_batches.send(default_client(), jobs) if backlog else {}
                with event_batches.answers_in_hand(answers):
                    for each, execution in zip(jobs, executions, strict=True):
                        self.execution = execution
                        self.perform_job(each, queue)
        finally:
            self._heartbeats = None
        self.set_state(WorkerStatus.IDLE)

    def handle_execution_ended(self, job: Job, queue: Queue, heartbeat_ttl: int) -> None:
        if self._heartbeats is not None:
            self._heartbeats.finished(job)
        super().handle_execution_ended(job, queue, heartbeat_ttl)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        if job.func_name == RUN_IMPORT:
            report_killed_import(job, ret_val)

    def get_heartbeat_ttl(self, job: Job) -> int:
        # Jobs have no timeout (they wait for Odoo); RQ would give them monitoring + 60 s.
        return self.job_monitoring_interval + HEARTBEAT_GRACE


def wait_for_redis(connection: Redis, longest_wait: float = 10.0, who: str = "the worker") -> None:
    """Return once Redis answers. RQ's worker exits at once when Redis is down (and quits when
    Redis goes away under a running job); restarted by its supervisor during an outage, it
    waits here instead of exiting again in a loop."""
    delay = 0.5
    while True:
        try:
            connection.ping()
            return
        except (RedisConnectionError, RedisTimeoutError) as exc:
            logger.warning(
                f"Redis unreachable; {who} waits for it",
                extra={"error": str(exc), "retry_in_seconds": delay},
            )
        time.sleep(delay)
        delay = min(delay * 2, longest_wait)


def work_until_stopped(
    connection: Redis, queue_names: list[str], burst: bool, restart_delay: float = 1.0
) -> None:
    """Run a RelayWorker, and another whenever one stops for anything but a stop request or
    an empty burst: RQ's work loop quits on an error it did not expect, Redis going away
    (a Sentinel failover) included. The Sentinel connection finds the new primary."""
    while True:
        wait_for_redis(connection)
        queues = [Queue(name, connection=connection) for name in queue_names]
        worker = RelayWorker(queues, connection=connection)
        try:
            worker.work(with_scheduler=True, burst=burst)
        except RedisError as exc:  # RQ's teardown could not reach Redis either
            logger.warning("worker lost Redis while stopping", extra={"error": str(exc)})
        if worker.stop_requested or burst:
            return
        logger.warning("worker stopped on an error; starting again once Redis answers")
        time.sleep(restart_delay)
