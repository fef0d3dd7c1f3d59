"""Settings read from the environment (the names documented in .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


class ConfigError(Exception):
    """The environment does not describe a relay that can run."""


@dataclass(frozen=True)
class Settings:
    webhook_secret: str
    previous_webhook_secret: str = ""
    redis_url: str = "redis://127.0.0.1:6379/0"
    host: str = "0.0.0.0"
    port: int = 8080
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    body_timeout: float = 30.0  # seconds a delivery may take to send its body
    spool_dir: Path = Path("spool")
    spool_drain_interval: float = 1.0
    queue_name: str = "woo-events"
    redis_timeout: float = 1.0
    log_level: str = "INFO"
    retry_intervals: tuple[int, ...] = (10, 60, 300)
    app_secret: str = ""
    odoo_url: str = "http://127.0.0.1:8069"
    odoo_api_key: str = ""
    odoo_connect_timeout: float = 5.0
    odoo_read_timeout: float = 60.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        secret = env.get("WOO_WEBHOOK_SECRET", "")
        if not secret:
            raise ConfigError(
                "WOO_WEBHOOK_SECRET is not set: the relay cannot verify WooCommerce "
                "deliveries without the webhook secret (WooCommerce > Settings > "
                "Advanced > Webhooks > Secret)."
            )
        return cls(
            webhook_secret=secret,
            previous_webhook_secret=env.get("WOO_WEBHOOK_PREVIOUS_SECRET", ""),
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
            app_secret=env.get("APP_SECRET", ""),
            odoo_url=odoo_url_from(env),
            odoo_api_key=env.get("ODOO_API_KEY", ""),
            odoo_connect_timeout=_float(env, "ODOO_CONNECT_TIMEOUT", cls.odoo_connect_timeout),
            odoo_read_timeout=_float(env, "ODOO_READ_TIMEOUT", cls.odoo_read_timeout),
        )


def odoo_url_from(env: os._Environ[str] | dict[str, str]) -> str:
    """ODOO_URL, refused with a reason when it carries a user and password: the workers and
    the relay authenticate with ODOO_API_KEY, and credentials in a URL end up in logs."""
    url = env.get("ODOO_URL", Settings.odoo_url).rstrip("/")
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ConfigError(
            f"ODOO_URL must not carry a user or password ({parts.scheme}://…@{parts.hostname}): "
            "give the address alone and the Integration User's API key as ODOO_API_KEY"
        )
    return url


def events_queue_name() -> str:
    """The RQ queue of the events (RELAY_QUEUE), for the commands and jobs beside the relay."""
    return os.environ.get("RELAY_QUEUE") or Settings.queue_name


def redis_url_from_env() -> str:
    """For commands that need Redis but not the webhook secret (worker, spool)."""
    return os.environ.get("REDIS_URL", Settings.redis_url)


def _int(env: os._Environ[str] | dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _float(env: os._Environ[str] | dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _intervals(
    env: os._Environ[str] | dict[str, str], name: str, default: tuple[int, ...]
) -> tuple[int, ...]:
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
