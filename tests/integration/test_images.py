"""A product's main image, read by the workers from the store's host and handed to Odoo only
when it is not the one Odoo applied last (a WooCommerce stand-in serves the files over HTTP,
Redis remembers what Odoo has)."""

from __future__ import annotations

import base64
import copy

import pytest

from relay.config import WooConfig
from relay.work.images import remember_applied, with_image
from tests.woo import example_envelope

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


@pytest.fixture
def config(fake_woo):
    return lambda: WooConfig(fake_woo.url, fake_woo.key, fake_woo.secret)


def product_with_image(src: str, modified: str = "2026-02-10T07:45:00") -> dict:
    envelope = copy.deepcopy(example_envelope("woo.product.updated"))
    envelope["data"]["images"] = [{"id": 9, "src": src, "date_modified_gmt": modified}]
    return envelope


def test_an_image_is_read_once_until_it_changes(fake_woo, config, queue) -> None:
    fake_woo.files["/wp-content/uploads/mug.png"] = ("image/png", PNG)
    src = f"{fake_woo.url}/wp-content/uploads/mug.png"
    envelope = with_image(product_with_image(src), config, queue.connection)
    image = envelope["fetched"]["image"]
    assert base64.b64decode(image["content"]) == PNG
    assert (image["src"], image["content_type"]) == (src, "image/png")
    assert image["version"] == f"9:2026-02-10T07:45:00:{src}"

    remember_applied(envelope, config, queue.connection)  # Odoo answered processed
    again = with_image(product_with_image(src), config, queue.connection)
    assert "fetched" not in again, "a stock update downloads nothing"
    assert sum("mug.png" in line for line in fake_woo.requests) == 1

    edited = with_image(product_with_image(src, "2026-03-01T00:00:00"), config, queue.connection)
    assert "image" in edited["fetched"]


def test_an_image_without_a_redis_memory_is_read_every_time(fake_woo, config) -> None:
    fake_woo.files["/wp-content/uploads/mug.png"] = ("image/png", PNG)
    src = f"{fake_woo.url}/wp-content/uploads/mug.png"
    for _ in range(2):
        assert "image" in with_image(product_with_image(src), config, None)["fetched"]


@pytest.mark.parametrize(
    ("path", "file", "why"),
    [
        ("/wp-content/uploads/big.png", ("image/png", PNG * 1000), "larger than 1000 bytes"),
        ("/wp-content/uploads/page.png", ("text/html", b"<html/>"), "not a JPEG, PNG"),
        ("/wp-content/uploads/logo.svg", ("image/svg+xml", b"<svg/>"), "not a JPEG, PNG"),
        ("/wp-content/uploads/moved.png", ("", b"redirect:http://example.org/x.png"), "302"),
        ("/wp-content/uploads/gone.png", None, "HTTP 401"),
    ],
)
def test_what_is_not_taken_is_said(fake_woo, config, queue, monkeypatch, path, file, why) -> None:
    monkeypatch.setenv("WOO_IMAGE_MAX_BYTES", "1000")
    if file:
        fake_woo.files[path] = file
    envelope = with_image(product_with_image(fake_woo.url + path), config, queue.connection)
    assert "image" not in envelope["fetched"]
    assert why in envelope["fetched"]["image_error"]


def test_an_image_on_another_host_is_never_read(fake_woo, config, queue) -> None:
    envelope = with_image(
        product_with_image("http://169.254.169.254/latest/meta-data.png"), config, queue.connection
    )
    assert "not on the store's host" in envelope["fetched"]["image_error"]
    assert not [line for line in fake_woo.requests if "meta-data" in line]
