from datetime import UTC, datetime

import pytest

from relay.pipeline.envelope import (
    IgnoredDelivery,
    InvalidEnvelope,
    build_woo_envelope,
    resource_version,
    validate_envelope,
)
from tests.woo import example_payload

RECEIVED = datetime(2026, 2, 20, 10, 5, 7, tzinfo=UTC)


def build(topic: str, payload: object) -> dict:
    return dict(
        build_woo_envelope(
            topic,
            payload,
            received_at=RECEIVED,
            store_url="https://shop.example.com/",
            webhook_id="3",
            delivery_id="d" * 32,
        )
    )


def test_order_envelope_follows_the_contract() -> None:
    order = example_payload("woo.order.created")
    envelope = build("order.created", order)
    assert envelope["event_type"] == "woo.order.created"
    assert envelope["source"] == "woo"
    assert envelope["occurred_at"] == "2026-02-20T10:00:00Z"
    assert (
        envelope["idempotency_key"]
        == "woo:4711@shop.example.com:order.created:20260220T100000Z-b07baab3cf74c831"
    )
    assert envelope["data"] == order
    assert envelope["meta"] == {
        "topic": "order.created",
        "received_at": "2026-02-20T10:05:07Z",
        "store_url": "https://shop.example.com/",
        "webhook_id": "3",
        "delivery_id": "d" * 32,
    }
    assert envelope["event_id"] != envelope["trace_id"]


def test_same_state_same_key_and_new_state_new_key() -> None:
    order = example_payload("woo.order.created")
    first, second = build("order.updated", order), build("order.updated", order)
    assert first["idempotency_key"] == second["idempotency_key"]
    assert first["event_id"] != second["event_id"]
    changed = dict(order, status="processing", date_modified_gmt="2026-02-20T10:02:11")
    assert build("order.updated", changed)["idempotency_key"] != first["idempotency_key"]


def test_two_states_of_the_same_second_have_distinct_keys() -> None:
    """A REST order created pending and at once PUT to processing: one date_modified_gmt."""
    pending = example_payload("woo.order.created")
    processing = dict(pending, status="processing")
    assert pending["date_modified_gmt"] == processing["date_modified_gmt"]
    keys = {build("order.updated", state)["idempotency_key"] for state in (pending, processing)}
    assert len(keys) == 2
    assert all(
        key.startswith("woo:4711@shop.example.com:order.updated:20260220T100000Z-") for key in keys
    )


def test_the_key_ignores_the_host_the_resource_was_read_through() -> None:
    order = example_payload("woo.order.created")
    elsewhere = dict(order, _links={"self": [{"href": "https://www.shop.example.com/x"}]})
    assert (
        build("order.updated", order)["idempotency_key"]
        == (build("order.updated", elsewhere)["idempotency_key"])
    )


def test_created_and_updated_with_identical_bodies_have_distinct_keys() -> None:
    order = example_payload("woo.order.created")
    assert (
        build("order.created", order)["idempotency_key"]
        != build("order.updated", order)["idempotency_key"]
    )


def test_deleted_payload_is_keyed_by_a_digest_and_dated_when_received() -> None:
    envelope = build("order.deleted", {"id": 4711})
    assert envelope["idempotency_key"].startswith("woo:4711@shop.example.com:order.deleted:sha256-")
    assert envelope["occurred_at"] == "2026-02-20T10:05:07Z"
    assert build("order.deleted", {"id": 4711})["idempotency_key"] == envelope["idempotency_key"]


def test_version_digest_ignores_key_order() -> None:
    assert resource_version({"id": 1, "a": 2}) == resource_version({"a": 2, "id": 1})


def test_product_without_dates_falls_back_to_created_or_received() -> None:
    product = dict(example_payload("woo.product.created"), date_modified_gmt=None)
    envelope = build("product.updated", product)
    assert envelope["occurred_at"] == "2026-01-05T08:00:00Z"
    assert ":sha256-" in envelope["idempotency_key"]


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("action.woocommerce_add_to_cart", {"action": "x", "arg": 1}, "not handled"),
        ("order.published", {"id": 1}, "not handled"),
        ("", {"id": 1}, "no X-WC-Webhook-Topic"),
        ("order.updated", [1, 2], "JSON list"),
        ("order.updated", {"code": "rest_no_route", "message": "No route"}, "rest_no_route"),
        ("order.updated", {"code": "woocommerce_rest_cannot_view"}, "cannot_view"),
    ],
)
def test_unusable_deliveries_are_ignored_with_a_reason(topic, payload, reason) -> None:
    with pytest.raises(IgnoredDelivery, match=reason):
        build(topic, payload)


@pytest.mark.parametrize("resource_id", ["12", 0, True, 1.5e29, 2**31])
def test_an_id_no_resource_of_ours_has_is_invalid(resource_id) -> None:
    with pytest.raises(InvalidEnvelope, match="id"):
        build("order.deleted", {"id": resource_id})


def test_order_missing_required_fields_fails_the_schema_with_a_path() -> None:
    with pytest.raises(InvalidEnvelope, match="line_items"):
        build("order.updated", {"id": 5, "status": "pending", "currency": "EUR", "total": "1.00"})


def test_validate_envelope_names_the_bad_field() -> None:
    envelope = build("order.created", example_payload("woo.order.created"))
    envelope["occurred_at"] = "2026-02-20 10:00:00"
    with pytest.raises(InvalidEnvelope, match="occurred_at"):
        validate_envelope(envelope)


def test_a_captured_body_under_a_delete_topic_deletes_nothing() -> None:
    """The topic header is not signed: only WooCommerce's own delete body is a delete."""
    with pytest.raises(InvalidEnvelope, match="exactly"):
        build("order.deleted", example_payload("woo.order.updated"))
    assert build("order.deleted", {"id": 4711})["event_type"] == "woo.order.deleted"


def test_the_key_names_the_store_so_two_stores_never_share_an_order() -> None:
    order = example_payload("woo.order.created")
    keys = {
        url: build_woo_envelope("order.created", order, received_at=RECEIVED, store_url=url)[
            "idempotency_key"
        ]
        for url in (
            "https://shop.example.com",
            "https://www.shop.example.com/",
            "https://other.example.com",
            "https://127.0.0.1:8443",
        )
    }
    assert keys["https://shop.example.com"] == keys["https://www.shop.example.com/"]
    assert keys["https://shop.example.com"] != keys["https://other.example.com"]
    assert keys["https://127.0.0.1:8443"].startswith("woo:4711@127.0.0.1%3A8443:order.created:")
    for key in keys.values():
        validate_envelope(dict(build("order.created", order), idempotency_key=key))
