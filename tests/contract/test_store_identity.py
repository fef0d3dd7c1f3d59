"""The relay names the store in idempotency keys and the outbox claim; the module names it in
bindings, orders and outbox rows. The two rules must give the same name for every address."""

import importlib.util
import sys
from pathlib import Path

import pytest

from relay.config import store_identity

MODULE_ENVELOPE = (
    Path(__file__).resolve().parents[2] / "odoo_addons" / "elitaco_integration" / "envelope.py"
)


def module_store_key():
    # envelope.py is plain Python (no odoo import): loaded by path, as the module loads it.
    spec = importlib.util.spec_from_file_location("module_envelope", MODULE_ENVELOPE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.store_key


@pytest.mark.parametrize(
    ("address", "identity"),
    [
        ("https://shop.example.com", "shop.example.com"),
        ("https://www.Shop.example.com/", "shop.example.com"),
        ("http://shop.example.com:80/", "shop.example.com"),
        ("https://shop.example.com:443", "shop.example.com"),
        ("shop.example.com", "shop.example.com"),
        ("https://example.com/shop/", "example.com/shop"),
        ("https://www.example.com/Shop", "example.com/shop"),
        ("https://127.0.0.1:8443", "127.0.0.1:8443"),
        (" https://shop.example.com/ ", "shop.example.com"),
        ("https://wwwshop.example.com", "wwwshop.example.com"),
    ],
)
def test_the_relay_and_the_module_name_a_store_alike(address: str, identity: str) -> None:
    assert store_identity(address) == identity
    assert module_store_key()(address) == identity
