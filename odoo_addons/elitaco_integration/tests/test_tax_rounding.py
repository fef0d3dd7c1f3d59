"""The store's tax rounding ("Round tax at subtotal level, instead of rounding per line") as
the workers read it, against Odoo's company Tax Calculation Rounding Method: Settings says
whether they agree and aligns Odoo's; an order whose VAT took a cent from WooCommerce says it
on its timeline."""

import json

from odoo.tests import tagged

from .common import WorkerCase, envelope
from .test_payments import DATA
from .test_to_the_cent import GrossTaxesCase, renumber_rates

STORE_URL = "https://shop.example.com"


@tagged("-at_install", "post_install")
class TestTaxRounding(GrossTaxesCase, WorkerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.tax_calculation_rounding_method = "round_per_line"
        cls.env["ir.config_parameter"].set_param("elitaco_integration.store_url", STORE_URL)

    def report(self, round_at_subtotal) -> dict:
        return self.make_jsonrpc_request(
            "/elitaco/v1/stores/tax-rounding",
            {"store": STORE_URL, "round_at_subtotal": round_at_subtotal},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def test_settings_say_whether_odoo_rounds_as_the_store_and_align_it(self):
        settings = self.env["res.config.settings"].create({})
        self.assertIn("Not read from the store yet", settings.elitaco_tax_rounding)

        answer = self.report(True)
        self.assertEqual(
            (answer["agree"], answer["store_rounding"], answer["odoo_rounding"]),
            (False, "round_globally", "round_per_line"),
        )
        self.assertIn("rounds tax at the subtotal, Odoo per line", answer["message"])
        store = self.env["integration.store"].search([("key", "=", "shop.example.com")])
        self.assertTrue(store.woo_tax_round_at_subtotal)

        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.elitaco_tax_rounding_differs)
        self.assertIn("Round like WooCommerce", self.settings_view())
        settings.action_elitaco_align_tax_rounding()
        self.assertEqual(self.env.company.tax_calculation_rounding_method, "round_globally")
        self.assertFalse(self.env["res.config.settings"].create({}).elitaco_tax_rounding_differs)

        answer = self.report(True)
        self.assertTrue(answer["agree"], answer)
        self.assertIn("both round tax at the subtotal", answer["message"])
        self.assertFalse(self.report(False)["agree"], "the store changed back: they differ")

    def settings_view(self) -> str:
        return self.env["res.config.settings"].get_view()["arch"]

    def test_a_setting_that_is_not_true_or_false_is_refused(self):
        body = {"jsonrpc": "2.0", "method": "call", "id": 1}
        body["params"] = {"store": STORE_URL, "round_at_subtotal": "yes"}
        response = self.url_open(
            "/elitaco/v1/stores/tax-rounding",
            json.dumps(body),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        error = response.json()["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
        self.assertIn("round_at_subtotal must be true or false", error["message"])
        store = self.env["integration.store"].search([("key", "=", "shop.example.com")])
        self.assertFalse(store.woo_tax_rounding_read_at, "nothing kept")

    def test_an_order_whose_vat_took_a_cent_says_the_roundings_differ(self):
        """The store rounds at the subtotal, Odoo per line: a 3.33 coupon over 19 % and 7 %
        lines (captured) is 1.44 of 7 % VAT in WooCommerce, 1.43 in Odoo. The
        invoice takes WooCommerce's, and the timeline says why they differ and where to align
        them."""
        self.report(True)
        cases = json.loads((DATA / "to_the_cent.json").read_text(encoding="utf-8"))
        case = cases["gross, rounded at subtotal: two rates, 3.33 fixed-cart coupon"]
        message = envelope("woo.order.updated", id=7501, number="7501", **renumber_rates(case, 100))
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        changes = "\n".join(answer["changes"])
        self.assertIn("MwSt 7% (incl.) 1.43 → 1.44", changes)
        self.assertIn("WooCommerce (shop.example.com) rounds tax at the subtotal", changes)
        self.assertIn("Settings › Integration › Tax rounding", changes)
