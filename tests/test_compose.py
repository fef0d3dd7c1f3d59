"""The compose files, as Debian's docker-compose renders them (no Docker engine is needed): they
validate; each service holds the secrets its process reads and no others; no placeholder gets
through; every image is pinned; the worker and cron have healthchecks; production turns Odoo's
database manager off and can put Caddy in front."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(
    COMPOSE is None, reason="docker-compose is not installed (Debian package docker-compose)"
)
BASE = ("docker-compose.yml",)
PRODUCTION = ("docker-compose.yml", "docker-compose.prod.yml")
# Each secret, and the services whose process reads it: no other service may hold it.
SECRET_HOLDERS = {
    "WOO_WEBHOOK_SECRET": {"relay", "cli"},
    "WOO_WEBHOOK_PREVIOUS_SECRET": {"relay"},
    "APP_SECRET": {"relay"},
    "ODOO_READ_API_KEY": {"relay"},
    "ODOO_API_KEY": {"worker", "cli"},  # replay asks Odoo which dead letters it has done
    "WOO_CONSUMER_KEY": {"worker", "cli"},
    "WOO_CONSUMER_SECRET": {"worker", "cli"},
    "POSTGRES_PASSWORD": {"secrets-check", "db", "odoo-init", "odoo"},
    "ODOO_MASTER_PASSWORD": {"secrets-check", "odoo"},
    "RQ_DASHBOARD_PASSWORD": {"dashboard"},
}
# How each image's tag pins one release (a bare major, `latest` or Odoo's moving 18.0 do not).
PINNED_TAGS = {
    "postgres": r"16\.\d+",
    "redis": r"7\.4\.\d+",
    "odoo": r"18\.0-20\d{6}",
    "python": r"3\.11\.\d+-slim-[a-z]+",
    "caddy": r"2\.\d+\.\d+-alpine",
}


def compose_config(workdir: Path, *files: str) -> subprocess.CompletedProcess[str]:
    args = [COMPOSE]
    for name in files:
        args += ["-f", name]
    return subprocess.run(
        [*args, "config"], check=False, cwd=workdir, capture_output=True, text=True, timeout=60
    )


def rendered(workdir: Path, *files: str) -> dict[str, Any]:
    result = compose_config(workdir, *files)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("docker-compose.yml", "docker-compose.prod.yml", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def secret_value(name: str) -> str:
    return f"{name.lower()}-5f0c1d9e"


@pytest.fixture
def filled(project: Path) -> Path:
    """.env as an operator fills it in: every secret one of their own, the dashboard's login."""
    lines = []
    for line in (project / ".env.example").read_text().splitlines():
        name = line.partition("=")[0]
        lines.append(f"{name}={secret_value(name)}" if name in SECRET_HOLDERS else line)
    lines.append("RQ_DASHBOARD_USERNAME=operator")
    (project / ".env").write_text("\n".join(lines) + "\n")
    return project


def test_base_and_production_files_validate_with_the_example_env(project: Path) -> None:
    shutil.copy(project / ".env.example", project / ".env")
    base = compose_config(project, *BASE)
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
        "secrets-check:",
        "cli:",
    ):
        assert f"\n  {service}\n" in base.stdout, service
    assert "--appendonly" in base.stdout and "/mnt/extra-addons" in base.stdout
    assert base.stdout.count("healthcheck:") >= 6
    with (project / ".env").open("a") as env:
        env.write("RQ_DASHBOARD_USERNAME=operator\nRQ_DASHBOARD_PASSWORD=5f0c1d9e\n")
    prod = compose_config(project, *PRODUCTION)
    assert prod.returncode == 0, prod.stderr
    assert "--proxy-mode" in prod.stdout and "restart: always" in prod.stdout


def test_a_missing_secret_is_named(filled: Path) -> None:
    env = (filled / ".env").read_text()
    (filled / ".env").write_text(env.replace("WOO_WEBHOOK_SECRET=", "#"))
    result = compose_config(filled, *BASE)
    assert result.returncode != 0
    assert "set WOO_WEBHOOK_SECRET in .env (cp .env.example .env)" in result.stderr
    (filled / ".env").unlink()
    assert "in .env (cp .env.example .env)" in compose_config(filled, *BASE).stderr


def test_each_service_holds_the_secrets_its_process_reads_and_no_others(filled: Path) -> None:
    for files in (BASE, PRODUCTION):
        for service, spec in rendered(filled, *files).items():
            values = {str(value) for value in (spec.get("environment") or {}).values()}
            held = {name for name in SECRET_HOLDERS if secret_value(name) in values}
            expected = {name for name, holders in SECRET_HOLDERS.items() if service in holders}
            assert held == expected, (files, service)


def test_the_relay_has_no_key_that_writes_and_the_dashboard_no_secret(filled: Path) -> None:
    services = rendered(filled, *PRODUCTION)
    relay = set(services["relay"]["environment"])
    assert relay & {"ODOO_API_KEY", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"} == set()
    assert "ODOO_READ_API_KEY" in relay
    assert set(services["dashboard"]["environment"]) == {
        "REDIS_URL",
        "REDIS_SENTINELS",
        "REDIS_SENTINEL_MASTER",
        "REDIS_SENTINEL_PASSWORD",
        "REDIS_PASSWORD",
        "REDIS_DB",
        "RQ_DASHBOARD_USERNAME",
        "RQ_DASHBOARD_PASSWORD",
    }


def test_no_secret_has_a_default_in_the_compose_files() -> None:
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        text = (ROOT / name).read_text()
        for variable, default in re.findall(r"\$\{([A-Z_]+):?-([^}]*)\}", text):
            if variable in SECRET_HOLDERS:
                assert default == "", f"{name}: {variable} defaults to {default!r}"


def run_as_compose_would(spec: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    """A relay-image service's `python -m relay ...` here, with its rendered environment."""
    command = spec.get("entrypoint", []) + spec["command"]
    assert command[:3] == ["python", "-m", "relay"], command
    environment = {key: str(value) for key, value in spec["environment"].items()}
    return subprocess.run(
        [sys.executable, *command[1:]],
        env=dict(environment, PATH=os.environ["PATH"], PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def test_the_example_envs_placeholders_stop_the_stack(project: Path) -> None:
    """Before PostgreSQL creates its volume with POSTGRES_PASSWORD, secrets-check refuses the
    placeholders; the relay refuses its own."""
    shutil.copy(project / ".env.example", project / ".env")
    services = rendered(project, *BASE)
    assert services["db"]["depends_on"]["secrets-check"] == {
        "condition": "service_completed_successfully"
    }
    check = run_as_compose_would(services["secrets-check"])
    assert check.returncode == 2
    lines = check.stderr.splitlines()
    assert [line.partition(" is ")[0] for line in lines] == [
        "error: POSTGRES_PASSWORD",
        "error: ODOO_MASTER_PASSWORD",
    ]
    refusal = "is still the placeholder 'change-me': set it in .env; make one with `openssl rand"
    assert all(refusal in line for line in lines), lines
    relay = run_as_compose_would(services["relay"])
    assert relay.returncode == 2
    assert relay.stderr.startswith("error: WOO_WEBHOOK_SECRET is still the placeholder 'change-me'")
    assert "Traceback" not in relay.stderr


def test_secrets_of_their_own_pass_the_stacks_check(filled: Path) -> None:
    check = run_as_compose_would(rendered(filled, *BASE)["secrets-check"])
    assert (check.returncode, check.stderr) == (0, "")


def image_tags() -> dict[str, str]:
    """Every image the stack pulls: the compose files' and the Dockerfiles' FROM."""
    tags = {}
    for name in ("Dockerfile", "Dockerfile.odoo"):
        for image in re.findall(r"^FROM (\S+)", (ROOT / name).read_text(), re.MULTILINE):
            tags[image] = name
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        for service, spec in yaml.safe_load((ROOT / name).read_text())["services"].items():
            if "image" in spec and "build" not in spec:
                tags[spec["image"]] = f"{name} {service}"
    return tags


def test_every_image_is_pinned_to_one_release() -> None:
    tags = image_tags()
    assert {image.partition(":")[0] for image in tags} == set(PINNED_TAGS)
    for image, where in tags.items():
        repository, _, tag = image.partition(":")
        assert re.fullmatch(PINNED_TAGS[repository], tag), f"{where}: {image} is not pinned"


def test_the_images_built_here_have_tags_of_their_own(filled: Path) -> None:
    for service, spec in rendered(filled, *PRODUCTION).items():
        if "build" in spec:
            assert spec["image"].partition(":")[2] not in ("", "latest"), service


def test_the_worker_and_cron_have_healthchecks_that_notice_a_hung_process(filled: Path) -> None:
    for files in (BASE, PRODUCTION):
        services = rendered(filled, *files)
        for service in ("worker", "cron"):
            healthcheck = services[service]["healthcheck"]
            assert not healthcheck.get("disable"), (files, service)
            assert healthcheck["test"] == ["CMD", "python", "-m", "relay", "healthcheck", service]
            assert healthcheck["retries"] >= 1 and healthcheck["interval"]


def test_odoo_has_a_master_password_and_no_database_manager_in_production(filled: Path) -> None:
    base = rendered(filled, *BASE)
    assert base["odoo"]["environment"]["ODOO_MASTER_PASSWORD"] == secret_value(
        "ODOO_MASTER_PASSWORD"
    )
    assert "ODOO_MASTER_PASSWORD" not in base["odoo-init"]["environment"]
    dockerfile = (ROOT / "Dockerfile.odoo").read_text()
    assert 'ENTRYPOINT ["/usr/local/bin/elitaco-odoo-entrypoint", "/entrypoint.sh"]' in dockerfile
    assert "COPY deploy/odoo-entrypoint.sh /usr/local/bin/elitaco-odoo-entrypoint" in dockerfile
    production = rendered(filled, *PRODUCTION)
    assert "--no-database-list" in production["odoo"]["command"]


def test_production_requires_the_dashboards_login(filled: Path) -> None:
    env = (filled / ".env").read_text().replace("RQ_DASHBOARD_PASSWORD=", "#")
    (filled / ".env").write_text(env)
    assert compose_config(filled, *BASE).returncode == 0
    result = compose_config(filled, *PRODUCTION)
    assert result.returncode != 0
    assert "set RQ_DASHBOARD_PASSWORD in .env" in result.stderr


def test_production_can_put_caddy_in_front_with_the_tls_profile(filled: Path) -> None:
    assert "caddy" not in rendered(filled, *BASE)
    caddy = rendered(filled, *PRODUCTION)["caddy"]
    assert caddy["profiles"] == ["tls"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in [
        volume.replace(str(filled), ".") for volume in caddy["volumes"]
    ]
    assert {(port["published"], port.get("protocol", "tcp")) for port in caddy["ports"]} == {
        (80, "tcp"),
        (443, "tcp"),
        (443, "udp"),
    }
    assert caddy["environment"]["TLS_DOMAIN"] == ""  # .env.example leaves it to the operator
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$TLS_DOMAIN} {" in caddyfile
    routes = dict(
        re.findall(r"handle ([^ {]*) ?\{\s*(?:reverse_proxy|respond) ([^\s}]+)", caddyfile)
    )
    assert routes == {
        "/webhook/woo*": "relay:8080",
        "/api/*": "relay:8080",
        "/web/database/*": "404",
        "/websocket": "odoo:8072",
        "": "odoo:8069",
    }


def test_readmes_bring_up_command_writes_an_env_the_stack_accepts(project: Path) -> None:
    """README's first command: scripts/init-env, then `docker compose up -d`."""
    subprocess.run(
        [sys.executable, ROOT / "scripts" / "init-env", project], check=True, capture_output=True
    )
    services = rendered(project, *BASE)
    check = run_as_compose_would(services["secrets-check"])
    assert (check.returncode, check.stderr) == (0, "")
    relay_secrets = {"WOO_WEBHOOK_SECRET", "APP_SECRET"}
    assert not relay_secrets & {
        name for name, value in services["relay"]["environment"].items() if value == "change-me"
    }
