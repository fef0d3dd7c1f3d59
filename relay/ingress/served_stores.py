"""The stores the relay serves: loaded at start, where a store it cannot verify refuses the start,
and read again from STORES_FILE on SIGHUP. A reload swaps CurrentStores.stores whole, so a
delivery under way finishes with the Store it looked up; a file that cannot be used is refused,
naming its line, and the stores loaded before stay."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields

from relay.config import ConfigError
from relay.stores import CurrentStores, Store, Stores, load_stores

logger = logging.getLogger(__name__)

# What a reload's log line names of a store that changed: the settings, never their values.
COMPARED = tuple(field.name for field in fields(Store) if field.compare and field.name != "name")


def load_served_stores(environ: Mapping[str, str] | None = None) -> Stores:
    """The stores of STORES_FILE (or WOO_STORE_URL & co.), each with a webhook secret."""
    stores = load_stores(environ)
    for store in stores:
        if not store.identity:  # only the shorthand can lack it: the file refuses a store without
            raise ConfigError(
                "WOO_STORE_URL is not set: the relay names the store of every event after it "
                "(the shop's address, e.g. https://shop.example.com), never after the unsigned "
                "X-WC-Webhook-Source header; or list the stores in STORES_FILE"
            )
        try:
            store.require("webhook_secret")
        except ConfigError as exc:
            raise ConfigError(
                f"{exc}: the relay cannot verify the store's deliveries without it (the "
                "webhook's Secret in WooCommerce > Settings > Advanced > Webhooks)"
            ) from None
    return stores


@dataclass(frozen=True)
class StoresChange:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: dict[str, list[str]]  # a store's name: the settings that differ

    def log_fields(self) -> dict[str, object]:
        return {"added": list(self.added), "removed": list(self.removed), "changed": self.changed}


def compare(old: Stores, new: Stores) -> StoresChange:
    changed = {}
    for store in new:
        before = old.get(store.name)
        if before is not None and before != store:
            changed[store.name] = [
                name for name in COMPARED if getattr(before, name) != getattr(store, name)
            ]
    return StoresChange(
        added=tuple(name for name in new.names if old.get(name) is None),
        removed=tuple(name for name in old.names if new.get(name) is None),
        changed=changed,
    )


def reload_stores(current: CurrentStores, environ: Mapping[str, str] | None = None) -> bool:
    """Read the stores again; on success serve them from now on, else keep the running ones."""
    try:
        stores = load_served_stores(environ)
    except ConfigError as exc:
        logger.error(
            "stores not reloaded: the file was refused; the stores loaded before are served",
            extra={"error": str(exc), "stores": list(current.stores.names)},
        )
        return False
    change = compare(current.stores, stores)
    current.stores = stores
    logger.info(
        "stores reloaded",
        extra={"source": stores.source, "stores": list(stores.names)} | change.log_fields(),
    )
    return True
