"""GET /api/orders/{id}/timeline: authenticated, served from Odoo's timeline data."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rq import SimpleWorker

from relay.api import api_token
from relay.app import create_app
from relay.queueing import enqueue_envelope
from tests.woo import example_envelope

APP_SECRET = "app-secret-for-tests"


@pytest.fixture
async def api_client(aiohttp_client, settings, fake_odoo):
    app_settings = replace(
        settings, app_secret=APP_SECRET, odoo_url=fake_odoo.url, odoo_api_key=fake_odoo.api_key
    )
    return await aiohttp_client(create_app(app_settings))


def auth(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or api_token(APP_SECRET)}"}


async def test_timeline_of_an_order_from_odoo(api_client, queue) -> None:
    envelope = example_envelope("woo.order.created")
    enqueue_envelope(queue, envelope, [0, 0, 0])
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    response = await api_client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 200
    timeline = await response.json()
    assert timeline["woo_order_id"] == 4711
    assert timeline["entries"][0]["trace_id"] == envelope["trace_id"]


async def test_unknown_order_is_404(api_client) -> None:
    response = await api_client.get("/api/orders/999/timeline", headers=auth())
    assert response.status == 404
    assert "999" in (await response.json())["detail"]


async def test_without_or_with_a_wrong_token_is_401(api_client) -> None:
    assert (await api_client.get("/api/orders/4711/timeline")).status == 401
    response = await api_client.get("/api/orders/4711/timeline", headers=auth("nope"))
    assert response.status == 401


async def test_odoo_down_is_503_with_the_reason(api_client, fake_odoo) -> None:
    fake_odoo.stop()
    response = await api_client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 503
    assert (await response.json())["error"] == "Odoo unreachable"


async def test_disabled_without_app_secret(aiohttp_client, settings) -> None:
    client = await aiohttp_client(create_app(settings))
    response = await client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 503
    assert "APP_SECRET" in (await response.json())["detail"]


def test_api_token_command(monkeypatch, capsys) -> None:
    from relay.cli import main

    monkeypatch.setenv("APP_SECRET", APP_SECRET)
    assert main(["api-token"]) == 0
    assert capsys.readouterr().out.strip() == api_token(APP_SECRET)
    monkeypatch.setenv("APP_SECRET", "")
    assert main(["api-token"]) == 2
