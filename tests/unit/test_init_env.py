"""scripts/init-env: the .env that `docker compose up -d` starts with, every placeholder secret
replaced, and an existing .env never touched."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from relay.config import ConfigError, check_secrets

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "init-env"


def read_env(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", path.read_text(), re.MULTILINE))


def test_every_placeholder_becomes_its_own_secret(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    placeholders = [
        name for name, value in read_env(tmp_path / ".env.example").items() if value == "change-me"
    ]
    with pytest.raises(ConfigError):
        check_secrets(placeholders, read_env(tmp_path / ".env.example"))

    subprocess.run([sys.executable, SCRIPT, tmp_path], check=True, capture_output=True)

    env = read_env(tmp_path / ".env")
    check_secrets(placeholders, env)  # raises on a placeholder left
    values = [env[name] for name in placeholders]
    assert len(set(values)) == len(values) >= 4
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in values)
    example = read_env(tmp_path / ".env.example")
    assert {name: env[name] for name in env if name not in placeholders} == {
        name: example[name] for name in example if name not in placeholders
    }, "everything else as in the example"
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0, "secrets readable by the owner only"


def test_an_existing_env_is_kept(tmp_path: Path) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env.example")
    (tmp_path / ".env").write_text("WOO_STORE_URL=https://mine.example\n")
    result = subprocess.run(
        [sys.executable, SCRIPT, tmp_path], check=True, capture_output=True, text=True
    )
    assert "kept" in result.stdout
    assert (tmp_path / ".env").read_text() == "WOO_STORE_URL=https://mine.example\n"
