from pathlib import Path

import pytest

from relay.config import (
    ConfigError,
    OdooConfig,
    Settings,
    WooConfig,
    check_secrets,
    check_worker_environment,
)

# The stores the relay serves, their webhook secrets included, are relay/stores.py's
# (tests/unit/test_stores.py, tests/unit/test_served_stores.py), not Settings'.


def test_reads_the_relay_variables() -> None:
    settings = Settings.from_env(
        {
            "REDIS_URL": "redis://redis:6379/2",
            "RELAY_HOST": "127.0.0.1",
            "RELAY_PORT": "9090",
            "RELAY_MAX_BODY_BYTES": "1024",
            "RELAY_SPOOL_DIR": "/var/spool/relay",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.redis_url == "redis://redis:6379/2"
    assert (settings.host, settings.port) == ("127.0.0.1", 9090)
    assert settings.max_body_bytes == 1024
    assert settings.spool_dir == Path("/var/spool/relay")
    assert settings.log_level == "DEBUG"


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert settings.max_body_bytes == 4 * 1024 * 1024
    assert settings.queue_name == "woo-events"


@pytest.mark.parametrize("value", ["lots", "-1", "0"])
def test_bad_numbers_are_named(value: str) -> None:
    with pytest.raises(ConfigError, match="RELAY_PORT"):
        Settings.from_env({"RELAY_PORT": value})


def test_retry_intervals_and_odoo_settings() -> None:
    settings = Settings.from_env(
        {
            "RELAY_RETRY_INTERVALS": "0,5,30",
            "ODOO_URL": "http://odoo:8069/",
            "ODOO_API_KEY": "the workers' key",
            "ODOO_READ_API_KEY": "k",
            "APP_SECRET": "a",
        }
    )
    assert settings.retry_intervals == (0, 5, 30)
    assert (settings.odoo.url, settings.odoo.api_key, settings.app_secret) == (
        "http://odoo:8069",
        "k",
        "a",
    ), "the relay reads timelines with the read-only key, never the workers'"


@pytest.mark.parametrize("value", ["ten", "5,-1", ","])
def test_bad_retry_intervals_are_named(value: str) -> None:
    with pytest.raises(ConfigError, match="RELAY_RETRY_INTERVALS"):
        Settings.from_env({"RELAY_RETRY_INTERVALS": value})


def test_the_store_is_named_once_however_its_address_is_written() -> None:
    woo = WooConfig.from_env(
        {
            "WOO_STORE_URL": "https://shop.example.com:443",
            "WOO_CONSUMER_KEY": "ck",
            "WOO_CONSUMER_SECRET": "cs",
            "WOO_BACKOFF_FACTOR": "0",
        }
    )
    assert (woo.store, woo.backoff_factor) == ("shop.example.com", 0)


def test_the_clients_settings_are_checked_like_the_relays() -> None:
    with pytest.raises(ConfigError, match="ODOO_READ_TIMEOUT must be a number"):
        OdooConfig.from_env({"ODOO_READ_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="WOO_BACKOFF_FACTOR must be positive"):
        WooConfig.from_env(
            {
                "WOO_STORE_URL": "https://shop.example.com",
                "WOO_CONSUMER_KEY": "ck",
                "WOO_CONSUMER_SECRET": "cs",
                "WOO_BACKOFF_FACTOR": "-1",
            }
        )


@pytest.mark.parametrize("placeholder", ["change-me", " Change-Me ", "changeme", "admin", "odoo"])
@pytest.mark.parametrize("name", ["APP_SECRET", "ODOO_READ_API_KEY"])
def test_the_relay_refuses_a_placeholder_secret_naming_it(name: str, placeholder: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({name: placeholder})
    assert str(refused.value).startswith(f"{name} is still the placeholder ")
    assert "set it in .env" in str(refused.value)


def test_the_refusal_says_how_to_make_a_secret() -> None:
    with pytest.raises(ConfigError) as refused:
        Settings.from_env({"APP_SECRET": "change-me"})
    assert str(refused.value) == (
        "APP_SECRET is still the placeholder 'change-me': set it in .env; "
        "make one with `openssl rand -hex 32`"
    )
    with pytest.raises(ConfigError, match="Preferences › Account Security › New API Key"):
        OdooConfig.from_env({"ODOO_API_KEY": "change-me"})


def test_the_clients_refuse_placeholder_keys() -> None:
    store = {"WOO_STORE_URL": "https://shop.example.com"}
    with pytest.raises(ConfigError, match="WOO_CONSUMER_SECRET is still the placeholder"):
        WooConfig.from_env(store | {"WOO_CONSUMER_KEY": "ck", "WOO_CONSUMER_SECRET": "change-me"})
    with pytest.raises(ConfigError, match="ODOO_API_KEY is still the placeholder"):
        OdooConfig.from_env({"ODOO_API_KEY": "change-me"})
    assert OdooConfig.from_env({"ODOO_API_KEY": "a-real-key"}).api_key == "a-real-key"


def test_a_worker_starts_without_keys_but_not_with_placeholders() -> None:
    """Keys not yet made are no reason to stop a worker (its jobs wait for Odoo to accept one);
    a placeholder is."""
    check_worker_environment({})
    check_worker_environment({"ODOO_API_KEY": "k", "WOO_CONSUMER_KEY": "ck"})
    for name in ("ODOO_API_KEY", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET"):
        with pytest.raises(ConfigError, match=f"{name} is still the placeholder"):
            check_worker_environment({name: "change-me"})
    with pytest.raises(ConfigError, match="ODOO_OUTAGE_BACKOFF_MAX must be a number"):
        check_worker_environment({"ODOO_OUTAGE_BACKOFF_MAX": "long"})


def test_the_stacks_secrets_are_checked_together() -> None:
    check_secrets(["POSTGRES_PASSWORD"], {"POSTGRES_PASSWORD": "0123abcd"})
    with pytest.raises(ConfigError) as refused:
        check_secrets(
            ["POSTGRES_PASSWORD", "ODOO_MASTER_PASSWORD"],
            {"POSTGRES_PASSWORD": "change-me", "ODOO_MASTER_PASSWORD": " "},
        )
    lines = str(refused.value).splitlines()
    assert lines[0].startswith("POSTGRES_PASSWORD is still the placeholder 'change-me': set it")
    assert "openssl rand -hex 32" in lines[0] and "ALTER ROLE odoo PASSWORD" in lines[0]
    assert lines[1] == (
        "ODOO_MASTER_PASSWORD is not set: set it in .env; make one with `openssl rand -hex 32`"
    )
