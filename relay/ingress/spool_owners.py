"""Each relay process owns one spool: RELAY_SPOOL_DIR itself for a single process, or
RELAY_SPOOL_DIR/process-N for process N of `serve --processes`. A process holds an exclusive
lock on its spool's `.owner.lock` for as long as it lives; the kernel releases it when the
process dies, however it dies. A spool whose lock can be taken therefore has no living owner,
and a live process drains it, holding that lock meanwhile so that no other does: each line is
enqueued once (and `enqueue_unless_enqueued` skips what a drain that crashed had enqueued)."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from relay.config import ConfigError
from relay.ingress.spool import SPOOL_FILE, DrainResult, Spool

logger = logging.getLogger(__name__)

OWNER_LOCK = ".owner.lock"
PROCESS_PREFIX = "process-"


def spool_directory(root: Path, process_slot: int | None) -> Path:
    return root if process_slot is None else root / f"{PROCESS_PREFIX}{process_slot}"


class SpoolInUse(ConfigError):
    """Another relay process owns this spool: two writers would lose each other's lines."""


def claim(directory: Path, wait_seconds: float = 10.0) -> IO[bytes] | None:
    """Become the spool's owner, waiting a while for a live process draining it to finish;
    keep the returned file open for as long as the process serves. None when the disk refuses
    the lock file (read-only, full): that spool cannot be written either, which /health
    reports. SpoolInUse when another relay serves with it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        lock = open(directory / OWNER_LOCK, "ab")  # noqa: SIM115 - held for the process's life
    except OSError as exc:
        logger.warning(
            "cannot lock the spool's owner file", extra={"spool": str(directory), "error": str(exc)}
        )
        return None
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            if time.monotonic() > deadline:
                lock.close()
                raise SpoolInUse(
                    f"the spool {directory} belongs to another relay process that is running: "
                    "give each relay its own RELAY_SPOOL_DIR, or run one relay with --processes"
                ) from None
            time.sleep(0.1)


@contextmanager
def ownerless(directory: Path) -> Iterator[bool]:
    """True, with the owner's lock held, when no living process owns the spool."""
    try:
        lock = open(directory / OWNER_LOCK, "ab")  # noqa: SIM115 - closed below
    except OSError:  # a read-only or full disk: nothing can be drained from it now
        yield False
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def other_spools(root: Path, own: Path) -> list[Path]:
    """The spools beside this process's own that hold something: the single-process spool and
    every process-N spool, this process's own excepted."""
    candidates = [root, *sorted(root.glob(f"{PROCESS_PREFIX}*"))]
    return [
        directory
        for directory in candidates
        if directory != own
        and (directory / SPOOL_FILE).is_file()
        and (directory / SPOOL_FILE).stat().st_size
    ]


def drain_ownerless(
    root: Path,
    own: Path,
    enqueue: Callable[[dict], bool],
    stop_on: tuple[type[BaseException], ...],
) -> DrainResult:
    """Drain every spool whose process is gone into RQ; the errors of `stop_on` end it (Redis
    away: the next round goes on where this one stopped)."""
    total = DrainResult()
    for directory in other_spools(root, own):
        with ownerless(directory) as free:
            if not free:
                continue
            spool = Spool(directory)
            if not spool.depth:
                continue
            logger.warning(
                "draining the spool of a relay process that is gone",
                extra={"spool": str(spool.path), "spool_depth": spool.depth},
            )
            result = spool.drain(enqueue, stop_on)
            total.enqueued += result.enqueued
            total.skipped += result.skipped
            total.set_aside += result.set_aside
    return total
