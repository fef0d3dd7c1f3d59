from odoo.tests import tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestContactTimeline(IntegrationCase):
    """A customer's events have one row each on the contact."""

    def partner(self):
        return self.env["integration.binding"]._find(STORE, "res.partner", 27)

    def test_a_customer_event_leaves_a_row_on_the_contact(self):
        created = envelope("woo.customer.created")
        self.assertEqual(self.process(created)["status"], "processed")
        partner = self.partner()
        [row] = partner.woo_timeline_ids
        self.assertEqual(row.kind, "processed")
        self.assertEqual(row.event_id.event_id, created["event_id"])
        self.assertIn("created as", row.message)
        self.assertEqual(partner.woo_timeline_count, 1)
        self.assertFalse(partner.woo_timeline_level)

        deleted = envelope("woo.customer.deleted")
        self.assertEqual(self.process(deleted)["status"], "processed")
        partner.invalidate_recordset()
        self.assertEqual(partner.woo_timeline_count, 2)
        self.assertIn("the partner is kept", partner.woo_timeline_ids[0].message)

    def test_a_customer_warning_is_said_on_the_contact(self):
        """Two contacts share the customer's e-mail: neither is taken, and the contact made
        says why."""
        self.env["ir.config_parameter"].set_param("elitaco_integration.customer_match", "email")
        for name in ("Zoë M.", "Zoe Mueller"):
            self.env["res.partner"].create({"name": name, "email": "zoe.mueller@example.org"})
        created = envelope("woo.customer.created")
        self.assertEqual(self.process(created)["status"], "processed")
        partner = self.partner()
        [row] = partner.woo_timeline_ids
        self.assertIn("Several contacts have the e-mail", row.warnings)
        self.assertEqual(partner.woo_timeline_level, "warning")
        self.assertIn("Several contacts have the e-mail", partner.woo_timeline_problem)


@tagged("-at_install", "post_install")
class TestContactTimelineAsWorker(WorkerCase):
    def test_the_workers_customer_event_leaves_a_row_on_the_contact(self):
        created = envelope("woo.customer.created")
        self.assertEqual(self.post_event(created, self.api_key)["status"], "processed")
        partner = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        [row] = partner.woo_timeline_ids
        self.assertEqual((row.kind, row.create_uid), ("processed", self.worker))
        self.assertEqual(partner.woo_timeline_count, 1)
