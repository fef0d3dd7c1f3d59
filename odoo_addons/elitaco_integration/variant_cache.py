"""Odoo clears every model cache of its registry (access rights, record rules, parameters...) in
every process whenever a variant is created, because two methods of product.template remember
variants. A first sync creates thousands of variants, and each event after one rebuilt those
caches: about a third of a variation's time (docs/performance.md). While the workers create
variants, only the two caches that depend on variants are emptied in this process; the other
processes of Odoo are told to clear theirs, as Odoo tells them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from odoo import api

VARIANT_CACHED = ("_get_variant_id_for_combination", "_get_first_possible_variant_id")


@contextmanager
def variant_caches_cleared_only(env: api.Environment) -> Iterator[None]:
    """Within: `registry.clear_cache()` of this thread (the default caches) empties the
    caches of VARIANT_CACHED here, and leaves the rest to the signal other processes get."""
    registry = env.registry
    if "clear_cache" in vars(registry):  # within a variant's creation already
        yield
        return
    clear_cache = registry.clear_cache
    owner = threading.current_thread()
    templates = env["product.template"]

    def clear_variant_caches(*cache_names: str) -> None:
        if cache_names not in ((), ("default",)) or threading.current_thread() is not owner:
            clear_cache(*cache_names)
            return
        cached = [
            getattr(getattr(type(templates), name), "__cache__", None) for name in VARIANT_CACHED
        ]
        if None in cached:  # overridden without its cache by another module: Odoo's way
            clear_cache()
            return
        for method_cache in cached:
            cache, prefix, _counter = method_cache.lru(templates)
            for key in [key for key in list(cache) if key[: len(prefix)] == prefix]:
                try:
                    del cache[key]
                except KeyError:  # gone meanwhile
                    pass
        registry.cache_invalidated.add("default")  # the other processes clear theirs

    registry.clear_cache = clear_variant_caches
    try:
        yield
    finally:
        vars(registry).pop("clear_cache", None)  # Odoo's own method again
