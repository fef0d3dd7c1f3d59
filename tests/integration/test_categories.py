"""The workers read a product's categories with their parents (a product's payload names only
each category's id, name and slug) and hand them to Odoo; Redis keeps them an hour."""

from __future__ import annotations

from redis import Redis

from relay.clients.woo import WooClient, WooConfig
from relay.config import ConfigError
from relay.pipeline.envelope import validate_envelope
from relay.work.categories import with_categories
from tests.fake_woo import FakeWoo
from tests.woo import example_envelope

TREE = {
    15: {"id": 15, "name": "Accessories", "parent": 9, "slug": "accessories", "_links": {}},
    9: {"id": 9, "name": "Clothing", "parent": 0, "slug": "clothing", "_links": {}},
}


def client_of(fake: FakeWoo):
    return lambda: WooClient(WooConfig(fake.url, fake.key, fake.secret, backoff_factor=0))


def category_reads(fake: FakeWoo) -> list[str]:
    return [line for line in fake.requests if "/products/categories/" in line]


def test_a_category_comes_with_its_ancestors_and_is_read_once_an_hour(
    fake_woo: FakeWoo, redis_url: str
) -> None:
    fake_woo.categories = TREE
    cache = Redis.from_url(redis_url)
    envelope = with_categories(example_envelope("woo.product.created"), client_of(fake_woo), cache)
    assert envelope["fetched"]["categories"] == [
        {"id": 15, "name": "Accessories", "parent": 9},
        {"id": 9, "name": "Clothing", "parent": 0},
    ]
    validate_envelope(envelope)
    again = with_categories(example_envelope("woo.product.created"), client_of(fake_woo), cache)
    assert again["fetched"] == envelope["fetched"]
    assert len(category_reads(fake_woo)) == 2, "the second product's are Redis's"


def test_unreadable_categories_leave_the_event_as_it_was(fake_woo: FakeWoo) -> None:
    """Odoo then files the product under the category's name alone."""
    delivered = example_envelope("woo.product.created")
    assert with_categories(delivered, client_of(fake_woo), None) == delivered  # 404

    def no_key():
        raise ConfigError("set WOO_CONSUMER_KEY")

    assert with_categories(delivered, no_key, None) == delivered
    order = example_envelope("woo.order.created")
    assert with_categories(order, client_of(fake_woo), None) == order
    assert category_reads(fake_woo) == ["GET /wp-json/wc/v3/products/categories/15?"]
