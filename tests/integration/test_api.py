"""GET /api/orders/{id}/timeline: authenticated, served from Odoo's timeline data."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from rq import SimpleWorker

from relay.clients.odoo import OdooConfig
from relay.config import ConfigError, Settings
from relay.ingress.api import api_token
from relay.ingress.app import create_app
from relay.pipeline.queueing import enqueue_envelope
from tests.conftest import ONE_STORE
from tests.local_server import LocalServer
from tests.woo import example_envelope

APP_SECRET = "app-secret-for-tests"


@pytest.fixture
async def api_client(aiohttp_client, settings, fake_odoo):
    app_settings = replace(
        settings, app_secret=APP_SECRET, odoo=OdooConfig(fake_odoo.url, fake_odoo.reader_key)
    )
    return await aiohttp_client(create_app(app_settings, ONE_STORE))


def auth(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or api_token(APP_SECRET)}"}


async def test_timeline_of_an_order_from_odoo(api_client, queue, fake_odoo) -> None:
    envelope = example_envelope("woo.order.created")
    enqueue_envelope(queue, envelope, [0, 0, 0])
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    response = await api_client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 200
    timeline = await response.json()
    assert timeline["woo_order_id"] == 4711
    assert timeline["entries"][0]["trace_id"] == envelope["trace_id"]
    assert fake_odoo.timeline_queries == ["store=shop.example.com"], "this store's order 4711"


async def test_without_a_read_only_odoo_key_the_api_says_which_to_set(
    aiohttp_client, settings, fake_odoo
) -> None:
    """The relay never reads timelines with the workers' write-capable ODOO_API_KEY."""
    app_settings = replace(settings, app_secret=APP_SECRET, odoo=OdooConfig(fake_odoo.url, ""))
    client = await aiohttp_client(create_app(app_settings, ONE_STORE))
    response = await client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 503
    assert "ODOO_READ_API_KEY" in (await response.json())["detail"]

    refused = replace(
        app_settings,
        odoo=OdooConfig(fake_odoo.url, "revoked"),
        spool_dir=settings.spool_dir.with_name("second-relay-spool"),  # one relay per spool
    )
    client = await aiohttp_client(create_app(refused, ONE_STORE))
    response = await client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 502
    assert "check ODOO_READ_API_KEY" in (await response.json())["detail"]


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
    client = await aiohttp_client(create_app(settings, ONE_STORE))
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


class MisbehavingOdoo(LocalServer):
    """An Odoo (or a proxy in front of it) answering 200 with HTML, or not answering at all."""

    def __init__(self, stall_seconds: float = 0.0) -> None:
        super().__init__()
        self.stall_seconds = stall_seconds

    def handle(self, handler, method: str) -> None:
        time.sleep(self.stall_seconds)
        body = b"<html><body>Odoo is being upgraded</body></html>"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


@pytest.fixture
async def odd_odoo_client(aiohttp_client, settings):
    odoo = MisbehavingOdoo()
    odoo.start()
    app_settings = replace(
        settings, app_secret=APP_SECRET, odoo=OdooConfig(odoo.url, "key", read_timeout=0.5)
    )
    yield odoo, await aiohttp_client(create_app(app_settings, ONE_STORE))
    odoo.stop()


async def test_odoo_answering_200_with_something_else_than_json_is_502(odd_odoo_client) -> None:
    _, client = odd_odoo_client
    response = await client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 502
    assert "not JSON" in (await response.json())["detail"]


async def test_odoo_timing_out_is_503_saying_what_timed_out(odd_odoo_client) -> None:
    odoo, client = odd_odoo_client
    odoo.stall_seconds = 2
    response = await client.get("/api/orders/4711/timeline", headers=auth())
    assert response.status == 503
    detail = (await response.json())["detail"]
    assert "did not answer in time" in detail and "ODOO_READ_TIMEOUT 0.5 s" in detail


@pytest.mark.parametrize("order_id", ["%C2%B2", "%D9%A3", "12a", "99999999999"])
async def test_only_ascii_digits_make_an_order_id(api_client, fake_odoo, order_id) -> None:
    response = await api_client.get(f"/api/orders/{order_id}/timeline", headers=auth())
    assert response.status == 400
    assert not fake_odoo.timeline_queries


async def test_the_token_is_accepted_only_as_a_bearer_token(api_client) -> None:
    token = api_token(APP_SECRET)
    for header in (token, f"Basic {token}", f"Bearer{token}"):
        response = await api_client.get(
            "/api/orders/4711/timeline", headers={"Authorization": header}
        )
        assert response.status == 401, header
    response = await api_client.get(
        "/api/orders/4711/timeline", headers={"Authorization": f"bearer {token}"}
    )
    assert response.status in (200, 404)


def test_an_odoo_url_with_credentials_is_refused_at_start(monkeypatch) -> None:
    with pytest.raises(ConfigError, match="must not carry a user or password"):
        Settings.from_env(
            {
                "WOO_WEBHOOK_SECRET": "s",
                "WOO_STORE_URL": "https://shop.example.com",
                "ODOO_URL": "https://rq:secret@odoo.example.com",
            }
        )
    monkeypatch.setenv("ODOO_URL", "https://rq:secret@odoo.example.com")
    with pytest.raises(ConfigError) as refused:
        OdooConfig.from_env()
    assert "secret" not in str(refused.value), "the message does not repeat the password"
