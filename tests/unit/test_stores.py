"""The stores file (STORES_FILE) and the one-store shorthand (WOO_STORE_URL & co.)."""

from pathlib import Path

import pytest

from relay.config import ConfigError
from relay.stores import load_stores, read_stores_file

TWO_STORES = """\
# two brands
[stores.de]
url = "https://shop.example.de/"
webhook_secret_env = "DE_HOOK"
consumer_key_env = "DE_KEY"
consumer_secret_file = "{secret_file}"

[stores.fr]
url = "https://www.shop.example.fr"
webhook_secret = "fr-hook-secret"
previous_webhook_secret_env = "FR_OLD_HOOK"
consumer_key = "ck_fr"
consumer_secret = "cs_fr"
"""


def write(tmp_path: Path, text: str, name: str = "stores.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "de-consumer-secret"
    path.write_text("cs_de\n", encoding="utf-8")
    return path


def test_stores_file_reads_secrets_from_environment_and_files(tmp_path, secret_file):
    path = write(tmp_path, TWO_STORES.format(secret_file=secret_file))
    env = {"STORES_FILE": str(path), "DE_HOOK": "de-hook", "DE_KEY": "ck_de", "FR_OLD_HOOK": "old"}

    stores = load_stores(env)

    assert stores.names == ("de", "fr")
    de, fr = stores
    assert (de.url, de.identity) == ("https://shop.example.de", "shop.example.de")
    assert (de.webhook_secrets, de.consumer_key, de.consumer_secret) == (
        ("de-hook",),
        "ck_de",
        "cs_de",
    )
    assert fr.webhook_secrets == ("fr-hook-secret", "old")
    assert stores.by_identity("https://shop.example.fr/") is fr
    assert stores.store_for("shop.example.de") is de
    assert stores.only is None
    assert stores.select("fr") == [fr] and stores.select(None) == [de, fr]
    config = fr.woo_config({})
    assert (config.store_url, config.consumer_key, config.store) == (
        "https://www.shop.example.fr",
        "ck_fr",
        "shop.example.fr",
    )


def test_yaml_stores_file(tmp_path):
    path = write(
        tmp_path,
        "stores:\n  b2b:\n    url: https://b2b.example.com\n    webhook_secret_env: B2B_HOOK\n",
        "stores.yaml",
    )
    stores = load_stores({"STORES_FILE": str(path), "B2B_HOOK": "s3cret"})
    assert stores.only is not None and stores.only.webhook_secrets == ("s3cret",)


def test_shorthand_is_one_store_named_default():
    stores = load_stores(
        {
            "WOO_STORE_URL": "https://shop.example.com/",
            "WOO_WEBHOOK_SECRET": "hook",
            "WOO_CONSUMER_KEY": "ck",
            "WOO_CONSUMER_SECRET": "cs",
        }
    )
    assert stores.only is not None
    assert (stores.only.name, stores.only.url) == ("default", "https://shop.example.com")
    assert not stores.from_file


def test_unknown_store_and_unknown_key_name_what_exists(tmp_path, secret_file):
    path = write(tmp_path, TWO_STORES.format(secret_file=secret_file))
    stores = load_stores({"STORES_FILE": str(path)})
    with pytest.raises(ConfigError, match=r"no store named 'it' .*the stores are: de, fr"):
        stores.select("it")
    with pytest.raises(ConfigError, match="'shop.example.it' is not in"):
        stores.store_for("https://shop.example.it")
    with pytest.raises(ConfigError, match="store 'fr' has no consumer_key .*not set"):
        shorthand = {"WOO_STORE_URL": "https://x.example", "WOO_STORE_NAME": "fr"}
        load_stores(shorthand).stores[0].woo_config()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[stores.de]\nurl = "https://a.example"\nsecret = "x"\n', r"line 3: .*'secret' is not a"),
        ('[stores.de]\nurl = "http://a.example"\n', r"line 2: .*must be https://"),
        ("[stores.de]\nwebhook_secret = 'x'\n", r"line 1: store 'de' has no url"),
        ('[stores.DE]\nurl = "https://a.example"\n', r"line 1: 'DE' is not a store name"),
        (
            '[stores.de]\nurl = "https://a.example"\n\n[stores.at]\nurl = "https://A.example/"\n',
            r"line 5: store 'at' has the address of store 'de'",
        ),
        (
            '[stores.de]\nurl = "https://a.example"\nwebhook_secret = "x"\nwebhook_secret_env = 1',
            r"line 4: store 'de': give webhook_secret once",
        ),
        (
            '[stores.de]\nurl = "https://a.example"\nwebhook_secret = "change-me"\n',
            r"line 3: .*still the placeholder 'change-me'",
        ),
        ('[stores.de]\nurl = "https://a.example"\nurl = "x"\n', r"not valid TOML \(.*line 3"),
        ("[other]\nx = 1\n", r"no stores; list each as a \[stores.<name>\] table"),
    ],
)
def test_bad_file_is_refused_naming_the_line(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        read_stores_file(path, {})


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "stores:\n  de:\n    url: [unclosed\n", "stores.yml")
    with pytest.raises(ConfigError, match=r"stores.yml, line \d+: not valid YAML"):
        read_stores_file(path, {})


def test_file_and_shorthand_together_are_refused(tmp_path, secret_file):
    path = write(tmp_path, TWO_STORES.format(secret_file=secret_file))
    with pytest.raises(ConfigError, match="STORES_FILE and WOO_STORE_URL are both set"):
        load_stores({"STORES_FILE": str(path), "WOO_STORE_URL": "https://x.example"})


def test_missing_file_is_refused():
    with pytest.raises(ConfigError, match="STORES_FILE /nonexistent.toml: cannot read it"):
        load_stores({"STORES_FILE": "/nonexistent.toml"})


def test_a_secret_is_needed_only_where_it_is_read(tmp_path):
    """The relay runs without the REST key's file mounted; a worker that needs it is told why."""
    path = write(
        tmp_path,
        '[stores.de]\nurl = "https://a.example"\nwebhook_secret_env = "HOOK"\n'
        'consumer_key = "ck"\nconsumer_secret_file = "/nonexistent/cs"\n',
    )
    (store,) = load_stores({"STORES_FILE": str(path), "HOOK": "h"})
    assert store.webhook_secrets == ("h",)
    with pytest.raises(ConfigError, match=r"no consumer_secret \(cannot read /nonexistent/cs"):
        store.woo_config()
    (store,) = load_stores({"STORES_FILE": str(path)})
    with pytest.raises(
        ConfigError, match=r"no webhook_secret \(environment variable HOOK is empty"
    ):
        store.require("webhook_secret")
