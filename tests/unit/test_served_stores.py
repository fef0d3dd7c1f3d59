"""The stores the relay serves (relay/ingress/served_stores.py): refused at start without a
webhook secret, and read again on SIGHUP, where a file that cannot be used leaves the running
stores in place."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from relay.config import ConfigError
from relay.ingress.served_stores import compare, load_served_stores, reload_stores
from relay.stores import CurrentStores

TWO = """\
[stores.de]
url = "https://shop.example.de"
webhook_secret_env = "DE_HOOK"

[stores.fr]
url = "https://shop.example.fr"
webhook_secret = "fr-hook"
"""


def stores_file(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "stores.toml"
    path.write_text(text, encoding="utf-8")
    return {"STORES_FILE": str(path), "DE_HOOK": "de-hook"}


def test_a_store_without_a_webhook_secret_refuses_the_start_naming_it(tmp_path) -> None:
    env = stores_file(tmp_path, TWO) | {"DE_HOOK": ""}
    with pytest.raises(ConfigError) as refused:
        load_served_stores(env)
    message = str(refused.value)
    assert message.startswith("store 'de' has no webhook_secret (environment variable DE_HOOK")
    assert "cannot verify the store's deliveries" in message


def test_the_shorthand_needs_its_url_and_secret() -> None:
    with pytest.raises(ConfigError, match="WOO_STORE_URL is not set"):
        load_served_stores({"WOO_WEBHOOK_SECRET": "s"})
    with pytest.raises(ConfigError, match=r"store 'default' has no webhook_secret \(WOO_WEBHOOK_S"):
        load_served_stores({"WOO_STORE_URL": "https://shop.example.com"})
    with pytest.raises(ConfigError, match="WOO_WEBHOOK_SECRET is still the placeholder"):
        load_served_stores(
            {"WOO_STORE_URL": "https://x.example", "WOO_WEBHOOK_SECRET": "change-me"}
        )
    (store,) = load_served_stores(
        {"WOO_STORE_URL": "https://shop.example.com", "WOO_WEBHOOK_SECRET": "s"}
    )
    assert (store.name, store.webhook_secrets) == ("default", ("s",))


def test_compare_names_stores_added_removed_and_the_settings_changed(tmp_path) -> None:
    before = load_served_stores(stores_file(tmp_path, TWO))
    after = load_served_stores(
        stores_file(
            tmp_path,
            TWO.replace('"fr-hook"', '"fr-new"').replace("[stores.de]", "[stores.at]")
            + '\n[stores.it]\nurl = "https://shop.example.it"\nwebhook_secret = "it"\n',
        )
    )
    change = compare(before, after)
    assert change.added == ("at", "it") and change.removed == ("de",)
    assert change.changed == {"fr": ["webhook_secret"]}, "names the setting, never its value"


def test_reload_swaps_the_stores_whole_or_keeps_them(tmp_path, caplog) -> None:
    env = stores_file(tmp_path, TWO)
    current = CurrentStores(load_served_stores(env))
    first = current.stores
    (tmp_path / "stores.toml").write_text(TWO + '\n[stores.it]\nurl = "https://shop.example.it"\n')
    with caplog.at_level(logging.INFO, logger="relay.ingress.served_stores"):
        assert reload_stores(current, env) is False
    assert current.stores is first, "a store without a webhook secret: the running ones stay"
    [refused] = caplog.records
    assert refused.levelno == logging.ERROR
    assert "store 'it' has no webhook_secret" in refused.error

    caplog.clear()
    (tmp_path / "stores.toml").write_text(TWO + '[stores.it]\nurl = "https://x.example"\nurl = 1\n')
    with caplog.at_level(logging.INFO, logger="relay.ingress.served_stores"):
        assert reload_stores(current, env) is False
    assert current.stores is first
    assert "line 10" in caplog.records[0].error, "the message names the line"

    caplog.clear()
    it = '[stores.it]\nurl = "https://shop.example.it"\nwebhook_secret = "it-hook"\n'
    (tmp_path / "stores.toml").write_text(TWO + "\n" + it)
    with caplog.at_level(logging.INFO, logger="relay.ingress.served_stores"):
        assert reload_stores(current, env) is True
    assert current.stores.names == ("de", "fr", "it")
    assert first.names == ("de", "fr"), "a delivery holding the old stores keeps them"
    [reloaded] = caplog.records
    assert (reloaded.getMessage(), reloaded.added, reloaded.removed) == (
        "stores reloaded",
        ["it"],
        [],
    )
