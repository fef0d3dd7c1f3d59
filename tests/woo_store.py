"""A real WooCommerce store for the end-to-end tests: ../shared/woocommerce/setup starts one
(WordPress and WooCommerce on the machine's MariaDB, `php -S` behind a TLS terminator, a REST
key), on free ports and a database of its own, and removes it afterwards."""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from tests.processes import ROOT
from tests.redis_server import free_port

SETUP = ROOT.parent / "shared" / "woocommerce" / "setup"


@dataclass
class WooStore:
    dest: Path
    env: dict[str, str]
    session: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def start(cls, dest: Path) -> WooStore:
        settings = {
            "WP_PORT": str(free_port()),
            "TLS_PORT": str(free_port()),
            "DB_NAME": f"wc_e2e_{uuid.uuid4().hex[:8]}",
            "INSTALL_PACKAGES": os.environ.get("WOO_INSTALL_PACKAGES", "1"),
        }
        result = subprocess.run(
            [str(SETUP), str(dest)],
            env=os.environ | settings,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"the WooCommerce store did not start:\n{result.stderr[-4000:]}")
        env = dict(
            line.split("=", 1)
            for line in result.stdout.splitlines()
            if "=" in line and not line.startswith("#")
        )
        return cls(dest, env)

    def __post_init__(self) -> None:
        self.session.auth = (self.env["WOO_CONSUMER_KEY"], self.env["WOO_CONSUMER_SECRET"])

    def remove(self) -> None:
        self.session.close()
        subprocess.run(
            [str(SETUP), str(self.dest), "remove"], capture_output=True, timeout=120, check=False
        )

    @property
    def ca_bundle(self) -> str:
        return self.env["WOO_CA_BUNDLE"]

    @property
    def url(self) -> str:
        return self.env["WOO_STORE_URL"]

    def worker_env(self) -> dict[str, str]:
        """What the workers and the CLI need to reach this store."""
        return {
            "WOO_STORE_URL": self.url,
            "WOO_CONSUMER_KEY": self.env["WOO_CONSUMER_KEY"],
            "WOO_CONSUMER_SECRET": self.env["WOO_CONSUMER_SECRET"],
            "WOO_CA_BUNDLE": self.env["WOO_CA_BUNDLE"],
        }

    def rest(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One call to the REST API v3 (`/wp-json/wc/v3`) as the store's admin."""
        response = self.session.request(
            method,
            f"{self.url}/wp-json/wc/v3{path}",
            json=body,
            params=params,
            timeout=60,
            verify=self.ca_bundle,  # per request: REQUESTS_CA_BUNDLE beats a session's verify
        )
        assert response.status_code < 300, f"{method} {path}: {response.text[:2000]}"
        return response.json()

    def checkout(self, product_id: int, quantity: int, address: dict[str, str]) -> dict:
        """A storefront checkout through the Store API, as a guest's browser does it."""
        store_api = f"{self.url}/wp-json/wc/store/v1"
        browser = requests.Session()
        cart = browser.get(f"{store_api}/cart", timeout=60, verify=self.ca_bundle)
        headers = {"Cart-Token": cart.headers["Cart-Token"], "Nonce": cart.headers["Nonce"]}
        added = browser.post(
            f"{store_api}/cart/add-item",
            json={"id": product_id, "quantity": quantity},
            headers=headers,
            timeout=60,
            verify=self.ca_bundle,
        )
        assert added.status_code < 300, added.text[:2000]
        order = browser.post(
            f"{store_api}/checkout",
            json={
                "billing_address": address,
                "shipping_address": {k: v for k, v in address.items() if k != "email"},
                "payment_method": "cod",
            },
            headers=headers,
            timeout=60,
            verify=self.ca_bundle,
        )
        assert order.status_code < 300, order.text[:2000]
        browser.close()
        return order.json()
