"""The relay and its workers as real processes, and the guarantee that no test leaves one behind.

Every process a test starts inherits TEST_SESSION_VARIABLE from the test run (conftest sets it),
and each process started here gets a marker of its own: RQ's work horse calls setsid(), so
killing a worker's process group misses it, but it keeps its parent's environment, which is how
it is found and stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
TEST_SESSION_VARIABLE = "ELITACO_TEST_SESSION"
PROCESS_MARKER_VARIABLE = "ELITACO_TEST_PROCESS"


def processes_marked(variable: str, value: str) -> list[int]:
    """The pids of live processes whose environment holds variable=value (this one excluded)."""
    needle = f"{variable}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environment = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if needle in environment and state != "Z":
            found.append(int(entry.name))
    return found


def listening_on(port: int) -> set[int]:
    """The pids of the processes that hold a socket listening on 127.0.0.1 or 0.0.0.0 `port`
    (/proc/net/tcp's LISTEN rows; a process is counted once its listen() has returned, which
    is when the kernel starts giving it connections)."""
    inodes = set()
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        local_port, state, inode = int(fields[1].rsplit(":", 1)[1], 16), fields[3], fields[9]
        if local_port == port and state == "0A":
            inodes.add(f"socket:[{inode}]")
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in inodes for fd in (entry / "fd").iterdir()):
                pids.add(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return pids


def kill_marked(variable: str, value: str, timeout: float = 10.0) -> list[int]:
    """SIGKILL every process marked variable=value; return their pids once they are gone."""
    pids = processes_marked(variable, value)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while processes_marked(variable, value) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


class ManagedProcess:
    """A `python -m relay ...` (or another module's) process with its own marker; stop() takes
    its children too."""

    def __init__(
        self, args: list[str], env: dict[str, str], log_path: Path, module: str = "relay"
    ) -> None:
        self.marker = uuid.uuid4().hex
        self.log_path = log_path
        with open(log_path, "ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                env=dict(env, PYTHONPATH=str(ROOT), **{PROCESS_MARKER_VARIABLE: self.marker}),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait, as a supervisor stops a service."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        return self.process.poll()

    def kill(self) -> None:
        """SIGKILL the process and everything it started (an RQ work horse included)."""
        kill_marked(PROCESS_MARKER_VARIABLE, self.marker)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        self.terminate()
        self.kill()


def relay_environment(redis_url: str, spool_dir: Path, **extra: str) -> dict[str, str]:
    from tests.conftest import SECRET

    return (
        dict(
            os.environ,
            REDIS_URL=redis_url,
            RELAY_SPOOL_DIR=str(spool_dir),
            WOO_WEBHOOK_SECRET=SECRET,
            WOO_STORE_URL="https://shop.example.com",
            LOG_LEVEL="INFO",
        )
        | extra
    )


class RelayServer(ManagedProcess):
    """`python -m relay serve` on a free loopback port, answering /health."""

    def __init__(
        self, env: dict[str, str], log_path: Path, port: int | None = None, processes: int = 1
    ) -> None:
        self.port = port or free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if processes > 1:
            args += ["--processes", str(processes)]
        super().__init__(args, env, log_path)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{self.url}/health", timeout=5)
                return
            except (requests.ConnectionError, requests.Timeout):
                if not self.alive() or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"the relay did not start:\n{self.log()}") from None
                time.sleep(0.1)


class WorkerProcess(ManagedProcess):
    """`python -m relay worker` (with RQ's scheduler), burst or long-running."""

    def __init__(
        self, env: dict[str, str], log_path: Path, queues: tuple[str, ...] = (), burst: bool = True
    ) -> None:
        args = ["worker"] + [arg for name in queues for arg in ("--queue", name)]
        super().__init__(args + (["--burst"] if burst else []), env, log_path)

    def wait(self, timeout: float) -> int:
        """Until a burst worker has emptied its queues and stopped."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the worker did not finish within {timeout} s:\n{self.log()[-4000:]}"
            ) from None


class CronProcess(ManagedProcess):
    """The compose `cron` service's command: `python -m relay cron`."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        super().__init__(["cron"], env, log_path)


@contextmanager
def rq_dashboard(env: dict[str, str]) -> Iterator[str]:
    """The compose `dashboard` service's command (relay/ importable, as in the image's /app),
    with `env` as its environment; yields its URL once it answers."""
    port = free_port()
    args = ["--config", "relay.dashboard_config", "--bind", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "rq-dashboard"), *args],
        env=dict(env, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()) from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stderr.close()
