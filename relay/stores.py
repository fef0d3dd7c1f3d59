"""The stores one relay and one worker pool serve: the stores file (STORES_FILE, TOML or YAML),
or WOO_STORE_URL & co. as the shorthand for one store.

    [stores.de]
    url = "https://shop.example.de"
    webhook_secret_env = "WOO_DE_WEBHOOK_SECRET"      # or webhook_secret_file = "/run/secrets/…"
    consumer_key_env = "WOO_DE_CONSUMER_KEY"
    consumer_secret_file = "/run/secrets/woo-de-consumer-secret"

Each secret (webhook_secret, previous_webhook_secret, consumer_key, consumer_secret) is given as
`<name>_env` (an environment variable's name) or `<name>_file` (a file's path, e.g. a Docker or
Kubernetes secret), so no secret has to live in the file; `<name> = "…"` works too. A file that
cannot be used is refused with a message naming its line."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from relay.config import (
    ConfigError,
    WooConfig,
    _float,
    _is_loopback,
    is_placeholder,
    secret,
    store_identity,
)

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
SECRETS = ("webhook_secret", "previous_webhook_secret", "consumer_key", "consumer_secret")
KEYS = frozenset(
    {"url", "ca_bundle"}
    | set(SECRETS)
    | {f"{name}_env" for name in SECRETS}
    | {f"{name}_file" for name in SECRETS}
)
# The store's name when WOO_STORE_URL describes the only one (WOO_STORE_NAME overrides it).
SHORTHAND_NAME = "default"


@dataclass(frozen=True)
class Store:
    """One WooCommerce store: where it is, how its deliveries are verified, its REST key."""

    name: str
    url: str
    webhook_secret: str = ""
    previous_webhook_secret: str = ""
    consumer_key: str = ""
    consumer_secret: str = ""
    ca_bundle: str | None = None
    # Why a secret is empty, by setting ("not given", "environment variable X is not set", "cannot
    # read /run/secrets/x"): a process reads only the secrets it needs, so the relay runs
    # without the REST key's files and the workers without the webhook secret's.
    missing: Mapping[str, str] = field(default_factory=dict, compare=False)

    def require(self, *keys: str) -> None:
        """ConfigError naming the store and each of `keys` it lacks, and why."""
        lacking = [
            f"{key} ({self.missing.get(key, 'not given')})"
            for key in keys
            if not getattr(self, key)
        ]
        if lacking:
            raise ConfigError(f"store {self.name!r} has no {' and no '.join(lacking)}")

    @property
    def identity(self) -> str:
        """The store in idempotency keys, bindings and Odoo (integration.store.key)."""
        return store_identity(self.url)

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The secrets a delivery of this store may be signed with, the current one first."""
        return tuple(s for s in (self.webhook_secret, self.previous_webhook_secret) if s)

    def woo_config(self, environ: Mapping[str, str] | None = None) -> WooConfig:
        """The REST client's configuration; refused, naming the store, without a REST key."""
        env = os.environ if environ is None else environ
        try:
            self.require("consumer_key", "consumer_secret")
        except ConfigError as exc:
            raise ConfigError(
                f"{exc}: its REST key is made in WooCommerce > Settings > Advanced > REST API > "
                "Add key (read/write)"
            ) from None
        return WooConfig(
            store_url=self.url,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            backoff_factor=_float(env, "WOO_BACKOFF_FACTOR", WooConfig.backoff_factor, zero=True),
            ca_bundle=self.ca_bundle,
        )


@dataclass(frozen=True)
class Stores:
    """The configured stores, in the order the file lists them."""

    stores: tuple[Store, ...]
    source: str  # where they came from, for logs: the file's path or "WOO_STORE_URL"
    from_file: bool = False

    def __iter__(self) -> Iterator[Store]:
        return iter(self.stores)

    def __len__(self) -> int:
        return len(self.stores)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(store.name for store in self.stores)

    def get(self, name: str) -> Store | None:
        return next((store for store in self.stores if store.name == name), None)

    def by_identity(self, url_or_identity: str) -> Store | None:
        """The store of an envelope's store_url or an outbox row's store key."""
        identity = store_identity(url_or_identity)
        return next((store for store in self.stores if store.identity == identity), None)

    @property
    def only(self) -> Store | None:
        """The store, when there is exactly one (POST /webhook/woo serves it)."""
        return self.stores[0] if len(self.stores) == 1 else None

    def select(self, name: str | None) -> list[Store]:
        """`--store NAME`, or every store without one."""
        if name is None:
            return list(self.stores)
        store = self.get(name)
        if store is None:
            raise ConfigError(
                f"no store named {name!r} in {self.source}; the stores are: {', '.join(self.names)}"
            )
        return [store]

    def store_for(self, url_or_identity: str) -> Store:
        """The store an event or outbox row belongs to; refused when it is not configured."""
        store = self.by_identity(url_or_identity)
        if store is None:
            raise ConfigError(
                f"the store {store_identity(url_or_identity) or url_or_identity!r} is not in "
                f"{self.source}: add it (with its REST key) so the workers can reach it"
            )
        return store


def load_stores(environ: Mapping[str, str] | None = None) -> Stores:
    """The stores of STORES_FILE, else the one store of WOO_STORE_URL & co."""
    env = os.environ if environ is None else environ
    path = env.get("STORES_FILE", "").strip()
    if path:
        if env.get("WOO_STORE_URL", "").strip():
            raise ConfigError(
                "STORES_FILE and WOO_STORE_URL are both set: the stores file lists every store, "
                "so unset WOO_STORE_URL (and WOO_WEBHOOK_SECRET, WOO_CONSUMER_KEY, ...) or "
                "STORES_FILE"
            )
        return read_stores_file(Path(path), env)
    return Stores((_shorthand_store(env),), source="WOO_STORE_URL")


def _shorthand_store(env: Mapping[str, str]) -> Store:
    name = env.get("WOO_STORE_NAME", "").strip() or SHORTHAND_NAME
    if not NAME_PATTERN.fullmatch(name):
        raise ConfigError(f"WOO_STORE_NAME {name!r} {_NAME_RULE}")
    variables = {
        "webhook_secret": "WOO_WEBHOOK_SECRET",
        "previous_webhook_secret": "WOO_WEBHOOK_PREVIOUS_SECRET",
        "consumer_key": "WOO_CONSUMER_KEY",
        "consumer_secret": "WOO_CONSUMER_SECRET",
    }
    secrets = {key: secret(env, variable) for key, variable in variables.items()}
    return Store(
        name=name,
        url=env.get("WOO_STORE_URL", "").strip().rstrip("/"),
        ca_bundle=env.get("WOO_CA_BUNDLE") or None,
        missing={
            key: f"{variables[key]} is not set" for key, value in secrets.items() if not value
        },
        **secrets,
    )


_NAME_RULE = (
    "is not a store name: use 1-32 lowercase letters, digits, '-' or '_', starting with a letter "
    "or digit (it is part of the webhook's URL, /webhook/woo/<name>)"
)


def read_stores_file(path: Path, environ: Mapping[str, str] | None = None) -> Stores:
    """Parse and check a stores file; ConfigError names the file, the line and what to change."""
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"STORES_FILE {path}: cannot read it ({exc.strerror})") from None
    document = _parse(path, text)
    where = _Locator(path, text)
    tables = document.get("stores") if isinstance(document, dict) else None
    if not isinstance(tables, dict) or not tables:
        raise ConfigError(
            f"{path}: no stores; list each as a [stores.<name>] table with its url and secrets "
            "(see docs/several-stores.md)"
        )
    stores = []
    for name, table in tables.items():
        stores.append(_store(str(name), table, where, env))
    seen: dict[str, str] = {}
    for store in stores:
        if store.identity in seen:
            raise where.error(
                store.name,
                "url",
                f"store {store.name!r} has the address of store {seen[store.identity]!r} "
                f"({store.identity}): each store is listed once",
            )
        seen[store.identity] = store.name
    return Stores(tuple(stores), source=str(path), from_file=True)


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f", line {mark.line + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ConfigError(f"{path}{line}: not valid YAML ({problem})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _store(name: str, table: Any, where: _Locator, env: Mapping[str, str]) -> Store:
    if not NAME_PATTERN.fullmatch(name):
        raise where.error(name, None, f"{name!r} {_NAME_RULE}")
    if not isinstance(table, dict):
        raise where.error(name, None, f"store {name!r} must be a table of settings (url, ...)")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise where.error(
            name,
            unknown[0],
            f"store {name!r}: {unknown[0]!r} is not a setting; the settings are url, ca_bundle, "
            "and for each of webhook_secret, previous_webhook_secret, consumer_key and "
            "consumer_secret one of <name>, <name>_env or <name>_file",
        )
    url = str(table.get("url") or "").strip().rstrip("/")
    if not store_identity(url):
        raise where.error(name, "url", f"store {name!r} has no url (e.g. https://shop.example.com)")
    parts = urlsplit(url)
    if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise where.error(
            name,
            "url",
            f"store {name!r}: url must be https:// ({url}): the REST key travels as HTTP Basic "
            "auth, and WooCommerce accepts it only over HTTPS",
        )
    secrets: dict[str, str] = {}
    missing: dict[str, str] = {}
    for key in SECRETS:
        secrets[key], why = _secret(name, key, table, where, env)
        if why:
            missing[key] = why
    ca_bundle = str(table.get("ca_bundle") or "").strip() or None
    return Store(name=name, url=url, ca_bundle=ca_bundle, missing=missing, **secrets)


def _secret(
    name: str, key: str, table: dict, where: _Locator, env: Mapping[str, str]
) -> tuple[str, str]:
    """The secret's value, and why it is empty when it is."""
    given = [form for form in (key, f"{key}_env", f"{key}_file") if form in table]
    if len(given) > 1:
        raise where.error(
            name, given[1], f"store {name!r}: give {key} once, not as {' and '.join(given)}"
        )
    if not given:
        return "", f"not given: set {key}_env or {key}_file in {where.path}"
    form = given[0]
    raw = str(table[form]).strip()
    if form.endswith("_env"):
        value = env.get(raw, "")
        origin = f"environment variable {raw}"
    elif form.endswith("_file"):
        try:
            value = Path(raw).read_text(encoding="utf-8")
        except OSError as exc:
            return "", f"cannot read {raw}: {exc.strerror}"
        origin = f"file {raw}"
    else:
        value, origin = raw, key
    value = value.strip()
    if is_placeholder(value):
        raise where.error(
            name,
            form,
            f"store {name!r}: {key} ({origin}) is still the placeholder {value!r}; "
            "make one with `openssl rand -hex 32` (webhook secrets) or in WooCommerce (REST keys)",
        )
    return value, "" if value else f"{origin} is empty"


class _Locator:
    """Finds the line of a store's table or setting, for messages that name it."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def error(self, store: str, key: str | None, message: str) -> ConfigError:
        line = self.line_of(store, key)
        return ConfigError(f"{self.path}{f', line {line}' if line else ''}: {message}")

    def line_of(self, store: str, key: str | None) -> int | None:
        quoted = re.escape(store)
        header = re.compile(
            rf"^\s*(\[\s*stores\s*\.\s*(\"{quoted}\"|'{quoted}'|{quoted})\s*\]|{quoted}\s*:)"
        )
        start = next((n for n, line in enumerate(self.lines) if header.match(line)), None)
        if start is None:
            return None
        if key is None:
            return start + 1
        setting = re.compile(rf"^\s*{re.escape(key)}\s*[=:]")
        for n in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[n]):
                break
            if setting.match(self.lines[n]):
                return n + 1
        return start + 1


class CurrentStores:
    """The stores a running relay serves. SIGHUP replaces `stores` whole, so a delivery that
    began under the old configuration finishes with the Store it looked up."""

    def __init__(self, stores: Stores):
        self.stores = stores
