"""The tests' Redis database belongs to one test session at a time (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import redis_lock_path

TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "w") as lock:
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(3)
"""


def test_a_second_session_cannot_take_the_database_while_this_one_runs(redis_url: str) -> None:
    path = str(redis_lock_path(redis_url))
    held = subprocess.run([sys.executable, "-c", TRY_LOCK, path], timeout=30, check=False)
    assert held.returncode == 3, "another process could take this session's Redis database"

    other = str(redis_lock_path(redis_url + "-another"))
    free = subprocess.run([sys.executable, "-c", TRY_LOCK, other], timeout=30, check=False)
    assert free.returncode == 0, "a session on another database is not held up"
