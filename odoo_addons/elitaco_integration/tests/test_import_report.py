import importlib.util
from pathlib import Path

from .common import envelope
from .test_import import MASTER, SHOP, ImportCase, of_import

MIGRATION = Path(__file__).resolve().parents[1] / "migrations/18.0.1.7.0/post-import-report.py"


class TestImportReportAgrees(ImportCase):
    """What an import's report says of a record, its state and its buttons agree."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")
        cls.run_ = cls.Import.create({"store_url": SHOP})
        cls.run_.action_start()
        cls.Import._begin(cls.run_.id)

    def imported(self, event_type: str, **changes) -> dict:
        return of_import(envelope(event_type, **changes), self.run_.id)

    def read_all(self) -> None:
        for resource in ("product", "customer", "order"):
            self.Import._progress(self.run_.id, resource, [], None, done=True)

    def line(self, woo_id: int):
        return self.run_.line_ids.filtered(lambda line: line.woo_id == woo_id)

    def test_an_event_of_the_import_delivered_again_keeps_what_it_did(self):
        """A worker's call that timed out after Odoo committed, or a failed import started
        again, hands Odoo the same event: it is a duplicate, and the line keeps its outcome."""
        mug = self.imported("woo.product.updated", id=124, sku="MUG", type="simple", parent_id=0)
        self.process(mug)
        self.assertEqual(self.line(124).outcome, "created")
        self.assertEqual(self.process(mug)["status"], "duplicate")
        self.assertEqual((self.line(124).outcome, self.run_.created_count), ("created", 1))
        self.assertIn("created as", self.line(124).message)

    def test_a_state_applied_before_the_import_is_unchanged_and_says_so(self):
        webhook = envelope("woo.product.updated", id=124, sku="MUG", type="simple", parent_id=0)
        self.process(webhook)  # the webhook created it before the import read it
        self.process(of_import(dict(webhook), self.run_.id))
        line = self.line(124)
        self.assertEqual(line.outcome, "unchanged")
        self.assertNotIn("created", line.message)
        self.assertIn("before this import", line.message)
        self.assertIn("MUG", line.result_name)

    def test_an_unmatched_customer_says_why_not_that_it_was_created(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.customer_match", "email")
        for name in ("Zoe Müller", "Z. Müller"):
            self.env["res.partner"].create({"name": name, "email": "zoe.mueller@example.org"})
        self.process(self.imported("woo.customer.updated"))
        line = self.line(27)
        self.assertEqual(line.outcome, "unmatched")
        self.assertIn("Several contacts have the e-mail", line.message)

    def test_an_import_whose_records_failed_is_done_with_errors(self):
        broken = self.imported("woo.product.updated", id=126)
        broken["data"]["id"] = "not a number"
        broken["data"]["sku"] = "BROKEN"
        self.process(broken)
        self.process(self.imported("woo.product.updated", id=124, sku="MUG", parent_id=0))
        self.read_all()
        self.assertEqual(self.run_.state, "done_errors")
        self.assertEqual(self.run_.failed_count, 1)

    def test_a_failure_after_the_reading_turns_done_into_done_with_errors_and_back(self):
        customer = self.imported("woo.customer.updated")
        self.Import._progress(
            self.run_.id,
            "customer",
            [
                {
                    "idempotency_key": customer["idempotency_key"],
                    "woo_id": 27,
                    "event_type": "woo.customer.updated",
                }
            ],
        )
        self.read_all()
        self.assertEqual(self.run_.state, "done")
        order = self.imported("woo.order.created")
        self.assertEqual(self.process(order)["error"]["code"], "waiting", "for its customer")
        self.Event.mark_dead(order["event_id"], "gave up after 3 retries")
        self.assertEqual(self.run_.state, "done_errors")
        self.process(customer)
        self.process(order)  # replayed
        self.assertEqual(self.line(4711).outcome, "created")
        self.assertEqual(self.run_.state, "done", "nothing failed any more")

    def test_a_replay_from_odoo_updates_the_report(self):
        """Integration › Dead letters › Replay on an import's event: its line and the import
        say how the replay went, as for a delivery by the workers."""
        order = self.imported("woo.order.created", currency="XYZ")
        self.process(order)
        self.Event.mark_dead(order["event_id"], "rejected")
        self.read_all()
        self.assertEqual((self.line(4711).outcome, self.run_.state), ("failed", "done_errors"))
        event = self.Event.search([("event_id", "=", order["event_id"])])
        event.payload = dict(event.payload, data=dict(event.payload["data"], currency="EUR"))

        event.action_replay()

        self.assertEqual((self.line(4711).outcome, self.run_.state), ("created", "done"))

    def test_a_line_opens_its_event_and_one_without_an_event_says_why(self):
        self.process(self.imported("woo.product.updated", id=124, sku="MUG", parent_id=0))
        self.Import._progress(
            self.run_.id,
            "product",
            [{"idempotency_key": "woo:125:product.updated:x", "woo_id": 125}],
        )
        action = self.line(124).action_open_event()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["view_mode"]),
            ("integration.event", self.line(124).event_id.id, "form"),
        )
        waiting = self.line(125).action_open_event()
        self.assertEqual(waiting["type"], "ir.actions.client", "no empty event form")
        self.assertIn("not applied yet", waiting["params"]["message"])

    def test_the_report_list_opens_the_event_of_a_clicked_line(self):
        arch = self.env["integration.import.line"].get_views([(False, "list")])["views"]["list"]
        self.assertIn('action="action_open_event"', arch["arch"])

    def test_the_upgrade_marks_finished_imports_with_failures(self):
        broken = self.imported("woo.product.updated", id=126)
        broken["data"]["id"] = "not a number"
        self.process(broken)
        self.read_all()
        self.run_.state = "done"  # as versions before 18.0.1.7.0 left it
        clean = self.Import.create({"store_url": SHOP, "state": "done"})
        self.env.flush_all()
        spec = importlib.util.spec_from_file_location("elitaco_import_report", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.6.0")
        self.env.invalidate_all()
        self.assertEqual((self.run_.state, clean.state), ("done_errors", "done"))
