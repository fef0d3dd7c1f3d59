""".env.example is what an operator fills in: every name in it does something, every name the
relay reads is in it, and compose hands each one the relay reads to its containers."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_NAMES = set(
    re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
)
CODE = "\n".join(path.read_text() for path in sorted((ROOT / "relay").rglob("*.py")))
COMPOSE = "\n".join(
    (ROOT / name).read_text() for name in ("docker-compose.yml", "docker-compose.prod.yml")
)
READ_BY_CODE = set(re.findall(r"\"([A-Z][A-Z0-9_]{2,})\"", CODE)) & (
    set(re.findall(r"(?:env|environ)(?:\.get)?[(\[]\"([A-Z][A-Z0-9_]+)\"", CODE))
    | set(re.findall(r"_(?:int|float|intervals)\(\s*env, \"([A-Z][A-Z0-9_]+)\"", CODE))
    | set(re.findall(r"key_variable=\"([A-Z][A-Z0-9_]+)\"", CODE))
    | {"ODOO_API_KEY"}  # OdooConfig.from_env's default key_variable
)
INTERPOLATED = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE))
SET_IN_COMPOSE = set(re.findall(r"^\s+([A-Z][A-Z0-9_]*): ", COMPOSE, re.MULTILINE))
# In compose the relay listens on 8080, published on PUBLISH_ADDRESS.
OUTSIDE_COMPOSE_ONLY = {"RELAY_HOST", "RELAY_PORT"}


def test_every_name_in_the_example_is_read_by_the_relay_or_compose() -> None:
    assert EXAMPLE_NAMES - READ_BY_CODE - INTERPOLATED == set()


def test_every_name_the_relay_reads_is_in_the_example() -> None:
    assert READ_BY_CODE - EXAMPLE_NAMES == set()


def test_compose_passes_what_the_relay_reads_to_its_containers() -> None:
    assert READ_BY_CODE - SET_IN_COMPOSE - OUTSIDE_COMPOSE_ONLY == set()
