"""A small HTTP server that speaks the Odoo module's JSON-RPC contract, for worker tests where
Odoo 18 is not installed. It validates envelopes against docs/schemas (the module does the
same), keeps a ledger by idempotency key, and can be told to fail, reject, stall or go away."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from jsonschema import Draft7Validator

from relay.pipeline.envelope import SCHEMA_PATH
from tests.local_server import LocalServer

VALIDATOR = Draft7Validator(json.loads(SCHEMA_PATH.read_text()))
TIMELINE_PATH = re.compile(r"^/elitaco/v1/orders/(\d+)/timeline$")


@dataclass(eq=False)
class FakeOdoo(LocalServer):
    api_key: str = "odoo-test-key"  # the workers' (Integration User)
    reader_key: str = "odoo-reader-key"  # the relay's (Timeline Reader): the timeline only
    timeline_queries: list[str] = field(default_factory=list)
    api_key_expires_at: str | None = None  # what /elitaco/v1/access says; None: never
    ledger: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    dead: dict[str, str] = field(default_factory=dict)
    failing_types: set[str] = field(default_factory=set)
    rejecting_types: set[str] = field(default_factory=set)
    reread_types: set[str] = field(default_factory=set)  # answered as a same-second tie
    answer_503: bool = False
    answer_404: bool = False  # the module not installed, or the wrong database
    answer_html: bool = False  # a proxy's or a login page, with 200
    stall_seconds: float = 0.0
    outbox: list[dict[str, Any]] = field(default_factory=list)  # rows: envelope, state, acks
    imports: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> what begin answers
    import_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    state_queries: list[list[str]] = field(default_factory=list)  # /events/states, per call
    batches: list[list[str]] = field(default_factory=list)  # /events/batch: event ids, per call
    left_alone: set[str] = field(default_factory=set)  # keys a batch answers None (send alone)
    batch_fails: bool = False  # /events/batch answers an error (a request that died)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def processed_keys(self) -> list[str]:
        with self.lock:
            return [key for key, row in self.ledger.items() if row["state"] == "done"]

    # ------------------------------------------------------------------ the contract

    def _authorized(self, handler: BaseHTTPRequestHandler) -> bool:
        return handler.headers.get("Authorization") == f"Bearer {self.api_key}"

    def __post_init__(self) -> None:
        LocalServer.__init__(self)

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        self._post(handler) if method == "POST" else self._get(handler)

    def _post(self, handler: BaseHTTPRequestHandler) -> None:
        if self.answer_503:
            return self._send(handler, 503, {"error": "maintenance"})
        if self.answer_404 or self.answer_html:
            body = b"<html><body>Not here</body></html>"
            handler.send_response(404 if self.answer_404 else 200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return None
        body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        if not self._authorized(handler):
            return self._send(
                handler,
                200,
                {
                    "jsonrpc": "2.0",
                    "id": body.get("id"),
                    "error": {
                        "code": 200,
                        "message": "Odoo Server Error",
                        "data": {
                            "name": "werkzeug.exceptions.Unauthorized",
                            "message": "Invalid apikey",
                        },
                    },
                },
            )
        params = body["params"]
        if handler.path == "/elitaco/v1/events":
            result = self._process(params.get("envelope"))
        elif handler.path == "/elitaco/v1/events/batch":
            envelopes = params["envelopes"]
            with self.lock:
                self.batches.append([envelope["event_id"] for envelope in envelopes])
            if self.batch_fails:
                return self._send(handler, 500, {"error": "the batch's request died"})
            answers = [
                None if envelope["idempotency_key"] in self.left_alone else self._process(envelope)
                for envelope in envelopes
            ]
            result = {"answers": answers}
        elif handler.path == "/elitaco/v1/outbox/claim":
            result = {"events": self._claim(params["worker"], params["limit"], params["store"])}
        elif handler.path == "/elitaco/v1/outbox/ack":
            with self.lock:
                row = next(
                    r for r in self.outbox if r["envelope"]["event_id"] == params["event_id"]
                )
                row["acks"].append(params)
                row["state"] = "done" if params["ok"] else "pending"
            result = {"status": row["state"], "event_id": params["event_id"]}
        elif handler.path == "/elitaco/v1/access":
            result = {"user": "rq-worker", "api_key_expires_at": self.api_key_expires_at}
        elif handler.path == "/elitaco/v1/events/states":
            with self.lock:
                self.state_queries.append(list(params["event_ids"]))
                result = {"states": {ref: self._state_of(ref) for ref in params["event_ids"]}}
        elif handler.path == "/elitaco/v1/events/dead":
            with self.lock:
                self.dead[params["event_id"]] = params.get("error") or ""
            result = {"status": "dead", "event_id": params["event_id"]}
        elif handler.path.startswith("/elitaco/v1/imports/"):
            route = handler.path.rsplit("/", 1)[1]
            with self.lock:
                self.import_calls.append((route, params))
            plan = self.imports.get(params["import_id"])
            if route == "begin":
                result = plan or {"status": "not_running", "state": None}
            elif route == "progress" and plan:
                self._step_read(plan, params)
                result = {"status": "running"}
            else:
                result = {"status": "failed" if params.get("final") else "running"}
        else:
            return self._send(handler, 404, {"error": "not found"})
        if self.stall_seconds:
            time.sleep(self.stall_seconds)
        self._send(handler, 200, {"jsonrpc": "2.0", "id": body.get("id"), "result": result})

    @staticmethod
    def _step_read(plan: dict[str, Any], params: dict[str, Any]) -> None:
        """As the module keeps a step: reading or done, read up to the newest it was told
        (a copy: a test's steps stay as it wrote them)."""
        read_up_to = (params["read_up_to"] or "").removesuffix("Z") or None

        def updated(step: dict[str, Any]) -> dict[str, Any]:
            if step["resource"] != params["resource"]:
                return step
            newest = max(filter(None, [step.get("read_up_to"), read_up_to]), default=None)
            return step | {"state": "done" if params["done"] else "reading", "read_up_to": newest}

        plan["steps"] = [updated(step) for step in plan["steps"]]

    def settle(self, idempotency_key: str, state: str = "done") -> None:
        """What a manager's Replay in Odoo (Integration › Dead letters) leaves in the ledger."""
        with self.lock:
            self.ledger[idempotency_key]["state"] = state

    def _state_of(self, reference: str) -> dict[str, Any] | None:
        """The ledger row of an event id or idempotency key, as the module answers it."""
        for key, row in self.ledger.items():
            event_id = row["envelope"]["event_id"]
            if reference in (key, event_id):
                state = row["state"]
                if state == "failed" and event_id in self.dead:
                    state = "dead"
                return {
                    "event_id": event_id,
                    "idempotency_key": key,
                    "state": state,
                    "settled": state in ("done", "ignored"),
                }
        return None

    def add_outbox(self, envelope: dict[str, Any], store: str) -> None:
        assert not list(VALIDATOR.iter_errors(envelope)), "outbox envelopes follow the contract"
        self.outbox.append(
            {
                "envelope": envelope,
                "store": store,
                "state": "pending",
                "leased_by": None,
                "acks": [],
            }
        )

    def _claim(self, worker: str, limit: int, store: str) -> list[dict[str, Any]]:
        with self.lock:
            pending = [row for row in self.outbox if row["state"] == "pending"]
            rows = [row for row in pending if row["store"] == store][:limit]
            for row in rows:
                row.update(state="leased", leased_by=worker)
            return [row["envelope"] for row in rows]

    def _process(self, envelope: Any) -> dict[str, Any]:
        errors = sorted(VALIDATOR.iter_errors(envelope), key=str)
        if errors:
            return {
                "status": "failed",
                "event_id": None,
                "record": None,
                "error": {
                    "code": "invalid_envelope",
                    "message": errors[0].message,
                    "retryable": False,
                },
            }
        key, event_type = envelope["idempotency_key"], envelope["event_type"]
        with self.lock:
            self.calls.append(envelope)
            row = self.ledger.setdefault(
                key, {"state": "received", "attempts": 0, "envelope": envelope}
            )
            if row["state"] == "done":
                return {
                    "status": "duplicate",
                    "event_id": row["envelope"]["event_id"],
                    "record": row.get("record"),
                    "error": None,
                }
            row["attempts"] += 1
            if event_type in self.rejecting_types or event_type in self.failing_types:
                row["state"] = "failed"
                retryable = event_type not in self.rejecting_types
                return {
                    "status": "failed",
                    "event_id": envelope["event_id"],
                    "record": None,
                    "error": {
                        "code": "processing_error" if retryable else "rejected",
                        "message": f"cannot apply {event_type}",
                        "retryable": retryable,
                    },
                }
            if event_type.startswith("woo.coupon."):
                row["state"] = "ignored"
                return {
                    "status": "ignored",
                    "event_id": envelope["event_id"],
                    "record": None,
                    "error": None,
                }
            row["state"] = "done"
            row["record"] = {"model": "sale.order", "id": len(self.ledger), "name": "S0001"}
            return {
                "status": "processed",
                "event_id": envelope["event_id"],
                "record": row["record"],
                "error": None,
                "reread": event_type in self.reread_types,
            }

    def _get(self, handler: BaseHTTPRequestHandler) -> None:
        path, _, query = handler.path.partition("?")
        match = TIMELINE_PATH.match(path)
        if not match:
            return self._send(handler, 404, {"error": "not found"})
        if handler.headers.get("Authorization") not in (
            f"Bearer {self.api_key}",
            f"Bearer {self.reader_key}",
        ):
            return self._send(handler, 401, {"error": "unauthorized"})
        self.timeline_queries.append(query)
        woo_id = int(match.group(1))
        with self.lock:
            rows = [
                row
                for row in self.ledger.values()
                if row["envelope"]["event_type"].startswith("woo.order.")
                and row["envelope"]["data"]["id"] == woo_id
            ]
        if not rows:
            return self._send(handler, 404, {"error": "unknown_order"})
        entries = [
            {
                "kind": "processed" if row["state"] == "done" else row["state"],
                "event_id": row["envelope"]["event_id"],
                "trace_id": row["envelope"]["trace_id"],
            }
            for row in reversed(rows)
        ]
        self._send(
            handler, 200, {"woo_order_id": woo_id, "order": {"name": "S0001"}, "entries": entries}
        )

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
