"""The workers' WooCommerce REST API client (`/wp-json/wc/v3`), HTTP Basic over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from relay.config import WooConfig

PER_PAGE = 100  # the REST API's maximum
REST_DATE = "%Y-%m-%dT%H:%M:%S"


class WooAuthError(requests.HTTPError):
    """WooCommerce refused the REST key (401/403), with what to check."""


class WooClient:
    def __init__(self, config: WooConfig, session: requests.Session | None = None) -> None:
        self.base = f"{config.store_url}/wp-json/wc/v3"
        self.store = config.store
        # Per request: requests lets REQUESTS_CA_BUNDLE override a session's `verify`.
        self.verify: str | bool = config.ca_bundle or True
        self.session = session or requests.Session()
        self.session.auth = (config.consumer_key, config.consumer_secret)
        # 429 and 5xx: back off (honouring Retry-After) and try again, then give up.
        retry = Retry(
            total=5,
            backoff_factor=config.backoff_factor,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=("GET", "PUT"),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.mount("http://", HTTPAdapter(max_retries=retry))

    def modified_after(self, resource: str, since: datetime) -> list[dict[str, Any]]:
        """The first page of the orders or products modified after `since` (UTC), oldest
        first (WooCommerce orders a modification second's rows by id)."""
        params = {
            "modified_after": since.strftime(REST_DATE),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
            "per_page": PER_PAGE,
            "page": 1,
        }
        return self._request("GET", f"/{resource}s", params=params).json()

    def modified_within(
        self, resource: str, second: datetime, page: int = 1
    ) -> tuple[list[dict[str, Any]], int]:
        """(one page of the orders or products modified within `second` (UTC) by id, how many
        there are in all): WooCommerce's modified_after and modified_before are exclusive."""
        params = {
            "modified_after": (second - timedelta(seconds=1)).strftime(REST_DATE),
            "modified_before": (second + timedelta(seconds=1)).strftime(REST_DATE),
            "dates_are_gmt": "true",
            "orderby": "id",
            "order": "asc",
            "per_page": PER_PAGE,
            "page": page,
        }
        response = self._request("GET", f"/{resource}s", params=params)
        return response.json(), int(response.headers.get("X-WP-Total", 0))

    def variations(self, product_id: int) -> list[dict[str, Any]]:
        """Every variation of a variable product, oldest first."""
        params = {"orderby": "id", "order": "asc", "per_page": PER_PAGE}
        path = f"/products/{product_id}/variations"
        return [variation for page in self._pages(path, params) for variation in page]

    def customers(self, page: int = 1) -> list[dict[str, Any]]:
        """One page of the customers by id: their endpoint has no filter by modification."""
        params = {"orderby": "id", "order": "asc", "per_page": PER_PAGE, "page": page}
        return self._request("GET", "/customers", params=params).json()

    def webhooks(self) -> list[dict[str, Any]]:
        return [hook for page in self._pages("/webhooks", {"per_page": PER_PAGE}) for hook in page]

    def create_webhook(self, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/webhooks", json=values).json()

    def update_webhook(self, webhook_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("PUT", f"/webhooks/{webhook_id}", json=values).json()

    def update_stock(self, items: list[dict[str, Any]], parent_id: int | None = None) -> dict:
        """One batch call (at most 100 items): products, or the variations of `parent_id`."""
        path = f"/products/{parent_id}/variations/batch" if parent_id else "/products/batch"
        return self._request("PUT", path, json={"update": items}).json()

    def products_by_sku(self, sku: str) -> list[dict[str, Any]]:
        """The products and variations (of any status) with this exact SKU."""
        response = self._request("GET", "/products", params={"sku": sku, "status": "any"})
        return [product for product in response.json() if product.get("sku") == sku]

    def create_product(self, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", "/products", json=values).json()

    def update_product(self, product_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("PUT", f"/products/{product_id}", json=values).json()

    def batch_variations(
        self, product_id: int, create: list[dict[str, Any]], update: list[dict[str, Any]]
    ) -> dict[str, Any]:
        path = f"/products/{product_id}/variations/batch"
        return self._request("POST", path, json={"create": create, "update": update}).json()

    def batch_products(
        self, create: list[dict[str, Any]], update: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """One batch call (at most 100 products in all); the answer lists each in order."""
        return self._request(
            "POST", "/products/batch", json={"create": create, "update": update}
        ).json()

    def update_order(self, order_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("PUT", f"/orders/{order_id}", json=values).json()

    def refund(self, order_id: int, refund_id: int) -> dict[str, Any]:
        return self._request("GET", f"/orders/{order_id}/refunds/{refund_id}").json()

    def refunds(self, order_id: int) -> list[dict[str, Any]]:
        return self._request(
            "GET", f"/orders/{order_id}/refunds", params={"per_page": PER_PAGE}
        ).json()

    def create_refund(self, order_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return self._request("POST", f"/orders/{order_id}/refunds", json=values).json()

    def create_category(self, name: str, parent_id: int | None) -> int:
        """Make a product category under `parent_id` (None: at the top) and give its id; the one
        WooCommerce has with that name under that parent already (an earlier attempt whose
        answer was lost) is taken instead."""
        try:
            response = self._request(
                "POST", "/products/categories", json={"name": name, "parent": parent_id or 0}
            )
        except requests.HTTPError as exc:
            existing = _existing_term(exc.response)
            if existing is None:
                raise
            return existing
        return response.json()["id"]

    def update_category(self, category_id: int, name: str, parent_id: int | None) -> dict:
        values = {"name": name, "parent": parent_id or 0}
        return self._request("PUT", f"/products/categories/{category_id}", json=values).json()

    def category(self, category_id: int) -> dict[str, Any]:
        return self._request("GET", f"/products/categories/{category_id}").json()

    def order(self, order_id: int) -> dict[str, Any]:
        return self._request("GET", f"/orders/{order_id}").json()

    def order_notes(self, order_id: int, kind: str = "internal") -> list[dict[str, Any]]:
        """The order's notes: `kind` internal, customer (e-mailed to the customer) or any."""
        return self._request("GET", f"/orders/{order_id}/notes", params={"type": kind}).json()

    def add_order_note(self, order_id: int, note: str, to_customer: bool = False) -> dict:
        return self._request(
            "POST", f"/orders/{order_id}/notes", json={"note": note, "customer_note": to_customer}
        ).json()

    def tax_round_at_subtotal(self) -> bool:
        """WooCommerce › Settings › Tax › Rounding: "Round tax at subtotal level, instead of
        rounding per line"."""
        setting = self._request("GET", "/settings/tax/woocommerce_tax_round_at_subtotal").json()
        return setting.get("value") == "yes"

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
        page = 1
        while True:
            response = self._request("GET", path, params=params | {"page": page})
            items = response.json()
            if items:
                yield items
            total_pages = int(response.headers.get("X-WP-TotalPages", page))
            if not items or page >= total_pages:
                return
            page += 1

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.session.request(
            method, self.base + path, timeout=(5, 30), verify=self.verify, **kwargs
        )
        if response.status_code in (401, 403):
            raise WooAuthError(self._refusal(response), response=response)
        response.raise_for_status()
        return response

    def _refusal(self, response: requests.Response) -> str:
        try:
            detail = response.json().get("message") or response.reason
        except ValueError:
            detail = response.reason
        said = f"WooCommerce answered {response.status_code} to the REST key ({detail})"
        if self.base.startswith("http://"):
            return (
                f"{said}: WooCommerce accepts the key as HTTP Basic auth only over HTTPS. Set "
                "WOO_STORE_URL to the store's https:// address (for a self-signed certificate, "
                "point WOO_CA_BUNDLE at it)"
            )
        return (
            f"{said}: check WOO_CONSUMER_KEY and WOO_CONSUMER_SECRET (WooCommerce > Settings > "
            "Advanced > REST API, a key with Read/Write permissions)"
        )


def _existing_term(response: requests.Response | None) -> int | None:
    """The id in WooCommerce's refusal to make a term it has already ({"code": "term_exists",
    "data": {"resource_id": 16}}), else None."""
    try:
        refusal = response.json() if response is not None else {}
    except ValueError:
        return None
    if not isinstance(refusal, dict) or refusal.get("code") != "term_exists":
        return None
    existing = (refusal.get("data") or {}).get("resource_id")
    return existing if isinstance(existing, int) else None
