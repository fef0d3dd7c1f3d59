"""The workers' client of the Odoo module's JSON-RPC routes (`/elitaco/v1/...`)."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import requests

from relay.config import OdooConfig

logger = logging.getLogger(__name__)
T = TypeVar("T")
UNAVAILABLE_HTTP_STATUSES = {502, 503, 504}
# Odoo answers JSON-RPC errors with HTTP 200; these names mean the request never got to run.
REFUSED_ERRORS = ("werkzeug.exceptions.Unauthorized", "odoo.exceptions.AccessDenied")


class OdooUnavailable(Exception):
    """Odoo did not process the call (down, timing out, a proxy's error page, the module not
    answering at its routes): try again later. Not the event's fault: it uses up no retry."""


class OdooRefused(Exception):
    """Odoo refused the workers' API key (wrong, revoked or expired) or their user's rights:
    events wait until a person fixes it, and /health says so at once."""


class OdooError(Exception):
    """Odoo answered with an error that is not about the event (a bug or misconfiguration)."""


class OdooClient:
    def __init__(self, config: OdooConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {config.api_key}"

    def process_event(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return self._call("/elitaco/v1/events", {"envelope": envelope})

    def process_events(self, envelopes: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Several envelopes in one request: each one's answer, in their order, or None for
        one Odoo left to be sent alone."""
        return self._call("/elitaco/v1/events/batch", {"envelopes": envelopes})["answers"]

    def mark_dead(self, event_id: str, error: str) -> dict[str, Any]:
        return self._call("/elitaco/v1/events/dead", {"event_id": event_id, "error": error})

    def event_states(self, event_ids: list[str]) -> dict[str, dict[str, Any] | None]:
        """Each event id (or idempotency key) with its ledger row in Odoo: {"event_id",
        "idempotency_key", "state", "settled"}, None when Odoo does not know it. At most
        1000 a call."""
        return self._call("/elitaco/v1/events/states", {"event_ids": event_ids})["states"]

    def claim_outbox(
        self, worker: str, limit: int, lease_seconds: int, store: str
    ) -> list[dict[str, Any]]:
        """Rows of `store` only (store_identity of WOO_STORE_URL): another store's rows are
        another pipeline's."""
        params = {"worker": worker, "limit": limit, "lease_seconds": lease_seconds, "store": store}
        return self._call("/elitaco/v1/outbox/claim", params)["events"]

    def ack_outbox(
        self, event_id: str, ok: bool, response: str | None, error: str | None, worker: str
    ) -> None:
        """Only the worker holding the row's lease is heard (a late one changes nothing)."""
        self._call(
            "/elitaco/v1/outbox/ack",
            {
                "event_id": event_id,
                "ok": ok,
                "response": response,
                "error": error,
                "worker": worker,
            },
        )

    def begin_import(self, import_id: int) -> dict[str, Any]:
        """What Odoo's import asks to read, from where; {"status": "not_running"} when none."""
        return self._call("/elitaco/v1/imports/begin", {"import_id": import_id})

    def import_progress(
        self,
        import_id: int,
        resource: str,
        events: list[dict[str, Any]],
        read_up_to: str | None,
        done: bool = False,
    ) -> dict[str, Any]:
        """A page read: its events (key, type, WooCommerce id), the newest modification read."""
        params = {
            "import_id": import_id,
            "resource": resource,
            "events": events,
            "read_up_to": read_up_to,
            "done": done,
        }
        return self._call("/elitaco/v1/imports/progress", params)

    def import_failed(self, import_id: int, error: str, final: bool) -> dict[str, Any]:
        params = {"import_id": import_id, "error": error, "final": final}
        return self._call("/elitaco/v1/imports/failed", params)

    def begin_preview(
        self, store_url: str, resources: list[str], since: str | None
    ) -> dict[str, Any]:
        """A preview of an import for the command line: {"preview_id", "steps": [...]}."""
        params = {"store_url": store_url, "resources": resources, "since": since}
        return self._call("/elitaco/v1/imports/preview/begin", params)

    def preview_page(
        self, preview_id: int, resource: str, records: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """One page of the store: Odoo says what an import would make of each record."""
        params = {"preview_id": preview_id, "resource": resource, "records": records}
        return self._call("/elitaco/v1/imports/preview/page", params)

    def preview_done(self, preview_id: int, error: str | None = None) -> dict[str, Any]:
        """Everything read (its summary back), or the reading given up with `error`."""
        params = {"preview_id": preview_id, "error": error}
        return self._call("/elitaco/v1/imports/preview/done", params)

    def access(self) -> dict[str, Any]:
        """{"user": login, "api_key_expires_at": "YYYY-MM-DDTHH:MM:SSZ" or None}"""
        return self._call("/elitaco/v1/access", {})

    def report_tax_rounding(self, store_url: str, round_at_subtotal: bool) -> dict[str, Any]:
        """{"agree": bool, "message": str, "store_rounding", "odoo_rounding": Odoo's methods}"""
        params = {"store": store_url, "round_at_subtotal": round_at_subtotal}
        return self._call("/elitaco/v1/stores/tax-rounding", params)

    def report_alerts(
        self, store_url: str, alerts: list[dict[str, Any]], reconciled_at: str | None = None
    ) -> dict[str, Any]:
        """The workers' checks, each {"kind", "ok", "message", "count"}: Odoo raises (or
        clears) one alert per store and kind, with a To-Do for the Integration Managers."""
        params: dict[str, Any] = {"store": store_url, "alerts": alerts}
        if reconciled_at:
            params["reconciled_at"] = reconciled_at
        return self._call("/elitaco/v1/alerts", params)

    def order_timeline(self, woo_order_id: int) -> dict[str, Any] | None:
        response = self._send("GET", f"/elitaco/v1/orders/{woo_order_id}/timeline")
        if response.status_code == 404:
            return None
        if response.status_code == 401:
            raise OdooRefused("Odoo refused the API key (ODOO_API_KEY)")
        response.raise_for_status()
        return response.json()

    def _call(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": str(uuid.uuid4())}
        response = self._send("POST", path, json=body)
        if response.status_code == 404:
            raise OdooUnavailable(
                f"Odoo answered 404 on {path}: is elitaco_integration installed, and does "
                f"{self.config.url} serve its database (dbfilter)?"
            )
        if response.status_code != 200:
            raise OdooError(f"Odoo answered HTTP {response.status_code} on {path}")
        try:
            answer = response.json()
        except ValueError:
            raise OdooUnavailable(
                f"Odoo answered {path} with something else than JSON-RPC "
                f"({response.headers.get('Content-Type', 'no content type')}): a proxy's page?"
            ) from None
        if "error" in answer:
            error = answer["error"]
            name = (error.get("data") or {}).get("name", "")
            message = (error.get("data") or {}).get("message") or error.get("message")
            if name in REFUSED_ERRORS:
                raise OdooRefused(
                    f"Odoo refused the worker ({name}: {message}); check "
                    "ODOO_API_KEY and the user's Integration User group"
                )
            raise OdooError(f"Odoo error on {path}: {name}: {message}")
        return answer["result"]

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method,
                self.config.url + path,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                **kwargs,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OdooUnavailable(f"Odoo unreachable at {self.config.url}: {exc}") from exc
        if response.status_code in UNAVAILABLE_HTTP_STATUSES:
            raise OdooUnavailable(f"Odoo answered HTTP {response.status_code} on {path}")
        return response


@cache
def default_client() -> OdooClient:
    """One pooled HTTP session per worker process."""
    return OdooClient(OdooConfig.from_env())


def until_odoo_answers(
    call: Callable[[], T],
    fields: dict[str, Any],
    on_refused: Callable[[OdooRefused], None] | None = None,
    on_answer_after_refusal: Callable[[], None] | None = None,
) -> T:
    """Call Odoo until it answers: an outage, or a refused key, waits (backing off) instead of
    using up retries. `on_refused` runs when Odoo refuses the key, `on_answer_after_refusal`
    once it answers again (they keep /health's report of the workers' access current)."""
    delay = 0.5
    longest = float(os.environ.get("ODOO_OUTAGE_BACKOFF_MAX", "30"))
    waited_since = None
    refused = False
    while True:
        try:
            result = call()
        except (OdooUnavailable, OdooRefused) as exc:
            if waited_since is None:
                waited_since = time.monotonic()
                logger.warning("Odoo unavailable, waiting", extra=fields | {"error": str(exc)})
            if isinstance(exc, OdooRefused) and not refused and on_refused is not None:
                on_refused(exc)
            refused = refused or isinstance(exc, OdooRefused)
            time.sleep(delay)
            delay = min(delay * 2, longest)
            continue
        if waited_since is not None:
            logger.info(
                "Odoo answers again",
                extra=fields | {"waited_seconds": round(time.monotonic() - waited_since, 1)},
            )
        if refused and on_answer_after_refusal is not None:
            on_answer_after_refusal()
        return result
