"""A customer who buys for a company: the company becomes a contact of its own with the VAT
number the store's VAT plugin kept, the person sits under it, and Odoo's fiscal position for
VAT-registered EU buyers applies where WooCommerce charged no VAT (reverse charge)."""

from odoo.tests import tagged

from .common import IntegrationCase, WorkerCase, envelope, example

VAT = "DE123456788"


def business_order(woo_id: int = 4711, vat: str = VAT, **changes) -> dict:
    """Order 4711 by Zoë for Müller GmbH, VAT number in the order's meta, no VAT charged."""
    data = example("woo.order.created")["data"]
    line = dict(
        data["line_items"][0],
        subtotal="40.00",
        subtotal_tax="0.00",
        total="40.00",
        total_tax="0.00",
        taxes=[],
    )
    shipping = dict(data["shipping_lines"][0], total_tax="0.00", taxes=[])
    values = {
        "id": woo_id,
        "number": str(woo_id),
        "billing": dict(data["billing"], company="Müller GmbH"),
        "meta_data": [{"id": 1, "key": "_billing_vat_id", "value": vat}],
        "line_items": [line],
        "shipping_lines": [shipping],
        "tax_lines": [],
        "coupon_lines": [],
        "fee_lines": [],
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total_tax": "0.00",
        "total": "44.90",
    }
    return envelope("woo.order.created", **(values | changes))


class TestBusinessCustomers(IntegrationCase):
    def test_the_billing_company_is_a_company_with_its_vat_and_the_person_under_it(self):
        answer = self.process(business_order())
        self.assertEqual(answer["status"], "processed", answer)
        order = self.woo_order()
        person = order.partner_id
        company = person.parent_id
        self.assertEqual((person.name, person.is_company), ("Zoë Müller-Lüdenscheidt", False))
        self.assertEqual((company.name, company.is_company), ("Müller GmbH", True))
        self.assertEqual(company.vat, VAT)
        self.assertEqual((company.city, company.country_id.code), ("Köln", "DE"))
        self.assertEqual(order.partner_id.commercial_partner_id, company)
        self.assertEqual(order.amount_total, 44.90, "no VAT, as WooCommerce charged none")

        colleague = business_order(
            4712,
            customer_id=0,
            billing=dict(
                example("woo.order.created")["data"]["billing"],
                company="Mueller GmbH (Einkauf)",
                first_name="Hans",
                last_name="Weber",
                email="hans.weber@example.org",
            ),
        )
        self.assertEqual(self.process(colleague)["status"], "processed")
        self.assertEqual(self.woo_order(4712).partner_id.parent_id, company, "one company per VAT")

    def test_the_vat_key_is_a_setting(self):
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.vat_meta_keys", "my_vat_field"
        )
        message = business_order()
        message["data"]["meta_data"] = [
            {"id": 1, "key": "_billing_vat_id", "value": "DE000000000"},
            {"id": 2, "key": "my_vat_field", "value": "de 123 456 788"},
        ]
        self.process(message)
        self.assertEqual(self.woo_order().partner_id.parent_id.vat, VAT)

    def test_a_person_without_a_billing_company_stays_a_private_customer(self):
        self.process("woo.order.created")
        self.assertFalse(self.woo_order().partner_id.parent_id)

    def test_odoos_eu_b2b_fiscal_position_applies_and_the_totals_still_match(self):
        reverse_charge = self.env["account.fiscal.position"].create(
            {
                "name": "EU business (reverse charge)",
                "auto_apply": True,
                "vat_required": True,
                "country_id": self.env.ref("base.de").id,
                "sequence": 1,
            }
        )
        self.process(business_order())
        order = self.woo_order()
        self.assertEqual(order.fiscal_position_id, reverse_charge)
        self.assertEqual(order.amount_tax, 0)
        self.assertEqual(order.amount_total, 44.90)

    def test_a_customer_event_puts_the_customer_under_its_company(self):
        data = example("woo.customer.updated")["data"]
        answer = self.process(
            "woo.customer.updated",
            billing=dict(data["billing"], company="Müller GmbH"),
            meta_data=[{"id": 9, "key": "vat_number", "value": VAT}],
        )
        self.assertEqual(answer["status"], "processed", answer)
        partner = self.env["integration.binding"]._find("shop.example.com", "res.partner", 27)
        self.assertEqual((partner.parent_id.name, partner.parent_id.vat), ("Müller GmbH", VAT))
        self.assertIn("Buys for Müller GmbH.", answer["changes"])


@tagged("-at_install", "post_install")
class TestBusinessCustomersAsIntegrationUser(WorkerCase):
    def test_a_business_order_over_the_workers_path(self):
        answer = self.post_event(business_order(), self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertEqual(order.partner_id.parent_id.name, "Müller GmbH")
        self.assertEqual(order.partner_id.parent_id.vat, VAT)
