"""deploy/odoo-entrypoint.sh, the Odoo image's entrypoint: Odoo reads its master password
(admin_passwd) from its config file alone, so the entrypoint writes ODOO_MASTER_PASSWORD into a
copy of the image's file and points ODOO_RC at it; a placeholder is refused."""

from __future__ import annotations

import configparser
import os
import subprocess
from pathlib import Path

import pytest

from relay.config import PLACEHOLDERS

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "odoo-entrypoint.sh"
# The start of the official odoo:18 image's /etc/odoo/odoo.conf.
IMAGE_CONFIG = """[options]
addons_path = /mnt/extra-addons
data_dir = /var/lib/odoo
; admin_passwd = admin
; csv_internal_sep = ,
; list_db = True
"""


def run_entrypoint(tmp_path: Path, *command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The entrypoint with `command` as the official entrypoint it hands over to."""
    (tmp_path / "odoo.conf").write_text(IMAGE_CONFIG)
    environment = {
        "PATH": os.environ["PATH"],
        "ODOO_RC": str(tmp_path / "odoo.conf"),
        "TMPDIR": str(tmp_path),
    } | env
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *command],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def odoo_options(text: str) -> dict[str, str]:
    parser = configparser.RawConfigParser()  # as Odoo reads it
    parser.read_string(text)
    return dict(parser.items("options"))


def test_the_master_password_is_written_into_the_config_odoo_reads(tmp_path: Path) -> None:
    result = run_entrypoint(
        tmp_path, "sh", "-c", 'echo "$ODOO_RC"; cat "$ODOO_RC"', ODOO_MASTER_PASSWORD="3f%9 $x"
    )
    assert result.returncode == 0, result.stderr
    path, config = result.stdout.split("\n", 1)
    assert path == str(tmp_path / "elitaco-odoo.conf")
    options = odoo_options(config)
    assert options["admin_passwd"] == "3f%9 $x"
    assert (options["addons_path"], options["data_dir"]) == ("/mnt/extra-addons", "/var/lib/odoo")
    assert (tmp_path / "elitaco-odoo.conf").stat().st_mode & 0o077 == 0
    assert (tmp_path / "odoo.conf").read_text() == IMAGE_CONFIG  # the image's own, untouched


def test_without_a_master_password_the_database_manager_refuses_every_password(
    tmp_path: Path,
) -> None:
    """An empty admin_passwd makes Odoo refuse every master-password operation; without the
    line, Odoo's default would be 'admin'."""
    result = run_entrypoint(tmp_path, "sh", "-c", 'cat "$ODOO_RC"')
    assert result.returncode == 0, result.stderr
    assert odoo_options(result.stdout)["admin_passwd"] == ""


@pytest.mark.parametrize("placeholder", sorted(PLACEHOLDERS) + [" Change-Me "])
def test_a_placeholder_master_password_is_refused(tmp_path: Path, placeholder: str) -> None:
    result = run_entrypoint(tmp_path, "true", ODOO_MASTER_PASSWORD=placeholder)
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"error: ODOO_MASTER_PASSWORD is still the placeholder '{placeholder.strip().lower()}': "
        "set it in .env; make one with `openssl rand -hex 32`"
    )


@pytest.mark.skipif(
    not (os.environ.get("ODOO_SRC") and os.environ.get("ODOO_PYTHON")),
    reason="no Odoo 18 source tree (ODOO_SRC, ODOO_PYTHON)",
)
def test_odoo_takes_the_master_password_and_the_production_flag(tmp_path: Path) -> None:
    check = (
        "from odoo.tools import config; config.parse_config(['--no-database-list']); "
        "print(bool(config.verify_admin_password('3f9x')), "
        "bool(config.verify_admin_password('admin')), config['list_db'])"
    )
    (tmp_path / "run").write_text(f'cd "{os.environ["ODOO_SRC"]}" && exec "$@"\n')
    result = run_entrypoint(
        tmp_path,
        "sh",
        str(tmp_path / "run"),
        os.environ["ODOO_PYTHON"],
        "-c",
        check,
        ODOO_MASTER_PASSWORD="3f9x",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "False"]
