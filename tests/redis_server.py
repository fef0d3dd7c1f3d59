"""A private redis-server the tests can stop and start again (for outage tests), and a private
Sentinel setup (a primary, a replica, three sentinels) whose primary they can kill."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Self

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.waiting import wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """`persistent`: with an append-only file synced every second, as docker-compose.yml runs
    Redis, so that a stop and a start keep what was queued."""

    def __init__(
        self, workdir: Path, persistent: bool = False, replica_of: int | None = None
    ) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        self.port = free_port()
        self.workdir = workdir
        self.persistent = persistent
        self.replica_of = replica_of  # the port of its primary on 127.0.0.1
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                *(
                    ("--appendonly", "yes", "--appendfsync", "everysec")
                    if self.persistent
                    else ("--appendonly", "no")
                ),
                "--dir",
                str(self.workdir),
                # A replica (re)joining is sent the data at once, not 5 s later (the default).
                "--repl-diskless-sync-delay",
                "0",
                *(("--replicaof", "127.0.0.1", str(self.replica_of)) if self.replica_of else ()),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                Redis.from_url(self.url).ping()
                return
            except RedisConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def kill(self) -> None:
        """SIGKILL: what a crashed host does, with no chance to write anything more."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


class SentinelServer:
    """One redis-sentinel watching MASTER_NAME; it rewrites its own configuration file."""

    def __init__(self, workdir: Path, primary_port: int, quorum: int) -> None:
        self.binary = shutil.which("redis-sentinel")
        if self.binary is None:
            raise RuntimeError("redis-sentinel is not installed (Debian package redis-sentinel)")
        self.port = free_port()
        self.config = workdir / f"sentinel-{self.port}.conf"
        self.config.write_text(
            f"port {self.port}\n"
            "bind 127.0.0.1\n"
            f"dir {workdir}\n"
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {primary_port} {quorum}\n"
            # A primary silent for a second is down; a failover that stalls is tried again
            # after a few seconds (Redis's defaults: 30 s and 3 min).
            f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
            f"sentinel failover-timeout {MASTER_NAME} 5000\n"
            f"sentinel parallel-syncs {MASTER_NAME} 1\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with Redis(port=self.port) as client:
                    client.ping()
                return
            except RedisConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-sentinel on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


MASTER_NAME = "elitaco"


class SentinelSetup:
    """A persistent primary (AOF, fsync every second, as docs/operations.md asks), a replica
    of it and three sentinels with a quorum of two, on free loopback ports. Used as a context
    manager, it stops every process it started, also when the test fails."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        (workdir / "primary").mkdir(parents=True)
        (workdir / "replica").mkdir()
        self.primary = RedisServer(workdir / "primary", persistent=True)
        self.first_primary_port = self.primary.port
        self.replica = RedisServer(
            workdir / "replica", persistent=True, replica_of=self.primary.port
        )
        self.sentinels = [SentinelServer(workdir, self.primary.port, quorum=2) for _ in range(3)]

    def __enter__(self) -> Self:
        try:
            self.primary.start()
            self.replica.start()
            wait_for(lambda: self.replicas_attached(self.primary.port) == 1, 30, "the replica")
            for sentinel in self.sentinels:
                sentinel.start()
            wait_for(self.sentinels_see_everyone, 30, "the sentinels to find each other")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        for server in (*self.sentinels, self.replica, self.primary):
            server.stop()

    @property
    def sentinel_addresses(self) -> str:
        """REDIS_SENTINELS."""
        return ",".join(f"127.0.0.1:{sentinel.port}" for sentinel in self.sentinels)

    def primary_port_named(self) -> int | None:
        """The primary's port as every sentinel names it (None while they disagree)."""
        named = set()
        for sentinel in self.sentinels:
            try:
                with Redis(port=sentinel.port) as client:
                    _host, port = client.sentinel_get_master_addr_by_name(MASTER_NAME)
            except RedisConnectionError:
                return None
            named.add(int(port))
        return named.pop() if len(named) == 1 else None

    def promoted_port(self) -> int | None:
        """The port of the server the sentinels made primary in place of the first one."""
        port = self.primary_port_named()
        return port if port is not None and port != self.first_primary_port else None

    def replicas_attached(self, port: int) -> int:
        try:
            with Redis(port=port) as client:
                info = client.info("replication")
        except RedisConnectionError:
            return 0
        return sum(
            1
            for key, value in info.items()
            if key.startswith("slave") and isinstance(value, dict) and value["state"] == "online"
        )

    def sentinels_see_everyone(self) -> bool:
        for sentinel in self.sentinels:
            with Redis(port=sentinel.port) as client:
                state = client.sentinel_master(MASTER_NAME)
            if state["num-other-sentinels"] < 2 or state["num-slaves"] < 1:
                return False
        return True
