from .common import IntegrationCase, envelope


class TestCodesTheStoreSent(IntegrationCase):
    """The value maps list every code the store has sent, with WooCommerce's own title, marked
    "not mapped" until someone says what it means in Odoo."""

    def maps(self, kind: str) -> dict:
        found = self.env["integration.value.map"].search([("kind", "=", kind)])
        return {value_map.woo_value: value_map for value_map in found}

    def test_the_codes_of_the_orders_received_are_listed_not_mapped(self):
        self.process(
            "woo.order.created", payment_method="cod", payment_method_title="Cash on delivery"
        )
        self.process("woo.order.created", id=4712, number="4712", status="ready-to-ship")
        self.env["integration.value.map"]._find_codes_sent()

        payments = self.maps("payment_method")
        self.assertEqual(payments["cod"].woo_title, "Cash on delivery")
        self.assertEqual(payments["stripe"].woo_title, "Credit card (Stripe)")
        self.assertEqual(payments["cod"].state, "not_mapped")
        shipping = self.maps("shipping_method")["flat_rate"]
        self.assertEqual((shipping.woo_title, shipping.state), ("DHL Paket", "not_mapped"))
        taxes = self.maps("tax_rate")
        self.assertEqual(taxes["1"].state, "mapped", "mapped already (tests/common.py)")
        self.assertEqual(taxes["2"].woo_title, "MwSt. ermäßigt (7 %)")
        self.assertEqual(taxes["2"].state, "not_mapped")
        self.assertEqual(self.maps("currency")["EUR"].state, "not_mapped")
        self.assertEqual(self.maps("currency")["EUR"].woo_title, "Euro")
        statuses = self.maps("order_status")
        self.assertEqual(statuses["ready-to-ship"].state, "not_mapped")
        self.assertEqual(statuses["ready-to-ship"].woo_title, "Ready to ship", "a plugin's")
        self.assertEqual(statuses["pending"].state, "mapped", "installed with the module")
        self.assertEqual(statuses["pending"].woo_title, "Pending payment")

    def test_a_row_not_mapped_changes_nothing_until_it_is(self):
        self.process("woo.order.created", status="ready-to-ship", line_items=[])
        self.env["integration.value.map"]._find_codes_sent()
        status = self.maps("order_status")["ready-to-ship"]
        self.assertFalse(self.env["integration.value.map"]._lookup("order_status", "ready-to-ship"))
        answer = self.process("woo.order.updated", status="ready-to-ship", line_items=[])
        self.assertEqual(answer["status"], "processed", answer)
        self.assertEqual(self.woo_order().state, "draft", "kept as a quotation, as before")
        status.order_action = "confirm"
        self.assertEqual(status.state, "mapped")
        self.process(
            "woo.order.updated",
            status="ready-to-ship",
            line_items=[],
            date_modified_gmt="2026-03-01T10:00:00",
        )
        self.assertEqual(self.woo_order().state, "sale")

    def test_each_code_is_listed_once_and_the_scan_goes_on_where_it_stopped(self):
        maps = self.env["integration.value.map"]
        self.process(
            "woo.order.created", payment_method="cod", payment_method_title="Cash on delivery"
        )
        maps._find_codes_sent()
        count = maps.search_count([])
        maps._find_codes_sent()
        self.assertEqual(maps.search_count([]), count, "nothing twice")
        self.process(envelope("woo.order.created", id=4713, number="4713", payment_method="paypal"))
        maps._find_codes_sent()
        self.assertIn("paypal", self.maps("payment_method"))

    def test_a_dead_orders_codes_are_listed_too(self):
        failed = self.process("woo.order.created", id=6300, currency="XYZ")
        self.assertEqual(failed["status"], "failed")
        self.env["integration.value.map"]._find_codes_sent()
        self.assertEqual(self.maps("currency")["XYZ"].state, "not_mapped")

    def test_the_button_finds_them_and_says_how_many(self):
        self.process(
            "woo.order.created", payment_method="cod", payment_method_title="Cash on delivery"
        )
        answer = self.env["integration.value.map"].action_find_codes_sent()
        self.assertEqual(answer["type"], "ir.actions.client")
        self.assertIn("cod", self.maps("payment_method"))

    def test_it_runs_by_itself(self):
        cron = self.env.ref("elitaco_integration.ir_cron_find_value_map_codes")
        self.assertTrue(cron.active)
        self.assertIn("_find_codes_sent", cron.code)
