"""The workers read each refund an order lists from WooCommerce (there is no refund webhook, and
the order's payload names only the refunds' ids and totals) and hand the details to Odoo."""

from __future__ import annotations

import copy
import json

import pytest

from relay.clients.woo import WooClient, WooConfig
from relay.config import ConfigError
from relay.pipeline.envelope import validate_envelope
from relay.work.refunds import with_refund_details
from tests.fake_woo import FakeWoo
from tests.woo import EXAMPLES

REFUNDED = json.loads((EXAMPLES / "woo.order.updated.refunded.json").read_text())


def client_of(fake: FakeWoo):
    return lambda: WooClient(WooConfig(fake.url, fake.key, fake.secret, backoff_factor=0))


def as_delivered() -> dict:
    """The example as the relay enqueues it: without what the workers add."""
    envelope = copy.deepcopy(REFUNDED)
    del envelope["fetched"]
    return envelope


def test_each_refund_the_order_lists_is_read_with_its_lines(fake_woo) -> None:
    stored = {
        refund["id"]: refund | {"_links": {"self": []}} for refund in REFUNDED["fetched"]["refunds"]
    }
    fake_woo.refunds[4711] = list(stored.values())
    envelope = with_refund_details(as_delivered(), client_of(fake_woo))
    assert envelope["fetched"] == REFUNDED["fetched"], "as WooCommerce gave them, without _links"
    validate_envelope(envelope)
    assert sorted(fake_woo.requests) == [
        "GET /wp-json/wc/v3/orders/4711/refunds/4801?",
        "GET /wp-json/wc/v3/orders/4711/refunds/4802?",
    ]


def test_a_refund_that_cannot_be_read_is_named_with_why(fake_woo) -> None:
    fake_woo.refunds[4711] = [REFUNDED["fetched"]["refunds"][0]]  # 4801 deleted since
    envelope = with_refund_details(as_delivered(), client_of(fake_woo))
    assert [refund["id"] for refund in envelope["fetched"]["refunds"]] == [4802]
    assert envelope["fetched"]["refund_errors"] == {}, "gone: Odoo books the listed amount"

    fake_woo.fail_everything = True
    envelope = with_refund_details(as_delivered(), client_of(fake_woo))
    assert envelope["fetched"]["refunds"] == []
    assert set(envelope["fetched"]["refund_errors"]) == {"4801", "4802"}
    assert "500" in envelope["fetched"]["refund_errors"]["4801"]


def test_workers_without_a_rest_key_say_so_for_each_refund() -> None:
    def unconfigured() -> WooClient:
        return WooClient(WooConfig.from_env({}))

    with pytest.raises(ConfigError):
        unconfigured()
    errors = with_refund_details(as_delivered(), unconfigured)["fetched"]["refund_errors"]
    assert set(errors) == {"4801", "4802"}
    assert "WOO_CONSUMER_KEY" in errors["4801"]


def test_orders_without_refunds_and_other_events_are_left_as_they_are(fake_woo) -> None:
    plain = json.loads((EXAMPLES / "woo.order.updated.json").read_text())
    assert with_refund_details(plain, client_of(fake_woo)) is plain
    product = json.loads((EXAMPLES / "woo.product.updated.json").read_text())
    assert with_refund_details(product, client_of(fake_woo)) is product
    assert fake_woo.requests == []
