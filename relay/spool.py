"""The local spool: envelopes accepted while Redis was unreachable, one JSON line each.

Each line is fsync'd before the webhook is answered. Draining enqueues the lines in order and
then empties the file; `enqueue_unless_enqueued` skips lines a crashed drain already enqueued,
so a restart never enqueues an event twice.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SPOOL_FILE = "spool.jsonl"
REJECTED_FILE = "spool.rejected.jsonl"


@dataclass
class DrainResult:
    enqueued: int = 0
    skipped: int = 0


class Spool:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / SPOOL_FILE
        self._lock = threading.Lock()
        self.depth = len(self._read_entries())

    def append(self, envelope: dict[str, Any]) -> None:
        line = (json.dumps(envelope, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        with self._lock:
            created = not self.path.exists()
            _append_durably(self.path, line)
            if created:
                _fsync_directory(self.directory)
            self.depth += 1

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._read_entries()

    def drain(self, enqueue: Callable[[dict[str, Any]], bool]) -> DrainResult:
        """Enqueue every entry in order, then empty the spool.

        `enqueue` returns False for an entry already enqueued. If it raises (Redis went away
        again), the file is left whole and the next drain starts over from its first line.
        """
        result = DrainResult()
        with self._lock:
            for entry in self._read_entries():
                if enqueue(entry):
                    result.enqueued += 1
                else:
                    result.skipped += 1
            if self.path.exists():
                with open(self.path, "r+b") as spool_file:
                    spool_file.truncate(0)
                    os.fsync(spool_file.fileno())
            self.depth = 0
        return result

    def _read_entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        entries: list[dict[str, Any]] = []
        with open(self.path, "rb") as spool_file:
            for number, raw in enumerate(spool_file, 1):
                if not raw.strip():
                    continue
                try:
                    entries.append(json.loads(raw))
                except ValueError:
                    # A line torn by a crash mid-write: kept aside for a person, never dropped.
                    self._reject(raw, f"line {number} is not JSON")
        return entries

    def _reject(self, raw: bytes, reason: str) -> None:
        logger.error("spool line set aside", extra={"reason": reason, "file": REJECTED_FILE})
        _append_durably(self.directory / REJECTED_FILE, raw.rstrip(b"\n") + b"\n")


def _append_durably(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
