"""Several stores in one Odoo, one company each (issue 30, items 5 and 6): what a store's
events make is its company's, its customers are matched within it, its integration records are
seen by its company's users only, and the workers' user is refused a store whose company it
may not work in. Over HTTP, as the Integration User with its API key."""

import json

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import WorkerCase, envelope, woo_taxes

STORE_A = "https://shop.example.com/"
STORE_B = "https://b-shop.example.com/"


def in_store(message: dict, store_url: str) -> dict:
    """The envelope as the workers of `store_url` send it: their store in meta and in the key."""
    store = store_url.removeprefix("https://").rstrip("/")
    source, woo_id, rest = message["idempotency_key"].split(":", 2)
    message["idempotency_key"] = f"{source}:{woo_id}@{store}:{rest}"
    message["meta"] = dict(message["meta"], store_url=store_url)
    return message


@tagged("-at_install", "post_install")
class TestStoreCompany(WorkerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create(
            {"name": "Elitaco B", "country_id": cls.env.ref("base.de").id}
        )
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company_b, install_demo=False
        )
        cls.env_b = cls.env(context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id]))
        woo_taxes(cls.env)
        woo_taxes(cls.env_b)
        stores = cls.env["integration.store"]
        cls.store_a = stores.create({"name": "A", "url": STORE_A, "company_id": cls.company_a.id})
        cls.store_b = stores.create({"name": "B", "url": STORE_B, "company_id": cls.company_b.id})
        cls.worker.company_ids = [Command.link(cls.company_b.id)]

    def test_a_store_s_company_gets_the_order_statuses_it_lacks(self):
        """The module maps WooCommerce's order statuses for the first company; a store of
        another company gives that company the same maps, once."""
        maps = self.env["integration.value.map"].with_context(active_test=False)

        def statuses(company):
            return {
                row.woo_value: row.order_action
                for row in maps.search(
                    [("kind", "=", "order_status"), ("company_id", "=", company.id)]
                )
            }

        self.assertEqual(statuses(self.company_b), statuses(self.company_a))
        self.assertEqual(statuses(self.company_b)["processing"], "confirm")
        company_c = self.env["res.company"].create({"name": "Elitaco C"})
        self.store_b.company_id = company_c
        self.env["integration.store"].create(
            {"name": "B2", "url": "https://b2.example.com", "company_id": company_c.id}
        )
        self.assertEqual(statuses(company_c), statuses(self.company_a))
        self.assertEqual(
            maps.search_count([("kind", "=", "order_status"), ("company_id", "=", company_c.id)]),
            len(statuses(self.company_a)),
            "made once",
        )

    def post(self, message: dict, store_url: str) -> dict:
        return self.post_event(in_store(message, store_url), self.api_key)

    def call_error(self, route: str, params: dict) -> dict:
        """The JSON-RPC error of a refused call, as the relay reads it (error.data)."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )
        return response.json()["error"]["data"]

    def orders(self, woo_id: int = 4711):
        return self.env["sale.order"].search([("woo_order_id", "=", woo_id)], order="id")

    def test_the_same_order_number_in_two_stores_is_two_orders_in_two_companies(self):
        for store_url in (STORE_A, STORE_B):
            answer = self.post(envelope("woo.order.created"), store_url)
            self.assertEqual(answer["status"], "processed", answer)
        order_a, order_b = self.orders()
        self.assertEqual(order_a.woo_store, "shop.example.com")
        self.assertEqual(order_b.woo_store, "b-shop.example.com")
        self.assertEqual(order_a.company_id, self.company_a)
        self.assertEqual(order_b.company_id, self.company_b)
        self.assertEqual(order_b.warehouse_id.company_id, self.company_b)
        self.assertEqual(order_b.order_line.tax_id.company_id, self.company_b)
        self.assertEqual(order_a.partner_id.company_id, self.company_a)
        self.assertEqual(order_b.partner_id.company_id, self.company_b)
        self.assertNotEqual(order_a.partner_id, order_b.partner_id, "one customer per company")
        self.assertEqual(order_b.partner_id.email, order_a.partner_id.email)
        events = self.env["integration.event"].search([("woo_resource_id", "=", 4711)])
        self.assertEqual(
            {(event.store, event.company_id) for event in events},
            {("shop.example.com", self.company_a), ("b-shop.example.com", self.company_b)},
        )
        bindings = self.env["integration.binding"].search([("model", "=", "sale.order")])
        self.assertEqual(
            {(binding.res_id, binding.company_id) for binding in bindings},
            {(order_a.id, self.company_a), (order_b.id, self.company_b)},
        )
        timeline = self.env["integration.timeline"].search([("woo_order_id", "=", 4711)])
        self.assertEqual(timeline.mapped("company_id"), self.company_a | self.company_b)

    def test_a_customer_is_matched_within_its_store_s_company(self):
        for store_url in (STORE_A, STORE_B):
            answer = self.post(envelope("woo.customer.created"), store_url)
            self.assertEqual(answer["status"], "processed", answer)
        zoe = self.env["res.partner"].search([("email", "=", "zoe.mueller@example.org")])
        self.assertEqual(zoe.company_id, self.company_a | self.company_b, "one per company")

        shared = self.env["res.partner"].create(
            {"name": "Max Shared", "email": "max@example.org", "woo_customer": True}
        )
        for store_url in (STORE_A, STORE_B):
            message = envelope("woo.customer.created", id=28, email="max@example.org")
            answer = self.post(message, store_url)
            self.assertEqual(answer["record"]["id"], shared.id, "a contact of no company")
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=", "max@example.org")]), 1
        )
        bindings = self.env["integration.binding"].search([("external_id", "=", 28)])
        self.assertEqual(bindings.mapped("res_id"), [shared.id, shared.id])
        self.assertEqual(bindings.company_id, self.company_a | self.company_b)

    def test_the_invoice_and_payment_of_a_store_are_its_company_s(self):
        bank_b = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company_b.id)], limit=1
        )
        self.env["ir.config_parameter"].set_param("elitaco_integration.invoice_policy", "paid")
        self.env_b["integration.value.map"].create(
            {"kind": "payment_method", "woo_value": "stripe", "payment_journal_id": bank_b.id}
        )
        answer = self.post(envelope("woo.order.updated"), STORE_B)  # processing, paid
        self.assertEqual(answer["status"], "processed", answer)
        order = self.orders()
        self.assertEqual((order.company_id, order.state), (self.company_b, "sale"), answer)
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.company_id, self.company_b)
        self.assertEqual(invoice.journal_id.company_id, self.company_b)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        payment = invoice.matched_payment_ids
        self.assertEqual((payment.journal_id, payment.company_id), (bank_b, self.company_b))

    def test_a_user_of_company_a_sees_none_of_b_s_integration_records(self):
        for store_url in (STORE_A, STORE_B):
            self.post(envelope("woo.order.created"), store_url)
        order_a, order_b = self.orders()
        for order in (order_a, order_b):
            self.env["integration.outbox"].create(
                {
                    "event_type": "odoo.order.shipped",
                    "idempotency_key": f"shipped-{order.id}",
                    "store": order.woo_store,
                    "sale_order_id": order.id,
                }
            )
        event_b = self.env["integration.event"].search([("company_id", "=", self.company_b.id)])
        event_b.state = "dead"
        manager_a = new_test_user(
            self.env,
            login="manager-a",
            groups="elitaco_integration.group_integration_manager",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        as_a = self.env(user=manager_a)
        for model in (
            "integration.event",
            "integration.binding",
            "integration.outbox",
            "integration.timeline",
        ):
            records = as_a[model].search([])
            self.assertTrue(records, f"{model}: A's own are seen")
            self.assertEqual(records.company_id, self.company_a, model)
            theirs = self.env[model].search([("company_id", "=", self.company_b.id)])
            self.assertTrue(theirs, model)
            with self.assertRaises(AccessError, msg=model):
                theirs.with_user(manager_a).read(["company_id"])
        self.assertFalse(as_a["integration.timeline"].search([("sale_order_id", "=", order_b.id)]))
        self.assertFalse(as_a["integration.event"].search([("state", "=", "dead")]), "B's dead")
        # A salesperson sees the timeline of the orders he may see (his own and unassigned
        # ones: both are), of his company only.
        seller_a = new_test_user(
            self.env,
            login="seller-a",
            groups="sales_team.group_sale_salesman",
            company_id=self.company_a.id,
            company_ids=[Command.set(self.company_a.ids)],
        )
        self.assertFalse(order_a.user_id or order_b.user_id)
        rows = self.env["integration.timeline"].with_user(seller_a).search([])
        self.assertEqual(rows.sale_order_id, order_a)
        self.assertEqual(as_a["integration.outbox"].search([]).sale_order_id, order_a)

    def test_a_store_whose_company_the_worker_lacks_is_refused_then_applied_once_allowed(self):
        self.worker.company_ids = [Command.unlink(self.company_b.id)]
        message = in_store(envelope("woo.order.created"), STORE_B)
        answer = self.post_event(message, self.api_key)
        # The workers keep it as a dead letter at once (not retryable), to replay.
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(
            answer["error"],
            {
                "code": "company_not_allowed",
                "message": "The Integration User rq-worker is not allowed in company Elitaco B "
                "of store b-shop.example.com: add Elitaco B to the user's Allowed companies "
                "(Settings › Users).",
                "retryable": False,
            },
        )
        self.assertFalse(self.orders(), "no sale order")
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "zoe.mueller@example.org")]),
            "no customer",
        )
        self.assertFalse(
            self.env["integration.event"].search([("event_id", "=", message["event_id"])]),
            "not even in the ledger",
        )
        dead = self.make_jsonrpc_request(
            "/elitaco/v1/events/dead",
            {"event_id": message["event_id"], "error": answer["error"]["message"]},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        self.assertEqual(dead["status"], "unknown", "a dead letter of the workers' only")
        # Store A's events still go through.
        self.assertEqual(self.post(envelope("woo.order.created"), STORE_A)["status"], "processed")

        self.worker.company_ids = [Command.link(self.company_b.id)]
        answer = self.post_event(message, self.api_key)  # `python -m relay replay`
        self.assertEqual(answer["status"], "processed", answer)
        order_b = self.orders().filtered(lambda order: order.company_id == self.company_b)
        self.assertEqual(order_b.partner_id.company_id, self.company_b)

    def test_a_store_moved_to_a_company_the_worker_lacks_is_refused_from_its_next_event(self):
        company_c = self.env["res.company"].create({"name": "Elitaco C"})
        # C gets its order statuses now: the move below changes the store's company alone.
        self.env["integration.value.map"]._give_order_statuses(company_c)
        first = in_store(envelope("woo.order.created"), STORE_B)
        self.assertEqual(self.post_event(first, self.api_key)["status"], "processed")
        stores = self.env["integration.store"]
        self.assertEqual(stores._company_id_of(self.store_b.id), self.company_b.id)
        self.store_b.company_id = company_c
        self.assertEqual(stores._company_id_of(self.store_b.id), company_c.id, "not remembered")
        message = in_store(envelope("woo.order.created", id=7001, number="7001"), STORE_B)
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(answer["error"]["code"], "company_not_allowed")
        self.assertIn("not allowed in company Elitaco C", answer["error"]["message"])

    def test_the_outbox_of_a_store_whose_company_the_worker_lacks_is_refused(self):
        self.worker.company_ids = [Command.unlink(self.company_b.id)]
        params = {"worker": "w1", "store": STORE_B}
        error = self.call_error("/elitaco/v1/outbox/claim", params)
        # An error of the call, not a refused key: the push job fails and says so.
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertIn("not allowed in company Elitaco B", error["message"])
        claimed = self.make_jsonrpc_request(
            "/elitaco/v1/outbox/claim",
            params | {"store": STORE_A},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        self.assertEqual(claimed, {"events": []})

    def test_a_store_s_tax_rounding_is_compared_with_its_company_s(self):
        self.company_a.tax_calculation_rounding_method = "round_per_line"
        self.company_b.tax_calculation_rounding_method = "round_globally"
        headers = {"Authorization": f"Bearer {self.api_key}"}
        for store_url, agree in ((STORE_A, False), (STORE_B, True)):
            answer = self.make_jsonrpc_request(
                "/elitaco/v1/stores/tax-rounding",
                {"store": store_url, "round_at_subtotal": True},
                headers=headers,
            )
            self.assertEqual(answer["agree"], agree, answer)
        self.env["integration.woo.tax.rounding"]._align(self.store_a)
        self.assertEqual(self.company_a.tax_calculation_rounding_method, "round_globally")

    def test_a_store_s_alert_is_a_to_do_of_a_manager_of_its_company(self):
        groups = "elitaco_integration.group_integration_manager"
        manager_b = new_test_user(
            self.env,
            login="manager-b",
            groups=groups,
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        alerts = self.env["integration.alert"]
        alert_b = alerts._raise(self.store_b, "backlog", "The queue waits.")
        alert_a = alerts._raise(self.store_a, "backlog", "The queue waits.")
        self.assertEqual(alert_b.company_id, self.company_b)
        self.assertEqual(alert_b.activity_ids.user_id, manager_b)
        self.assertIn(self.company_a, alert_a.activity_ids.user_id.company_ids)
