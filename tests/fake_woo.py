"""A small WooCommerce REST API (/wp-json/wc/v3) for reconciliation and webhook tests: orders
filtered by modified_after and modified_before (GMT) ordered by modification or id, paged with
X-WP-Total and X-WP-TotalPages, webhooks, HTTP Basic auth, and 429/5xx answers on demand."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from relay.config import store_identity
from tests.local_server import LocalServer

PREFIX = "/wp-json/wc/v3"


@dataclass(eq=False)
class FakeWoo(LocalServer):
    key: str = "ck_test"
    secret: str = "cs_test"
    orders: list[dict[str, Any]] = field(default_factory=list)
    categories: dict[int, dict[str, Any]] = field(default_factory=dict)  # GET by id
    products: list[dict[str, Any]] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    throttle_next: int = 0  # answer 429 to this many requests
    fail_orders_from: int = 0  # 500 to every order list request from this one on (1: the first)
    order_requests: int = 0
    after_order_request: Any = None  # called after each answered order list (modify meanwhile)
    requests: list[str] = field(default_factory=list)
    stock: dict[int, int] = field(default_factory=dict)  # product or variation id -> quantity
    unknown_products: set[int] = field(default_factory=set)
    order_status: dict[int, str] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    customer_notes: set[str] = field(default_factory=set)  # the notes e-mailed to customers
    order_meta: dict[int, dict[str, Any]] = field(default_factory=dict)  # order id -> meta
    lose_note_answers: int = 0  # keep this many notes, then answer 502 as if the answer got lost
    batch_sizes: list[int] = field(default_factory=list)
    fail_everything: bool = False
    refunds: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # order id -> refunds
    variations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # parent -> them
    # wp-content/uploads: path -> (content type, body), served to anyone; a body of
    # "redirect:<url>" answers 302 there.
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    lose_refund_answers: int = (
        0  # make this many refunds, then answer 502 as if the answer got lost
    )

    def __post_init__(self) -> None:
        LocalServer.__init__(self)

    @property
    def store(self) -> str:
        """The store identity the relay derives from this store's address."""
        return store_identity(self.url)

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        self.requests.append(f"{method} {url.path}?{url.query}")
        if url.path in self.files:
            return self._file(handler, *self.files[url.path])
        expected = "Basic " + base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        if handler.headers.get("Authorization") != expected:
            return self._send(
                handler,
                401,
                {
                    "code": "woocommerce_rest_authentication_error",
                    "message": "Consumer secret is invalid.",
                },
            )
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return self._send(handler, 429, {"code": "too_many_requests"}, {"Retry-After": "0"})
        if self.fail_everything:
            return self._send(handler, 500, {"code": "internal_server_error"})
        path = url.path.removeprefix(PREFIX)
        body = None
        if method in ("POST", "PUT"):
            body = json.loads(handler.rfile.read(int(handler.headers["Content-Length"])))
        if path == "/orders" and method == "GET":
            return self._orders(handler, query)
        if path == "/products" and method == "GET" and "sku" in query:
            variations = [v for vs in self.variations.values() for v in vs]
            found = [p for p in self.products + variations if p.get("sku") == query["sku"]]
            return self._send(handler, 200, found)
        if path == "/products" and method == "POST":
            product = dict(body, id=90_000 + len(self.products))
            self.products.append(product)
            return self._send(handler, 201, product)
        if re.fullmatch(r"/products/\d+", path) and method == "PUT":
            product = next(p for p in self.products if p["id"] == int(path.split("/")[2]))
            product.update(body)
            return self._send(handler, 200, product)
        if path.endswith("/variations/batch") and method == "POST":
            return self._variation_batch(handler, int(path.split("/")[2]), body)
        if path == "/products" and method == "GET":
            return self._page(handler, self._modified_after(self.products, query), query)
        if path == "/products/batch" and method == "POST":
            return self._product_batch(handler, body)
        if path == "/products/categories" and method == "POST":
            return self._create_category(handler, body)
        if path.startswith("/products/categories/") and method == "PUT":
            category = self.categories.get(int(path.rsplit("/", 1)[1]))
            if category is None:
                error = {
                    "code": "woocommerce_rest_term_invalid",
                    "message": "Resource does not exist.",
                }
                return self._send(handler, 404, error)
            if body.get("parent") and body["parent"] not in self.categories:
                error = {"code": "missing_parent", "message": "Parent term does not exist."}
                return self._send(handler, 400, error)
            category.update({key: body[key] for key in ("name", "parent") if key in body})
            return self._send(handler, 200, category)
        if path.startswith("/products/categories/") and method == "GET":
            category = self.categories.get(int(path.rsplit("/", 1)[1]))
            if category is None:
                return self._send(handler, 404, {"code": "woocommerce_rest_term_invalid"})
            return self._send(handler, 200, category)
        if path.startswith("/products/") and path.endswith("/variations") and method == "GET":
            parent = int(path.split("/")[2])
            return self._page(handler, self.variations.get(parent, []), query)
        if path == "/customers" and method == "GET":
            assert query.get("orderby") == "id", "customers have no modified_after filter"
            return self._page(handler, sorted(self.customers, key=lambda c: c["id"]), query)
        if path == "/webhooks" and method == "GET":
            return self._page(handler, self.webhooks, query)
        if path == "/webhooks" and method == "POST":
            hook = dict(body, id=len(self.webhooks) + 1)
            self.webhooks.append(hook)
            return self._send(handler, 201, hook)
        if path.startswith("/webhooks/") and method == "PUT":
            hook = next(h for h in self.webhooks if h["id"] == int(path.rsplit("/", 1)[1]))
            hook.update(body)
            return self._send(handler, 200, hook)
        if path.endswith("/batch") and method in ("POST", "PUT"):
            return self._batch(handler, body)
        if path.startswith("/orders/") and path.endswith("/notes") and method == "POST":
            order_id = int(path.split("/")[2])
            self.notes.setdefault(order_id, []).append(body["note"])
            if body.get("customer_note"):
                self.customer_notes.add(body["note"])
            if self.lose_note_answers > 0:
                self.lose_note_answers -= 1
                return self._send(handler, 502, {"code": "bad_gateway"})
            return self._send(handler, 201, {"id": len(self.notes[order_id]), "note": body["note"]})
        if path.startswith("/orders/") and path.endswith("/notes") and method == "GET":
            notes = self.notes.get(int(path.split("/")[2]), [])
            # WooCommerce keeps notes through wp_kses_post: an ampersand comes back as &amp;
            listed = [
                {"id": n + 1, "note": note.replace("&", "&amp;")} for n, note in enumerate(notes)
            ]
            return self._send(handler, 200, listed[::-1])
        if path.startswith("/orders/") and "/refunds" in path:
            return self._refund(handler, method, path, body)
        if path.startswith("/orders/") and method == "GET":
            order_id = int(path.split("/")[2])
            order = next((o for o in self.orders if o["id"] == order_id), None)
            if order is None and order_id in self.order_status:
                order = {"id": order_id, "status": self.order_status[order_id]}
            if order is not None and order_id in self.order_meta:
                meta = [
                    {"id": n, "key": k, "value": v}
                    for n, (k, v) in enumerate(self.order_meta[order_id].items())
                ]
                order = dict(order, meta_data=meta)
            if order is None:
                return self._send(
                    handler,
                    404,
                    {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID."},
                )
            return self._send(handler, 200, order)
        if path.startswith("/orders/") and method == "PUT":
            order_id = int(path.split("/")[2])
            if "status" in body:
                self.order_status[order_id] = body["status"]
            for meta in body.get("meta_data") or []:  # a meta without an id replaces its key's
                self.order_meta.setdefault(order_id, {})[meta["key"]] = meta["value"]
            status = self.order_status.get(order_id, "processing")
            return self._send(handler, 200, {"id": order_id, "status": status})
        self._send(handler, 404, {"code": "rest_no_route"})

    def _refund(self, handler, method: str, path: str, body: dict[str, Any] | None) -> None:
        """GET /orders/<id>/refunds[/<refund id>], POST /orders/<id>/refunds (line_items as the
        request gives them: refund_total, refund_tax; stored as WooCommerce shows them)."""
        parts = path.split("/")
        refunds = self.refunds.setdefault(int(parts[2]), [])
        if method == "GET" and len(parts) == 5:
            refund = next((r for r in refunds if r["id"] == int(parts[4])), None)
            if refund is None:
                return self._send(handler, 404, {"code": "woocommerce_rest_invalid_id"})
            return self._send(handler, 200, refund)
        if method == "GET":
            return self._send(handler, 200, refunds[::-1])
        refund = {
            "id": 9000 + sum(len(listed) for listed in self.refunds.values()),
            "amount": body["amount"],
            "reason": body.get("reason", ""),
            "refunded_payment": bool(body.get("api_refund")),
            "meta_data": body.get("meta_data", []),
            "line_items": [
                {
                    "id": 80000 + item["id"],
                    "quantity": -item["quantity"],
                    "total": f"-{item['refund_total']}",
                    "total_tax": f"-{sum(float(t['refund_total']) for t in item['refund_tax']):.2f}",  # noqa: E501
                    "taxes": [
                        {"id": t["id"], "total": f"-{t['refund_total']}"}
                        for t in item["refund_tax"]
                    ],
                    "meta_data": [{"key": "_refunded_item_id", "value": str(item["id"])}],
                }
                for item in body.get("line_items", [])
            ],
            "api_restock": body.get("api_restock"),
        }
        refunds.append(refund)
        if self.lose_refund_answers > 0:
            self.lose_refund_answers -= 1
            return self._send(handler, 502, {"code": "bad_gateway"})
        self._send(handler, 201, refund)

    def _batch(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        updates = body.get("update", [])
        if len(updates) > 100:
            return self._send(handler, 413, {"code": "woocommerce_rest_request_entity_too_large"})
        self.batch_sizes.append(len(updates))
        answers = []
        for update in updates:
            if update["id"] in self.unknown_products:
                answers.append(
                    {
                        "id": update["id"],
                        "error": {
                            "code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.",
                        },
                    }
                )
            else:
                self.stock[update["id"]] = update["stock_quantity"]
                answers.append({"id": update["id"], "stock_quantity": update["stock_quantity"]})
        self._send(handler, 200, {"update": answers})

    def _product_batch(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """Products created and updated as WooCommerce's batch endpoint does: at most 100 in
        all, each answered in order (an unknown id with an error)."""
        create, update = body.get("create", []), body.get("update", [])
        if len(create) + len(update) > 100:
            return self._send(handler, 413, {"code": "woocommerce_rest_request_entity_too_large"})
        self.batch_sizes.append(len(create) + len(update))
        created = []
        for values in create:
            product = dict(values, id=90_000 + len(self.products))
            self.products.append(product)
            created.append(product)
        updated = []
        for values in update:
            product = next((p for p in self.products if p["id"] == values["id"]), None)
            if product is None:
                error = {"code": "woocommerce_rest_product_invalid_id", "message": "Invalid ID."}
                updated.append({"id": values["id"], "error": error})
            else:
                product.update(values)
                updated.append(product)
        self._send(handler, 200, {"create": created, "update": updated})

    def _create_category(self, handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        """As WooCommerce answers (checked against the real store): a name the parent has
        already is refused with the existing id, an unknown parent refused."""
        name, parent = body["name"], body.get("parent") or 0
        if parent and parent not in self.categories:
            error = {"code": "missing_parent", "message": "Parent term does not exist."}
            return self._send(handler, 400, error | {"data": {"status": 400}})
        for category in self.categories.values():
            if category["name"].lower() == name.lower() and category["parent"] == parent:
                return self._send(
                    handler,
                    400,
                    {
                        "code": "term_exists",
                        "message": "A term with the name provided already exists with this parent.",
                        "data": {"status": 400, "resource_id": category["id"]},
                    },
                )
        category_id = 70_000 + len(self.categories)
        self.categories[category_id] = {"id": category_id, "name": name, "parent": parent}
        self._send(handler, 201, self.categories[category_id])

    def _variation_batch(self, handler, parent: int, body: dict[str, Any]) -> None:
        variations = self.variations.setdefault(parent, [])
        created = []
        for values in body.get("create", []):
            variation = dict(values, id=95_000 + sum(map(len, self.variations.values())))
            variation |= {"type": "variation", "parent_id": parent}
            variations.append(variation)
            created.append(variation)
        updated = []
        for values in body.get("update", []):
            variation = next(v for v in variations if v["id"] == values["id"])
            variation.update(values)
            updated.append(variation)
        self._send(handler, 200, {"create": created, "update": updated})

    def _orders(self, handler: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        self.order_requests += 1
        if self.fail_orders_from and self.order_requests >= self.fail_orders_from:
            return self._send(handler, 500, {"code": "internal_server_error"})
        self._page(handler, self._modified_after(self.orders, query), query)
        if self.after_order_request is not None:
            self.after_order_request(self)

    @staticmethod
    def _modified_after(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict]:
        """As WooCommerce's CRUD controller filters and sorts (checked against the real store):
        modified_after and modified_before exclusive, orderby modified sorting a second's rows
        by id ("modified ID"), or by id alone."""
        assert query.get("dates_are_gmt") == "true", "compare against the _gmt columns"
        orderby = query.get("orderby", "date")
        assert orderby in ("modified", "id"), f"orderby={orderby} not faked"
        after = query.get("modified_after", "")
        before = query.get("modified_before", "9999")
        found = [item for item in items if after < item["date_modified_gmt"] < before]
        if orderby == "modified":
            found.sort(key=lambda item: (item["date_modified_gmt"], item["id"]))
        else:
            found.sort(key=lambda item: item["id"])
        return found[::-1] if query.get("order", "desc") == "desc" else found

    def _page(self, handler, items: list[dict[str, Any]], query: dict[str, str]) -> None:
        per_page = min(int(query.get("per_page", 10)), 100)
        page = int(query.get("page", 1))
        total_pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        self._send(
            handler,
            200,
            chunk,
            {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(total_pages)},
        )

    @staticmethod
    def _file(handler: BaseHTTPRequestHandler, content_type: str, body: bytes) -> None:
        if body.startswith(b"redirect:"):
            handler.send_response(302)
            handler.send_header("Location", body.removeprefix(b"redirect:").decode())
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def _send(handler, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
