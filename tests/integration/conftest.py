"""Fixtures of the relay's fault tests: Redis down (a Redis of the test's own, stopped by it)
and a spool on a small or read-only disk."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from relay.config import Settings
from tests.redis_server import RedisServer


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 48 KiB tmpfs: room for a handful of spooled orders."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs for the full-disk tests needs root")
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mountpoint)], check=True)
    yield mountpoint
    subprocess.run(["umount", "-l", str(mountpoint)], check=False)


@pytest.fixture
def outage(settings: Settings, redis_server: RedisServer) -> Settings:
    return replace(settings, redis_url=redis_server.url, redis_timeout=0.5)


@pytest.fixture
def read_only_spool(small_disk: Path) -> Path:
    spool_dir = small_disk / "spool"
    spool_dir.mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    return spool_dir
