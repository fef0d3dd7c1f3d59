"""Settings read from the environment (the names documented in .env.example): the relay's
(`Settings`), and the Odoo and WooCommerce clients' (`OdooConfig`, `WooConfig`), read by the
same validating helpers."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
EVENTS_QUEUE = "woo-events"  # RELAY_QUEUE overrides it


class ConfigError(Exception):
    """The environment does not describe a relay that can run."""


# What .env.example holds until the operator chooses a secret, and the defaults the PostgreSQL
# and Odoo images fall back on: a secret still one of these is refused where it is read.
PLACEHOLDERS = frozenset({"change-me", "changeme", "admin", "odoo"})
MAKE_ONE = "make one with `openssl rand -hex 32`"
ODOO_KEY = "in Odoo, as {user}: Preferences › Account Security › New API Key"
WOO_KEY = "in WooCommerce: Settings › Advanced › REST API › Add key (read/write)"
# How an operator makes each secret, for the message that refuses a placeholder.
HOW_TO_MAKE = {
    "WOO_WEBHOOK_SECRET": f"{MAKE_ONE}, and give the WooCommerce webhooks the same one "
    "(python -m relay register-webhooks --update-secret)",
    "WOO_WEBHOOK_PREVIOUS_SECRET": "it holds the secret being rotated out, or nothing",
    "APP_SECRET": MAKE_ONE,
    "ODOO_API_KEY": ODOO_KEY.format(user="the Integration User"),
    "ODOO_READ_API_KEY": ODOO_KEY.format(user="the Timeline Reader user"),
    "WOO_CONSUMER_KEY": WOO_KEY,
    "WOO_CONSUMER_SECRET": WOO_KEY,
    "POSTGRES_PASSWORD": f"{MAKE_ONE}; PostgreSQL keeps the one it was created with, so an "
    "existing database needs ALTER ROLE odoo PASSWORD '…' as well",
    "ODOO_MASTER_PASSWORD": MAKE_ONE,
}


def is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDERS


def secret(env: Mapping[str, str], name: str) -> str:
    """A secret from the environment ('' when unset), refused while it is a placeholder."""
    value = env.get(name, "")
    if is_placeholder(value):
        raise ConfigError(
            f"{name} is still the placeholder {value.strip()!r}: set it in .env; "
            f"{HOW_TO_MAKE.get(name, MAKE_ONE)}"
        )
    return value


def check_secrets(names: list[str], environ: Mapping[str, str] | None = None) -> None:
    """Each of `names` set and no placeholder; every one that is not, named at once."""
    env = os.environ if environ is None else environ
    problems = []
    for name in names:
        try:
            value = secret(env, name)
        except ConfigError as exc:
            problems.append(str(exc))
            continue
        if not value.strip():
            problems.append(f"{name} is not set: set it in .env; {HOW_TO_MAKE.get(name, MAKE_ONE)}")
    if problems:
        raise ConfigError("\n".join(problems))


@lru_cache(maxsize=64)  # on every delivery: the configured address and the header's
def store_identity(url: str) -> str:
    """One name per store however its address is written, used in idempotency keys and
    bindings: 'https://www.Shop.example.com:443/shop/' -> 'shop.example.com/shop'.
    The module's store_key() (odoo_addons/elitaco_integration/envelope.py) is the same rule."""
    parts = urlsplit(url.strip() if "//" in url else f"//{url.strip()}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return host + parts.path.rstrip("/").lower()


@dataclass(frozen=True)
class OdooConfig:
    """Where the workers (or the relay, with its read-only key) call the module's routes."""

    url: str
    api_key: str
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, key_variable: str = "ODOO_API_KEY"
    ) -> OdooConfig:
        env = os.environ if environ is None else environ
        return cls(
            url=odoo_url_from(env),
            api_key=secret(env, key_variable),
            connect_timeout=_float(env, "ODOO_CONNECT_TIMEOUT", cls.connect_timeout),
            read_timeout=_float(env, "ODOO_READ_TIMEOUT", cls.read_timeout),
        )


@dataclass(frozen=True)
class WooConfig:
    """The store the workers call over REST; its address is also the store's identity."""

    store_url: str
    consumer_key: str
    consumer_secret: str
    backoff_factor: float = 1.0
    ca_bundle: str | None = None  # a self-signed store's certificate (WOO_CA_BUNDLE)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WooConfig:
        env = os.environ if environ is None else environ
        config = cls(
            store_url=env.get("WOO_STORE_URL", "").rstrip("/"),
            consumer_key=secret(env, "WOO_CONSUMER_KEY"),
            consumer_secret=secret(env, "WOO_CONSUMER_SECRET"),
            backoff_factor=_float(env, "WOO_BACKOFF_FACTOR", cls.backoff_factor, zero=True),
            ca_bundle=env.get("WOO_CA_BUNDLE") or None,
        )
        config.check()
        return config

    @property
    def store(self) -> str:
        return store_identity(self.store_url)

    def check(self) -> None:
        if not (self.store_url and self.consumer_key and self.consumer_secret):
            raise ConfigError(
                "set WOO_STORE_URL, WOO_CONSUMER_KEY and WOO_CONSUMER_SECRET "
                "(WooCommerce > Settings > Advanced > REST API)"
            )
        parts = urlsplit(self.store_url)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise ConfigError(
                f"WOO_STORE_URL must be https:// ({self.store_url}): the consumer "
                "secret travels as HTTP Basic auth, and WooCommerce accepts it "
                "only over HTTPS"
            )


@dataclass(frozen=True)
class ImportWindow:
    """How many jobs an import lets the events queue hold before it pauses (then at most a
    page and its variations more), and the seconds before it looks again."""

    size: int = 2000
    pause_seconds: int = 5

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImportWindow:
        env = os.environ if environ is None else environ
        return cls(
            size=_int(env, "IMPORT_QUEUE_WINDOW", cls.size),
            pause_seconds=_int(env, "IMPORT_PAUSE_SECONDS", cls.pause_seconds),
        )


@dataclass(frozen=True)
class SentinelConfig:
    """Redis Sentinel instead of REDIS_URL: the sentinels name the primary, and clients follow a
    failover by asking them again (REDIS_SENTINELS, REDIS_SENTINEL_MASTER, ...)."""

    sentinels: tuple[tuple[str, int], ...]
    master: str = "mymaster"
    sentinel_password: str = ""
    password: str = ""  # the primary's (and its replicas') requirepass
    db: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SentinelConfig | None:
        """None unless REDIS_SENTINELS is set."""
        env = os.environ if environ is None else environ
        raw = env.get("REDIS_SENTINELS", "").strip()
        master = env.get("REDIS_SENTINEL_MASTER", "").strip() or cls.master
        sentinel_password = secret(env, "REDIS_SENTINEL_PASSWORD")
        password = secret(env, "REDIS_PASSWORD")
        db = _int(env, "REDIS_DB", cls.db, zero=True)
        if not raw:
            return None
        sentinels = tuple(_host_port(part.strip(), raw) for part in raw.split(","))
        return cls(sentinels, master, sentinel_password, password, db)


def _host_port(part: str, whole: str) -> tuple[str, int]:
    host, _, port = part.rpartition(":")
    if not host or not port.isdecimal():
        raise ConfigError(
            f"REDIS_SENTINELS must be host:port pairs separated by commas, e.g. "
            f"sentinel-1:26379,sentinel-2:26379,sentinel-3:26379; got {whole!r}"
        )
    return host, int(port)


@dataclass(frozen=True)
class Settings:
    """The relay process's (`python -m relay serve`); the stores it serves, with their webhook
    secrets, are relay/stores.py's (STORES_FILE, or WOO_STORE_URL & co. for one)."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "0.0.0.0"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_timeout: float = 30.0  # seconds a delivery may take to send its body
    spool_dir: Path = Path("spool")
    spool_drain_interval: float = 1.0
    queue_name: str = EVENTS_QUEUE
    redis_timeout: float = 1.0
    log_level: str = "INFO"
    retry_intervals: tuple[int, ...] = (10, 60, 300)
    backlog_warn_seconds: float = 300.0  # /health is degraded past it
    processes: int = 1  # `serve --processes`: relay processes sharing the port
    process_slot: int | None = None  # which of them this is (its spool: process-N)
    app_secret: str = ""
    # The timeline API reads Odoo with a key that can only read (ODOO_READ_API_KEY), never
    # with the workers' ODOO_API_KEY.
    odoo: OdooConfig = field(default_factory=lambda: OdooConfig("http://127.0.0.1:8069", ""))
    redis_sentinel: SentinelConfig | None = None  # set: redis_url is not used
    # A delivery is answered 200 once this many replicas have its job too (Redis WAIT).
    redis_min_replicas: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            redis_url=env.get("REDIS_URL", cls.redis_url),
            host=env.get("RELAY_HOST", cls.host),
            port=_int(env, "RELAY_PORT", cls.port),
            max_body_bytes=_int(env, "RELAY_MAX_BODY_BYTES", cls.max_body_bytes),
            body_timeout=_float(env, "RELAY_BODY_TIMEOUT", cls.body_timeout),
            spool_dir=Path(env.get("RELAY_SPOOL_DIR", str(cls.spool_dir))),
            spool_drain_interval=_float(
                env, "RELAY_SPOOL_DRAIN_INTERVAL", cls.spool_drain_interval
            ),
            queue_name=env.get("RELAY_QUEUE", cls.queue_name),
            redis_timeout=_float(env, "RELAY_REDIS_TIMEOUT", cls.redis_timeout),
            log_level=env.get("LOG_LEVEL", cls.log_level).upper(),
            retry_intervals=_intervals(env, "RELAY_RETRY_INTERVALS", cls.retry_intervals),
            backlog_warn_seconds=_float(env, "BACKLOG_WARN_SECONDS", cls.backlog_warn_seconds),
            processes=_int(env, "RELAY_PROCESSES", cls.processes),
            app_secret=secret(env, "APP_SECRET"),
            odoo=OdooConfig.from_env(env, key_variable="ODOO_READ_API_KEY"),
            redis_sentinel=SentinelConfig.from_env(env),
            redis_min_replicas=_int(env, "RELAY_REDIS_MIN_REPLICAS", 0, zero=True),
        )


def odoo_url_from(env: Mapping[str, str]) -> str:
    """ODOO_URL, refused with a reason when it carries a user and password: the workers and
    the relay authenticate with API keys, and credentials in a URL end up in logs."""
    url = env.get("ODOO_URL", "http://127.0.0.1:8069").rstrip("/")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ConfigError(
            f"ODOO_URL must not carry a user or password ({parts.scheme}://…@{parts.hostname}): "
            "give the address alone and the Integration User's API key as ODOO_API_KEY"
        )
    return url


def check_worker_environment(environ: Mapping[str, str] | None = None) -> None:
    """What a worker's jobs read, checked when it starts: a placeholder secret or a bad number
    stops it there, naming the variable. A key not set yet is no reason to stop: jobs wait
    until Odoo accepts ODOO_API_KEY, and those that need WooCommerce's REST key say so."""
    env = os.environ if environ is None else environ
    OdooConfig.from_env(env)
    secret(env, "WOO_CONSUMER_KEY")
    secret(env, "WOO_CONSUMER_SECRET")
    _float(env, "WOO_BACKOFF_FACTOR", WooConfig.backoff_factor, zero=True)
    _float(env, "ODOO_OUTAGE_BACKOFF_MAX", 30.0)
    ImportWindow.from_env(env)


def events_queue_name() -> str:
    """The RQ queue of the events (RELAY_QUEUE), for the commands and jobs beside the relay."""
    return os.environ.get("RELAY_QUEUE") or Settings.queue_name


def redis_url_from_env() -> str:
    """For commands that need Redis but not the webhook secret (worker, spool)."""
    return os.environ.get("REDIS_URL", Settings.redis_url)


def _int(env: Mapping[str, str], name: str, default: int, *, zero: bool = False) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < 0 or (value == 0 and not zero):
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, *, zero: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or (value == 0 and not zero):
        raise ConfigError(f"{name} must be positive, got {value:g}")
    return value


def _intervals(env: Mapping[str, str], name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    raw = env.get(name)
    if not raw:
        return default
    try:
        values = tuple(int(part) for part in raw.split(","))
    except ValueError:
        raise ConfigError(f"{name} must be seconds separated by commas, got {raw!r}") from None
    if not values or any(value < 0 for value in values):
        raise ConfigError(f"{name} needs one or more non-negative numbers, got {raw!r}")
    return values


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
