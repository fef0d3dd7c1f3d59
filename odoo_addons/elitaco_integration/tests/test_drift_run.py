"""A drift run as the workers drive it, over HTTP as the Integration User with its API key:
started, pages compared, finished with what it compared; asked for with the button and claimed;
each fix through the pipeline (a read again for the workers, a push in the outbox, an unbind)."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .common import STORE, WorkerCase, envelope


@tagged("post_install", "-at_install")
class TestDriftRun(WorkerCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.store_url", f"https://{STORE}/"
        )
        self.mug = self.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG", "list_price": 12.5, "is_storable": True}
        )
        self.env["integration.binding"]._bind(STORE, self.mug, 501)

    def call(self, route: str, **params):
        return self.make_jsonrpc_request(
            f"/elitaco/v1/drift/{route}",
            params,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def product(self, **changes) -> dict:
        return {
            "id": 501,
            "parent_id": 0,
            "type": "simple",
            "sku": "MUG",
            "name": "Mug",
            "price": "12.50",
            "regular_price": "12.50",
            "manage_stock": True,
            "stock_quantity": 0,
        } | changes

    def test_a_clean_run_says_no_drift_with_what_it_compared(self):
        started = self.call("start", store=f"https://{STORE}", since="2026-01-01T00:00:00Z")
        run_id = started["run_id"]
        self.assertEqual((started["status"], started["since"]), ("running", "2026-01-01T00:00:00"))
        self.assertEqual(
            self.call("products", run_id=run_id, products=[self.product()]), {"drift": 0}
        )
        finished = self.call("finish", run_id=run_id, order_ids=[], product_ids=[501])
        self.assertEqual(finished["drift"], 0)
        self.assertIn("No drift", finished["summary"])
        self.assertIn("1 products", finished["summary"])
        run = self.env["integration.drift"].browse(run_id)
        self.assertEqual((run.state, run.trigger, run.product_count), ("done", "cli", 1))

    def test_drift_found_is_kept_as_lines_and_fixed_through_the_pipeline(self):
        run_id = self.call("start", store=f"https://{STORE}")["run_id"]
        self.call("products", run_id=run_id, products=[self.product(stock_quantity=4)])
        self.call(
            "orders", run_id=run_id, orders=[{"id": 9911, "status": "processing", "total": "5.00"}]
        )
        finished = self.call("finish", run_id=run_id, order_ids=[9911], product_ids=[501])
        self.assertEqual(finished["drift"], 2)
        run = self.env["integration.drift"].browse(run_id)
        stock = run.line_ids.filtered(lambda line: line.kind == "stock")
        missing = run.line_ids.filtered(lambda line: line.kind == "order_missing_odoo")

        stock.action_fix()
        self.assertEqual(stock.fix_state, "sent")
        outbox = self.env["integration.outbox"].search(
            [("product_id", "=", self.mug.id), ("event_type", "=", "odoo.stock.changed")]
        )
        self.assertEqual(outbox.state, "pending")

        missing.action_fix()
        self.assertEqual(missing.fix_state, "requested")
        claimed = self.call("claim", store=f"https://{STORE}")
        self.assertEqual(
            claimed["rereads"], [{"line_id": missing.id, "resource": "order", "woo_id": 9911}]
        )
        self.assertEqual(self.call("claim", store=f"https://{STORE}")["rereads"], [], "leased")
        self.assertEqual(self.call("rereads/sent", line_ids=[missing.id]), {"sent": 1})
        missing.invalidate_recordset()
        self.assertEqual(missing.fix_state, "sent")

    def test_the_button_asks_the_workers_for_a_run(self):
        action = self.env["integration.drift"].action_request_run()
        run = self.env["integration.drift"].browse(action["res_id"])
        self.assertEqual((run.state, run.store), ("requested", STORE))
        self.assertEqual(self.call("claim", store=f"https://{STORE}")["runs"], [run.id])
        self.assertEqual(self.call("claim", store=f"https://{STORE}")["runs"], [], "claimed once")
        self.assertEqual(self.call("begin", run_id=run.id)["status"], "running")
        failed = self.call("failed", run_id=run.id, error="WooCommerce answered 500")
        self.assertEqual(failed["status"], "failed")

    def test_an_order_gone_from_the_store_is_unbound_by_its_button(self):
        self.env["integration.event"].with_context(elitaco_from_woo=True).process_envelope(
            envelope("woo.order.created")
        )
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        run_id = self.call("start", store=f"https://{STORE}", since="2026-01-01T00:00:00")["run_id"]
        self.call("finish", run_id=run_id, order_ids=[], product_ids=[501])
        run = self.env["integration.drift"].browse(run_id)
        [gone] = run.line_ids.filtered(lambda line: line.kind.startswith("order"))
        self.assertEqual((gone.kind, gone.sale_order_id), ("order_missing_woo", order))
        gone.action_fix()
        self.assertFalse(order.woo_order_id)
        self.assertFalse(
            self.env["integration.binding"].search(
                [("model", "=", "sale.order"), ("external_id", "=", 4711)]
            )
        )
        self.assertIn("unbound", " ".join(order.integration_timeline_ids.mapped("message")))

    def test_drift_found_is_an_alert_for_the_managers_and_a_clean_run_clears_it(self):
        run_id = self.call("start", store=f"https://{STORE}")["run_id"]
        self.call("products", run_id=run_id, products=[self.product(stock_quantity=4)])
        self.call("finish", run_id=run_id, order_ids=[], product_ids=[501])
        alert = self.env["integration.alert"].search([("kind", "=", "drift")])
        self.assertEqual((alert.state, alert.count), ("open", 1))
        self.assertIn(f"run {run_id}", alert.message)
        self.assertEqual(len(alert.activity_ids), 1, "one To-Do for the managers")

        clean = self.call("start", store=f"https://{STORE}")["run_id"]
        self.call("products", run_id=clean, products=[self.product()])
        self.call("finish", run_id=clean, order_ids=[], product_ids=[501])
        self.assertEqual(alert.state, "cleared")
        self.assertFalse(alert.activity_ids, "the To-Do is done")

    def test_a_page_that_is_not_a_list_of_records_is_refused(self):
        run_id = self.call("start", store=f"https://{STORE}")["run_id"]
        with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
            self.call("orders", run_id=run_id, orders=[{"status": "processing"}])

    def test_only_managers_fix_drift(self):
        run_id = self.call("start", store=f"https://{STORE}")["run_id"]
        self.call("products", run_id=run_id, products=[self.product(stock_quantity=4)])
        [line] = self.env["integration.drift"].browse(run_id).line_ids
        with self.assertRaisesRegex(AccessError, "Only Integration Managers"):
            line.with_user(self.worker).action_fix()
        self.assertEqual(line.fix_state, "open")
