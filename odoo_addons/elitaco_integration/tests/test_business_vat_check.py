"""With base_vat installed, an order whose VAT number Odoo's VAT check refuses is still applied:
the number is kept off the company and the timeline says why. Tagged elitaco_base_vat, outside
the standard tests: scripts/test-odoo runs it once base_vat is installed (the module's own
passes run without it)."""

from odoo.tests import tagged

from .common import WorkerCase
from .test_business_customers import business_order


@tagged("-standard", "-at_install", "post_install", "elitaco_base_vat")
class TestVatRefusedByBaseVat(WorkerCase):
    def test_an_order_with_a_vat_number_base_vat_refuses_is_applied_without_it(self):
        base_vat = self.env["ir.module.module"].search([("name", "=", "base_vat")])
        self.assertEqual(base_vat.state, "installed", "run with base_vat (scripts/test-odoo)")
        answer = self.post_event(business_order(vat="DE123456789"), self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertTrue(order, "the order is applied")
        company = order.partner_id.parent_id
        self.assertEqual((company.name, company.vat), ("Müller GmbH", False))
        [warning] = [w for w in answer["warnings"] if "DE123456789" in w]
        self.assertIn("not set on Müller GmbH: Odoo's VAT check refused it", warning)
        self.assertIn("does not seem to be valid", warning, "base_vat's reason")
        self.assertIn("DE123456788", warning, "the format base_vat expects")
        rows = self.env["integration.timeline"].search([("sale_order_id", "=", order.id)])
        self.assertTrue(any("DE123456789" in row.story for row in rows), rows.mapped("story"))

        valid = business_order(4712, customer_id=0)
        self.assertEqual(self.post_event(valid, self.api_key)["status"], "processed")
        self.assertEqual(company.vat, "DE123456788", "a number base_vat accepts is set")
