"""The CLI refuses placeholder secrets the way it refuses any bad setting: a message naming the
variable and saying how to make one, exit status 2, no traceback."""

from __future__ import annotations

import pytest

from relay.cli import main

PLACEHOLDER_REFUSED = "is still the placeholder 'change-me': set it in .env; "


@pytest.fixture(autouse=True)
def relay_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WOO_WEBHOOK_SECRET", "a-secret-of-our-own")
    monkeypatch.setenv("WOO_STORE_URL", "https://shop.example.com")
    # Nothing below may reach a service: the commands stop at their settings.
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("WOO_CONSUMER_KEY", "ck_of_our_own")
    monkeypatch.setenv("WOO_CONSUMER_SECRET", "cs_of_our_own")
    for name in ("APP_SECRET", "ODOO_API_KEY", "ODOO_READ_API_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["serve"], "WOO_WEBHOOK_SECRET"),
        (["serve"], "APP_SECRET"),
        (["serve"], "ODOO_READ_API_KEY"),
        (["worker"], "ODOO_API_KEY"),
        (["worker"], "WOO_CONSUMER_SECRET"),
        (["reconcile"], "WOO_CONSUMER_KEY"),
        (["api-token"], "APP_SECRET"),
    ],
)
def test_a_command_refuses_a_placeholder_secret(
    command: list[str], name: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv(name, "change-me")
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {name} {PLACEHOLDER_REFUSED}"), err


def test_check_secrets_names_every_one_missing_or_placeholder(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("POSTGRES_PASSWORD", "change-me")
    monkeypatch.setenv("ODOO_MASTER_PASSWORD", "")
    assert main(["check-secrets", "POSTGRES_PASSWORD", "ODOO_MASTER_PASSWORD"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"error: POSTGRES_PASSWORD {PLACEHOLDER_REFUSED}")
    assert lines[1].startswith("error: ODOO_MASTER_PASSWORD is not set: set it in .env; ")
    assert all("openssl rand -hex 32" in line for line in lines)

    monkeypatch.setenv("POSTGRES_PASSWORD", "5f0c1d9e")
    monkeypatch.setenv("ODOO_MASTER_PASSWORD", "9a8b7c6d")
    assert main(["check-secrets", "POSTGRES_PASSWORD", "ODOO_MASTER_PASSWORD"]) == 0


def test_check_secrets_reads_the_stores_file_and_names_a_bad_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys
) -> None:
    for name in ("WOO_STORE_URL", "WOO_WEBHOOK_SECRET", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    stores = tmp_path / "stores.toml"
    stores.write_text(
        '[stores.de]\nurl = "https://shop.example.de"\nsecret = "x"\n', encoding="utf-8"
    )
    monkeypatch.setenv("STORES_FILE", str(stores))
    assert main(["check-secrets"]) == 2
    assert f"error: {stores}, line 3: store 'de': 'secret' is not a setting" in (
        capsys.readouterr().err
    )

    stores.write_text(
        '[stores.de]\nurl = "https://shop.example.de"\nwebhook_secret = "de-hook"\n'
        '[stores.fr]\nurl = "https://shop.example.fr"\nwebhook_secret = "fr-hook"\n'
        'consumer_key = "ck_fr"\nconsumer_secret = "cs_fr"\n',
        encoding="utf-8",
    )
    assert main(["check-secrets"]) == 0
    out = capsys.readouterr().out
    assert f"{stores}: 2 store(s): de, fr" in out
    assert "store de: no consumer_key" in out and "store fr: no" not in out


def test_an_unknown_store_is_refused_with_the_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys
) -> None:
    for name in ("WOO_STORE_URL", "WOO_WEBHOOK_SECRET", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"):
        monkeypatch.delenv(name, raising=False)
    stores = tmp_path / "stores.toml"
    stores.write_text(
        '[stores.de]\nurl = "https://shop.example.de"\n[stores.fr]\nurl = "https://shop.example.fr"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("STORES_FILE", str(stores))
    for command in (
        ["reconcile", "--store", "uk"],
        ["import", "all", "--store", "uk"],
        ["register-webhooks", "--url", "https://relay.example.com/webhook/woo", "--store", "uk"],
        ["tax-rounding", "--store", "uk"],
    ):
        assert main(command) == 2, command
        assert "no store named 'uk'" in (err := capsys.readouterr().err), command
        assert "the stores are: de, fr" in err


def test_the_healthcheck_is_unhealthy_while_redis_does_not_answer(capsys) -> None:
    assert main(["healthcheck", "worker"]) == 1
    assert capsys.readouterr().err.startswith("unhealthy: Redis does not answer: ")
