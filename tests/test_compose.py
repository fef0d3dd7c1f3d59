"""The compose files validate with Debian's docker-compose (no Docker engine is needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (Debian package docker-compose)"
)


def compose_config(workdir: Path, *files: str) -> subprocess.CompletedProcess[str]:
    args = [COMPOSE]
    for name in files:
        args += ["-f", name]
    return subprocess.run(
        [*args, "config"], check=False, cwd=workdir, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("docker-compose.yml", "docker-compose.prod.yml", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_base_and_production_files_validate_with_the_example_env(project: Path) -> None:
    shutil.copy(project / ".env.example", project / ".env")
    base = compose_config(project, "docker-compose.yml")
    assert base.returncode == 0, base.stderr
    for service in (
        "db:",
        "redis:",
        "odoo:",
        "odoo-init:",
        "relay:",
        "worker:",
        "cron:",
        "dashboard:",
    ):
        assert f"\n  {service}\n" in base.stdout, service
    assert "--appendonly" in base.stdout and "/mnt/extra-addons" in base.stdout
    assert base.stdout.count("healthcheck:") >= 6
    prod = compose_config(project, "docker-compose.yml", "docker-compose.prod.yml")
    assert prod.returncode == 0, prod.stderr
    assert "--proxy-mode" in prod.stdout and "restart: always" in prod.stdout


def test_a_missing_webhook_secret_is_named(project: Path) -> None:
    result = compose_config(project, "docker-compose.yml")
    assert result.returncode != 0
    assert "set WOO_WEBHOOK_SECRET in .env" in result.stderr
