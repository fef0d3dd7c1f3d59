from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope

MASTER = "elitaco_integration.product_master"
CUSTOMER_MATCH = "elitaco_integration.customer_match"
SHOP = "https://shop.example.com"


def of_import(message: dict, import_id: int) -> dict:
    message["meta"] = dict(message.get("meta") or {}, import_id=import_id)
    return message


class ImportCase(IntegrationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="integration-manager",
            groups="elitaco_integration.group_integration_manager,sales_team.group_sale_manager",
        )
        cls.Import = cls.env["integration.import"]

    def new_import(self, **values):
        return self.Import.with_user(self.manager).create({"store_url": SHOP} | values)

    def outcomes(self, run) -> dict:
        return {
            line.woo_id: (line.resource, line.outcome)
            for line in run.line_ids.sorted("id")
            if line.resource
        }


class TestImportRun(ImportCase):
    def test_starting_asks_the_workers_through_the_outbox(self):
        run = self.new_import(import_customers=False)
        run.action_start()
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.step_ids.mapped("resource"), ["product", "order"])
        row = self.env["integration.outbox"].search([("event_type", "=", "odoo.import.requested")])
        self.assertEqual(row.data, {"import_id": run.id, "store_url": SHOP})
        self.assertEqual((row.store, row.state), ("shop.example.com", "pending"))
        envelope = row._envelope()
        self.assertEqual(
            envelope["idempotency_key"], f"odoo:integration.import-{run.id}:import.requested:1"
        )
        with self.assertRaises(UserError):
            run.action_start()
        with self.assertRaises(UserError):
            self.new_import(
                import_products=False, import_customers=False, import_orders=False
            ).action_start()

    def test_the_workers_report_each_page_until_everything_is_read(self):
        run = self.new_import(since=datetime(2026, 1, 1))
        run.action_start()
        begun = self.Import._begin(run.id)
        self.assertEqual(run.state, "running")
        self.assertEqual(begun["store_url"], SHOP)
        self.assertEqual(
            [(step["resource"], step["since"]) for step in begun["steps"]],
            [(r, "2026-01-01T00:00:00") for r in ("product", "customer", "order")],
        )
        page = [
            {
                "idempotency_key": f"woo:{n}:product.updated:x",
                "woo_id": n,
                "event_type": "woo.product.updated",
            }
            for n in (1, 2)
        ]
        self.Import._progress(run.id, "product", page, "2026-02-01T10:00:00")
        self.Import._progress(run.id, "product", page[1:], "2026-01-15T10:00:00", done=True)
        product_step = run.step_ids[0]
        self.assertEqual(product_step.state, "done")
        self.assertEqual(product_step.read_up_to, datetime(2026, 2, 1, 10), "the newest read")
        self.assertEqual(
            (run.read_count, run.waiting_count), (2, 2), "a key read twice counts once"
        )
        self.Import._progress(run.id, "customer", [], None, done=True)
        self.assertEqual(run.state, "running")
        self.Import._progress(run.id, "order", [], "2026-02-02T00:00:00", done=True)
        self.assertEqual(run.state, "done")
        self.assertEqual(self.Import._progress(run.id, "order", [], None)["status"], "not_running")

        # The next import without a start goes on from where this one stopped.
        following = self.new_import()
        following.action_start()
        self.assertEqual(
            following.step_ids.mapped("since"),
            [datetime(2026, 2, 1, 10), False, datetime(2026, 2, 2)],
        )

    def test_a_crashed_job_resumes_and_the_last_failure_fails_the_import(self):
        run = self.new_import(import_customers=False, import_orders=False)
        run.action_start()
        self.Import._begin(run.id)
        self.Import._progress(run.id, "product", [], "2026-02-01T10:00:00")
        self.Import._failed(run.id, "ConnectionError: store down", final=False)
        self.assertEqual(run.state, "running")
        self.assertIn("store down", run.error)
        resumed = self.Import._begin(run.id)
        self.assertEqual(resumed["steps"][0]["read_up_to"], "2026-02-01T10:00:00")
        self.Import._failed(run.id, "ConnectionError: store down", final=True)
        self.assertEqual(run.state, "failed")
        self.assertEqual(self.Import._begin(run.id)["status"], "not_running")
        run.with_user(self.manager).action_start()
        self.assertEqual(run.state, "queued", "started again, it goes on")
        keys = (
            self.env["integration.outbox"]
            .search([("event_type", "=", "odoo.import.requested")])
            .mapped("idempotency_key")
        )
        self.assertEqual(
            sorted(keys),
            [
                f"odoo:integration.import-{run.id}:import.requested:1",
                f"odoo:integration.import-{run.id}:import.requested:2",
            ],
        )


class TestImportReport(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")
        cls.shop_import = cls.Import.create({"store_url": SHOP})
        cls.shop_import.action_start()
        cls.Import._begin(cls.shop_import.id)

    def report_read(self, resource: str, message: dict) -> None:
        """The import's reader says it enqueued `message`: its line waits."""
        event = {
            "idempotency_key": message["idempotency_key"],
            "woo_id": message["data"]["id"],
            "event_type": message["event_type"],
        }
        self.Import._progress(self.shop_import.id, resource, [event])

    def process_imported(self, event_type: str, **changes) -> dict:
        return self.process(of_import(envelope(event_type, **changes), self.shop_import.id))

    def test_products_found_by_sku_or_barcode_are_matched_others_created(self):
        self.process_imported("woo.product.updated")  # SKU of the shirt Odoo has
        self.socks.barcode = "4006381333931"
        self.process_imported(
            "woo.product.updated", id=123, sku="", global_unique_id="4006381333931"
        )
        self.process_imported(
            "woo.product.updated", id=124, sku="MUG-NEW", type="simple", parent_id=0
        )
        self.assertEqual(
            self.outcomes(self.shop_import),
            {122: ("product", "matched"), 123: ("product", "matched"), 124: ("product", "created")},
        )
        lines = self.shop_import.line_ids.sorted("id")
        self.assertEqual(lines[0].result_name, self.shirt.display_name)
        self.assertEqual(lines[1].result_id, self.socks.id)
        self.assertEqual((self.shop_import.matched_count, self.shop_import.created_count), (2, 1))
        self.assertEqual(
            self.env["integration.binding"]._find("shop.example.com", "product.product", 123),
            self.socks,
        )

    def test_a_variable_product_and_its_variations_are_created(self):
        attributes = [{"id": 2, "name": "Size", "variation": True, "options": ["S", "M"]}]
        self.process_imported(
            "woo.product.updated",
            id=300,
            parent_id=0,
            type="variable",
            sku="TEE",
            attributes=attributes,
        )
        for woo_id, size in ((301, "S"), (302, "M")):
            self.process_imported(
                "woo.product.updated",
                id=woo_id,
                parent_id=300,
                sku=f"TEE-{size}",
                attributes=[{"id": 2, "name": "Size", "option": size}],
            )
        self.assertEqual(
            self.outcomes(self.shop_import),
            {300: ("product", "created"), 301: ("product", "created"), 302: ("product", "created")},
        )

    def test_a_sku_shared_by_two_products_is_unmatched_and_names_them(self):
        self.env["product.product"].create(
            {"name": "Shirt again", "default_code": "SHIRT-LINEN-BLU-M"}
        )
        answer = self.process_imported("woo.product.updated")
        self.assertEqual(answer["error"]["code"], "ambiguous")
        [line] = self.shop_import.line_ids
        self.assertEqual(line.outcome, "unmatched")
        self.assertIn("Shirt again", line.message)
        self.assertEqual(line.event_state, "failed")

    def test_where_odoo_is_master_a_product_it_lacks_is_unmatched(self):
        self.env["ir.config_parameter"].set_param(MASTER, "odoo")
        self.process_imported("woo.product.updated", id=125, sku="NOT-IN-ODOO")
        self.assertEqual(self.outcomes(self.shop_import), {125: ("product", "unmatched")})

    def test_a_customer_odoo_has_is_matched_by_email_when_settings_allow(self):
        existing = self.env["res.partner"].create(
            {"name": "Zoe Müller", "email": "Zoe.Mueller@example.org"}
        )
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        self.process_imported("woo.customer.updated")
        self.assertEqual(self.outcomes(self.shop_import), {27: ("customer", "matched")})
        self.assertEqual(self.shop_import.line_ids.result_id, existing.id)
        self.assertTrue(existing.woo_customer, "found by e-mail from now on, as our own")

    def test_by_default_only_the_integrations_own_contacts_are_matched(self):
        existing = self.env["res.partner"].create(
            {"name": "Zoe Müller", "email": "zoe.mueller@example.org"}
        )
        self.process_imported("woo.customer.updated")
        self.assertEqual(self.outcomes(self.shop_import), {27: ("customer", "created")})
        self.assertNotEqual(self.shop_import.line_ids.result_id, existing.id)

    def test_a_vendors_or_the_companys_contact_is_never_matched(self):
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        vendor = self.env["res.partner"].create(
            {"name": "Zoe's Supplies", "email": "zoe.mueller@example.org", "supplier_rank": 1}
        )
        self.env.company.partner_id.email = "zoe.mueller@example.org"
        self.process_imported("woo.customer.updated")
        self.assertEqual(self.outcomes(self.shop_import), {27: ("customer", "created")})
        self.assertNotIn(
            self.shop_import.line_ids.result_id, (vendor | self.env.company.partner_id).ids
        )

    def test_two_contacts_with_one_email_leave_the_customer_unmatched(self):
        partners = self.env["res.partner"]
        for name in ("Zoe Müller", "Z. Müller"):
            partners |= partners.create({"name": name, "email": "zoe.mueller@example.org"})
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        answer = self.process_imported("woo.customer.updated")
        self.assertEqual(self.outcomes(self.shop_import), {27: ("customer", "unmatched")})
        self.assertNotIn(self.shop_import.line_ids.result_id, partners.ids, "neither is taken")
        self.assertIn("Z. Müller", answer["warnings"][0])

    def test_orders_are_created_and_a_state_odoo_had_is_unchanged(self):
        created = envelope("woo.order.created")
        self.process(created)  # by webhook, before the import read it
        self.process(of_import(created, self.shop_import.id))
        self.process_imported("woo.order.updated", id=4712, number="4712")
        self.assertEqual(
            self.outcomes(self.shop_import),
            {4711: ("order", "unchanged"), 4712: ("order", "created")},
        )
        self.assertEqual(self.shop_import.line_ids[0].result_name, self.woo_order().name)

    def test_an_order_waits_for_its_customer_read_by_the_same_import(self):
        """Two workers: the order's event may run before its customer's. Taken by the order's
        billing e-mail, the customer would be bound to whoever that e-mail names."""
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        zoe = self.env["res.partner"].create({"name": "Zoe", "email": "zoe.mueller@example.org"})
        erika = self.env["res.partner"].create(
            {"name": "Erika", "email": "erika@example.com", "woo_customer": True}
        )
        customer = of_import(envelope("woo.customer.updated"), self.shop_import.id)
        order = envelope("woo.order.created")
        order["data"]["billing"]["email"] = "erika@example.com"  # she pays for Zoe's order
        order = of_import(envelope("woo.order.created", data=order["data"]), self.shop_import.id)
        self.report_read("customer", customer)

        answer = self.process(order)
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(answer["error"]["code"], "waiting")
        self.assertTrue(answer["error"]["retryable"])
        self.assertIn("waits for its customer 27", answer["error"]["message"])
        self.assertFalse(self.woo_order())
        self.assertFalse(self.env["integration.binding"]._find(STORE, "res.partner", 27))
        self.assertEqual(
            self.outcomes(self.shop_import),
            {27: ("customer", "waiting"), 4711: ("order", "waiting")},
        )

        self.process(customer)
        self.assertEqual(self.process(order)["status"], "processed")
        self.assertEqual(
            self.outcomes(self.shop_import),
            {27: ("customer", "matched"), 4711: ("order", "created")},
        )
        self.assertEqual(self.woo_order().partner_id, zoe)
        self.assertNotEqual(self.woo_order().partner_invoice_id, erika)

    def test_an_order_waits_only_for_a_customer_it_has_not_got(self):
        customer = of_import(envelope("woo.customer.updated"), self.shop_import.id)
        self.report_read("customer", customer)
        self.process(envelope("woo.customer.updated"))  # bound by its webhook meanwhile
        self.assertEqual(self.process_imported("woo.order.created")["status"], "processed")
        answer = self.process_imported("woo.order.created", id=4712, number="4712", customer_id=28)
        self.assertEqual(answer["status"], "processed", "customer 28 is not in this import")

    def test_a_dead_event_of_an_import_fails_its_line(self):
        order = of_import(envelope("woo.order.created"), self.shop_import.id)
        self.report_read("customer", envelope("woo.customer.updated"))
        self.process(order)
        self.Event.mark_dead(order["event_id"], "gave up after 3 retries")
        lines = {line.woo_id: line.outcome for line in self.shop_import.line_ids}
        self.assertEqual(lines, {27: "waiting", 4711: "failed"})

    def test_a_line_waiting_keeps_the_outcome_of_an_event_applied_before_its_page(self):
        message = of_import(envelope("woo.product.updated"), self.shop_import.id)
        self.process(message)
        self.Import._progress(
            self.shop_import.id,
            "product",
            [
                {
                    "idempotency_key": message["idempotency_key"],
                    "woo_id": 122,
                    "event_type": "woo.product.updated",
                }
            ],
        )
        self.assertEqual(self.shop_import.line_ids.outcome, "matched")
        self.assertEqual(self.shop_import.waiting_count, 0)

    def test_an_envelope_that_fails_the_contract_fails_its_line(self):
        message = of_import(envelope("woo.product.updated"), self.shop_import.id)
        self.Import._progress(
            self.shop_import.id,
            "product",
            [{"idempotency_key": message["idempotency_key"], "woo_id": 122}],
        )
        message["data"]["id"] = "not a number"
        self.assertEqual(self.process(message)["status"], "failed")
        self.assertEqual(self.shop_import.line_ids.outcome, "failed")
        self.assertIn("Invalid envelope", self.shop_import.line_ids.message)
        self.assertEqual(self.shop_import.waiting_count, 0)

    def test_an_event_of_a_deleted_import_is_applied_all_the_same(self):
        message = of_import(envelope("woo.product.updated"), self.shop_import.id + 1000)
        self.assertEqual(self.process(message)["status"], "processed")
        self.assertFalse(self.env["integration.import.line"].search([]))


@tagged("-at_install", "post_install")
class TestImportAsIntegrationUser(WorkerCase):
    """The import job's calls and an imported event, over HTTP with the workers' API key."""

    def call(self, route: str, params: dict) -> dict:
        return self.make_jsonrpc_request(
            f"/elitaco/v1/imports/{route}",
            params,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def test_the_workers_read_an_import_and_its_events_fill_the_report(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        run = self.env["integration.import"].create({"store_url": SHOP, "import_customers": False})
        run.action_start()
        begun = self.call("begin", {"import_id": run.id})
        self.assertEqual([step["resource"] for step in begun["steps"]], ["product", "order"])
        message = of_import(
            envelope("woo.product.updated", id=130, sku="MUG-HTTP", type="simple", parent_id=0),
            run.id,
        )
        page = [
            {
                "idempotency_key": message["idempotency_key"],
                "woo_id": 130,
                "event_type": message["event_type"],
            }
        ]
        self.call(
            "progress", {"import_id": run.id, "resource": "product", "events": page, "done": True}
        )
        self.assertEqual(run.waiting_count, 1)
        self.assertEqual(self.post_event(message, self.api_key)["status"], "processed")
        run.invalidate_recordset()
        self.assertEqual((run.waiting_count, run.created_count), (0, 1))
        self.assertEqual(run.line_ids.create_uid, self.worker)
        answer = self.call("failed", {"import_id": run.id, "error": "store down", "final": True})
        self.assertEqual(answer["status"], "failed")
