"""REDIS_SENTINELS and its companions, as the processes read them, and the sentence /health
makes of what a sentinel reports."""

import pytest

from relay.config import ConfigError, SentinelConfig, Settings
from relay.redis_connection import describe_primary


def test_without_sentinels_redis_url_is_used() -> None:
    assert SentinelConfig.from_env({"REDIS_URL": "redis://redis:6379/0"}) is None


def test_the_sentinels_and_their_companions_are_read() -> None:
    config = SentinelConfig.from_env(
        {
            "REDIS_SENTINELS": "sentinel-1:26379, sentinel-2:26380,10.0.0.3:26379",
            "REDIS_SENTINEL_MASTER": "shop",
            "REDIS_SENTINEL_PASSWORD": "s3cret-sentinel",
            "REDIS_PASSWORD": "s3cret-redis",
            "REDIS_DB": "0",
        }
    )
    assert config == SentinelConfig(
        sentinels=(("sentinel-1", 26379), ("sentinel-2", 26380), ("10.0.0.3", 26379)),
        master="shop",
        sentinel_password="s3cret-sentinel",
        password="s3cret-redis",
        db=0,
    )


@pytest.mark.parametrize("value", ["sentinel-1", "sentinel-1:port", ":26379", "a:1,,b:2"])
def test_a_sentinel_address_without_a_port_is_refused_with_an_example(value: str) -> None:
    with pytest.raises(ConfigError, match="host:port pairs separated by commas, e.g. sentinel-1"):
        SentinelConfig.from_env({"REDIS_SENTINELS": value})


def test_a_placeholder_redis_password_is_refused() -> None:
    with pytest.raises(ConfigError, match="REDIS_PASSWORD is still the placeholder"):
        SentinelConfig.from_env({"REDIS_SENTINELS": "s:26379", "REDIS_PASSWORD": "change-me"})


def test_the_relay_reads_its_replica_requirement() -> None:
    env = {"WOO_WEBHOOK_SECRET": "s", "WOO_STORE_URL": "https://shop.example.com"}
    assert Settings.from_env(env).redis_min_replicas == 0
    assert Settings.from_env(env | {"RELAY_REDIS_MIN_REPLICAS": "1"}).redis_min_replicas == 1
    with pytest.raises(ConfigError, match="RELAY_REDIS_MIN_REPLICAS must be positive, got -1"):
        Settings.from_env(env | {"RELAY_REDIS_MIN_REPLICAS": "-1"})


@pytest.mark.parametrize(
    ("flags", "sentence"),
    [
        ("master", "Sentinel names 10.0.0.1:6379 as the primary"),
        (
            "master,s_down",
            "Sentinel sees the primary 10.0.0.1:6379 down; a failover follows once a quorum agrees",
        ),
        (
            "master,s_down,o_down,failover_in_progress",
            "Sentinel reports a failover in progress (primary was 10.0.0.1:6379)",
        ),
    ],
)
def test_what_a_sentinel_reports_in_words(flags: str, sentence: str) -> None:
    assert describe_primary({"ip": "10.0.0.1", "port": 6379, "flags": flags}) == sentence
