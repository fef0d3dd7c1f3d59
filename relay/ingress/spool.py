"""The local spool: envelopes accepted while Redis was unreachable, one JSON line each.

A line is written whole and fsync'd before the webhook is answered, or not at all: a write the
disk refuses (full, read-only) is cut back off and the delivery is answered 503. Draining
enqueues the lines in order, a slice at a time, and records how far it got in an offset file;
`enqueue_unless_enqueued` skips lines a crashed drain already enqueued, so a restart never
enqueues an event twice. A line that can never be enqueued is set aside in
spool.rejected.jsonl with its reason, for a person, and the drain goes on.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SPOOL_FILE = "spool.jsonl"
OFFSET_FILE = "spool.offset"
REJECTED_FILE = "spool.rejected.jsonl"
DRAIN_SLICE = 100  # lines enqueued between two looks at the lock, so appends never wait long


class SpoolUnwritable(Exception):
    """The spool could not take a line whole (disk full, read-only, ...); nothing of it stays."""


@dataclass
class DrainState:
    """How the relay's drain of the spool goes, for /health."""

    error: str | None = None  # the last drain failed for a reason other than Redis
    waiting_for_redis: bool = False


@dataclass
class DrainResult:
    enqueued: int = 0
    skipped: int = 0
    set_aside: int = 0


class Spool:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.path = directory / SPOOL_FILE
        self.offset_path = directory / OFFSET_FILE
        self.rejected_path = directory / REJECTED_FILE
        self._lock = threading.Lock()
        self.write_error: str | None = None
        self.set_aside_count = self._count_set_aside()
        with self._lock:
            try:
                self._set_aside_torn_tail()
            except OSError as exc:
                self.write_error = f"{self.path}: {exc.strerror or exc}"
            self.depth = self._count_lines(self._offset())

    # ------------------------------------------------------------------ writing

    def append(self, envelope: dict[str, Any]) -> None:
        """Write the envelope as one line, durably; SpoolUnwritable when the disk refuses."""
        line = (json.dumps(envelope, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
        with self._lock:
            try:
                created = not self.path.exists()
                _append_whole(self.path, line)
                if created:
                    _fsync_directory(self.directory)
            except OSError as exc:
                self.write_error = f"{self.path}: {exc.strerror or exc}"
                raise SpoolUnwritable(self.write_error) from exc
            self.write_error = None
            self.depth += 1

    def set_aside(self, record: dict[str, Any], reason: str) -> None:
        """Keep what the pipeline cannot carry (an envelope RQ cannot take, an authentic
        delivery the envelope cannot hold), for a person: nothing accepted is dropped."""
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=str)
        with self._lock:
            self._set_aside(line.encode(), reason)

    def check_writable(self) -> bool:
        """Try a write beside the spool, and forget an earlier write error when it succeeds."""
        probe = self.directory / ".spool-probe"
        with self._lock:
            try:
                _append_whole(probe, b"probe\n")
                probe.unlink()
            except OSError as exc:
                self.write_error = f"{self.path}: {exc.strerror or exc}"
                return False
            self.write_error = None
            return True

    # ------------------------------------------------------------------ reading

    def entries(self) -> list[dict[str, Any]]:
        """The envelopes waiting, oldest first."""
        with self._lock:
            offset = self._offset()
            raw_lines = [raw for raw, _end in self._read_lines(offset, None)]
        return [entry for entry in map(_parse, raw_lines) if entry is not None]

    def set_aside_entries(self) -> list[dict[str, Any]]:
        """What was set aside: {"set_aside_at", "reason", "line"} each."""
        if not self.rejected_path.exists():
            return []
        with open(self.rejected_path, "rb") as rejected:
            return [entry for entry in map(_parse, rejected) if entry is not None]

    # ------------------------------------------------------------------ draining

    def drain(
        self,
        enqueue: Callable[[dict[str, Any]], bool],
        stop_on: tuple[type[BaseException], ...] = (),
        slice_size: int = DRAIN_SLICE,
    ) -> DrainResult:
        """Enqueue every waiting line in order, then empty the spool.

        `enqueue` returns False for an entry already enqueued. If it raises one of `stop_on`
        (Redis went away again), the drain stops there and the next one starts at that line.
        Any other error sets the line aside with its reason. The lock is held only to read a
        slice and to record progress, never while enqueueing.
        """
        result = DrainResult()
        while True:
            with self._lock:
                lines = self._read_lines(self._offset(), slice_size)
                if not lines:
                    self._empty_when_drained()
                    return result
            done, count = None, 0
            try:
                for raw, end in lines:
                    self._drain_line(raw, enqueue, stop_on, result)
                    done, count = end, count + 1
            finally:
                if done is not None:
                    with self._lock:
                        self._write_offset(done)
                        self.depth -= count

    def _drain_line(self, raw: bytes, enqueue, stop_on, result: DrainResult) -> None:
        entry = _parse(raw)
        if entry is None:
            reason = "not a JSON object (a damaged spool line)"
        else:
            try:
                if enqueue(entry):
                    result.enqueued += 1
                else:
                    result.skipped += 1
                return
            except stop_on:
                raise
            except Exception as exc:  # noqa: BLE001 - the line is kept with the reason
                reason = f"RQ cannot take it: {type(exc).__name__}: {exc}"[:500]
        with self._lock:
            self._set_aside(raw.rstrip(b"\n"), reason)
        result.set_aside += 1

    # ------------------------------------------------------------------ internals (lock held)

    def _set_aside(self, raw: bytes, reason: str) -> None:
        record = {
            "set_aside_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "reason": reason,
            "line": raw.decode("utf-8", "replace"),
        }
        line = json.dumps(record, ensure_ascii=False).encode() + b"\n"
        try:
            _append_whole(self.rejected_path, line)
        except OSError as exc:
            raise SpoolUnwritable(f"{self.rejected_path}: {exc.strerror or exc}") from exc
        self.set_aside_count += 1
        logger.error(
            "spool line set aside",
            extra={"reason": reason, "file": str(self.rejected_path), "bytes": len(raw)},
        )

    def _set_aside_torn_tail(self) -> None:
        """A line cut short when the relay died while writing it was never acknowledged: set
        it aside, so that the next line written starts on a line of its own."""
        if not self.path.exists():
            return
        with open(self.path, "r+b") as spool_file:
            size = spool_file.seek(0, os.SEEK_END)
            tail = b""
            while len(tail) < size and b"\n" not in tail:
                start = max(size - len(tail) - 65536, 0)
                spool_file.seek(start)
                tail = spool_file.read(size - len(tail) - start) + tail
            if not tail or tail.endswith(b"\n"):
                return
            torn = tail[tail.rfind(b"\n") + 1 :]
            self._set_aside(torn, "torn line: the relay stopped while writing it")
            spool_file.truncate(size - len(torn))
            os.fsync(spool_file.fileno())

    def _read_lines(self, offset: int, limit: int | None) -> list[tuple[bytes, int]]:
        """Whole lines from `offset`: (line, offset after it)."""
        if not self.path.exists():
            return []
        lines = []
        with open(self.path, "rb") as spool_file:
            spool_file.seek(offset)
            while limit is None or len(lines) < limit:
                raw = spool_file.readline()
                if not raw.endswith(b"\n"):
                    break
                offset += len(raw)
                if raw.strip():
                    lines.append((raw, offset))
        return lines

    def _count_lines(self, offset: int) -> int:
        if not self.path.exists():
            return 0
        with open(self.path, "rb") as spool_file:
            spool_file.seek(offset)
            return sum(1 for raw in spool_file if raw.strip() and raw.endswith(b"\n"))

    def _count_set_aside(self) -> int:
        if not self.rejected_path.exists():
            return 0
        with open(self.rejected_path, "rb") as rejected:
            return sum(1 for _ in rejected)

    def _offset(self) -> int:
        try:
            return int(self.offset_path.read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _write_offset(self, offset: int) -> None:
        temporary = self.offset_path.with_suffix(".tmp")
        with open(temporary, "w") as offset_file:
            offset_file.write(str(offset))
            offset_file.flush()
            os.fsync(offset_file.fileno())
        os.replace(temporary, self.offset_path)

    def _empty_when_drained(self) -> None:
        """Every whole line is enqueued (appends wait for the lock held here): start afresh."""
        if self.path.exists() and self.path.stat().st_size:
            with open(self.path, "r+b") as spool_file:
                spool_file.truncate(0)
                os.fsync(spool_file.fileno())
        self.offset_path.unlink(missing_ok=True)
        self.depth = 0


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _append_whole(path: Path, data: bytes) -> None:
    """Append `data` and fsync it, or leave the file as it was: os.write may write only part
    of it (a full disk), and a torn line would swallow the next one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        start = os.fstat(fd).st_size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError:
            try:
                os.ftruncate(fd, start)
                os.fsync(fd)
            except OSError:
                logger.exception("could not cut a partial line off", extra={"path": str(path)})
            raise
    finally:
        os.close(fd)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
