import copy
import hashlib
import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import TransactionCase

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

EXAMPLES = Path(__file__).resolve().parent / "examples"
STORE = "shop.example.com"


def example(event_type: str) -> dict:
    return json.loads((EXAMPLES / f"{event_type}.json").read_text(encoding="utf-8"))


def idempotency_key(event_type: str, data: dict) -> str:
    """The relay's key derivation (docs/events.md), rebuilt here as a cross-check."""
    topic = event_type.removeprefix("woo.")
    content = {key: value for key, value in data.items() if key != "_links"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    modified = data.get("date_modified_gmt")
    if modified:
        version = datetime.fromisoformat(modified).strftime("%Y%m%dT%H%M%SZ") + "-" + digest
    else:
        version = "sha256-" + digest
    return f"woo:{data['id']}:{topic}:{version}"


def envelope(event_type: str, data: dict | None = None, **changes) -> dict:
    """A fresh envelope (new event and trace ids) for the example, with `changes` in its data."""
    result = example(event_type)
    payload = copy.deepcopy(data if data is not None else result["data"]) | changes
    result.update(
        event_id=str(uuid.uuid4()),
        trace_id=str(uuid.uuid4()),
        data=payload,
        idempotency_key=idempotency_key(result["event_type"], payload),
    )
    if payload.get("date_modified_gmt"):
        result["occurred_at"] = payload["date_modified_gmt"] + "Z"
    return result


def variable_shirt(**changes) -> list[dict]:
    """A variable product 'Linen Shirt' (WooCommerce 120) and its variations Blue (122) and
    Red (123), as the store sends them; `changes` go into the variable product."""
    attributes = [{"id": 1, "name": "Color", "variation": True, "options": ["Blue", "Red"]}]
    product = {
        "id": 120,
        "type": "variable",
        "sku": "SHIRT-V",
        "name": "Linen Shirt",
        "price": "20.00",
        "attributes": attributes,
    }
    return [envelope("woo.product.created", **(product | changes))] + [
        envelope(
            "woo.product.updated",
            id=woo_id,
            sku=f"SHIRT-V-{color.upper()}",
            regular_price="20.00",
            price="20.00",
            parent_id=120,
            type="variation",
            name=f"Linen Shirt - {color}",
            attributes=[{"id": 1, "name": "Color", "option": color}],
        )
        for woo_id, color in ((122, "Blue"), (123, "Red"))
    ]


def order_with_a_dead_update(env):
    """Order 4711 as a quotation whose update died (paid by cash on delivery, which has no
    payment journal), and order 4712 without a problem: (order 4711, the dead event)."""
    if not env.company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company=env.company, install_demo=False
        )
    woo_taxes(env)
    params = env["ir.config_parameter"]
    params.set_param("elitaco_integration.unknown_sku", "create")
    params.set_param("elitaco_integration.invoice_policy", "paid")
    params.set_param("elitaco_integration.payment_journal_id", "")
    events = env["integration.event"].with_context(elitaco_from_woo=True)
    events.process_envelope(envelope("woo.order.created"))
    events.process_envelope(envelope("woo.order.created", id=4712, number="4712"))
    update = envelope(
        "woo.order.updated", payment_method="cod", date_modified_gmt="2026-02-21T09:00:00"
    )
    answer = events.process_envelope(update)
    assert answer["status"] == "failed", answer
    events.mark_dead(update["event_id"], answer["error"]["message"])
    order = env["sale.order"].search([("woo_order_id", "=", 4711)])
    return order, events.search([("event_id", "=", update["event_id"])])


def woo_taxes(env) -> tuple:
    """The example orders' taxes: rate 1 (21 %) through the value map, rate 2 (7 %) found by
    its percentage."""
    # On a database where the chart of accounts is not set up yet, taxes need a country.
    country = env.company.account_fiscal_country_id or env.ref("base.de")
    tax_group = env["account.tax.group"].create({"name": "MwSt", "country_id": country.id})
    tax = {
        "amount_type": "percent",
        "type_tax_use": "sale",
        "price_include": False,
        "tax_group_id": tax_group.id,
        "country_id": country.id,
    }
    tax_21 = env["account.tax"].create(tax | {"name": "MwSt 21%", "amount": 21})
    tax_7 = env["account.tax"].create(tax | {"name": "MwSt 7%", "amount": 7})
    # Rate 1 through the value map; rate 2 (7 %) is found by its percentage.
    env["integration.value.map"].create({"kind": "tax_rate", "woo_value": "1", "tax_id": tax_21.id})
    return tax_21, tax_7


class IntegrationCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env["base"].with_context(**DISABLED_MAIL_CONTEXT, elitaco_from_woo=True).env
        cls.Event = cls.env["integration.event"]
        cls.Order = cls.env["sale.order"]
        cls.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "create")
        cls._prepare_company()
        cls.tax_21, cls.tax_7 = woo_taxes(cls.env)
        product = cls.env["product.product"]
        cls.shirt = product.create(
            {"name": "Linen Shirt Blue M", "default_code": "SHIRT-LINEN-BLU-M", "list_price": 20}
        )
        cls.socks = product.create(
            {"name": "Organic Cotton Socks", "default_code": "SOCKS-ORG", "list_price": 9}
        )
        cls.wrapping = product.create({"name": "Gift wrapping", "list_price": 5, "type": "service"})

    @classmethod
    def _prepare_company(cls):
        """What the company needs before the orders' taxes are made (a chart of accounts)."""

    def process(self, env_or_type, **changes) -> dict:
        message = env_or_type if isinstance(env_or_type, dict) else envelope(env_or_type, **changes)
        return self.Event.process_envelope(message)

    def bind_wrapping(self):
        self.env["integration.binding"]._bind(STORE, self.wrapping, 140)

    def woo_order(self, woo_id: int = 4711):
        return self.Order.search([("woo_order_id", "=", woo_id)])

    def kinds(self, order) -> list[str]:
        """The order's timeline kinds as its tab shows them: newest first."""
        return (
            self.env["integration.timeline"]
            .search([("sale_order_id", "=", order.id)])
            .mapped("kind")
        )


class WorkerCase(HttpCase):
    """Over HTTP as the workers are: an Integration User and its API key, never superuser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "create")
        cls.worker = new_test_user(
            cls.env, login="rq-worker", groups="elitaco_integration.group_integration_user"
        )
        cls.api_key_expires = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.worker)
            ._generate(None, "relay workers", cls.api_key_expires)
        )

    def post_event(self, message, key=None):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return self.make_jsonrpc_request(
            "/elitaco/v1/events", {"envelope": message}, headers=headers
        )
