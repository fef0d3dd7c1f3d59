from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user

from .common import IntegrationCase
from .test_payments import PaymentsCase


class TestSettingsPage(PaymentsCase, IntegrationCase):
    """Settings › Integration: named as its menu, with what Odoo knows of the sync's health,
    and no choice saved that cannot work."""

    def settings_arch(self):
        views = self.env["res.config.settings"].get_views([(False, "form")])
        return etree.fromstring(views["views"]["form"]["arch"])

    def test_the_app_is_named_as_its_menu(self):
        [app] = self.settings_arch().iterfind(".//app[@name='elitaco_integration']")
        menu = self.env.ref("elitaco_integration.integration_menu_root")
        self.assertEqual(app.get("string"), menu.name)

    def test_related_fields_share_a_block(self):
        app = self.settings_arch().find(".//app[@name='elitaco_integration']")
        block_of = {
            field.get("name"): block.get("name")
            for block in app.iterfind("block")
            for field in block.iterfind(".//field")
        }
        self.assertEqual(block_of["elitaco_weight_unit"], block_of["elitaco_product_master"])
        self.assertEqual(block_of["elitaco_dimension_unit"], block_of["elitaco_product_master"])
        self.assertEqual(block_of["elitaco_payment_journal_id"], block_of["elitaco_invoice_policy"])
        self.assertNotEqual(block_of["elitaco_invoice_policy"], block_of["elitaco_warehouse_id"])
        for setting in app.iterfind(".//setting"):
            self.assertTrue(setting.get("help"), f"{setting.get('id')} says what it is for")
        links = {button.get("name") for button in app.iterfind(".//button")}
        for xmlid in (
            "integration_store_action",
            "integration_import_action",
            "integration_value_map_payment_method_action",
            "integration_value_map_order_status_action",
        ):
            action = self.env.ref(f"elitaco_integration.{xmlid}")
            self.assertIn(str(action.id), links, f"a link to {action.name}")

    def test_the_health_line_says_what_odoo_knows(self):
        self.process("woo.order.created")
        failed = self.process("woo.order.created", id=6400, number="6400", currency="XYZ")
        dead = self.process("woo.order.created", id=6401, number="6401", currency="XYZ")
        self.Event.mark_dead(dead["event_id"], "gave up")
        worker = new_test_user(
            self.env, login="health-worker", groups="elitaco_integration.group_integration_user"
        )
        expires = fields.Datetime.now().replace(microsecond=0) + timedelta(days=12)
        self.env["res.users.apikeys"].with_user(worker)._generate(None, "relay workers", expires)

        settings = self.env["res.config.settings"].create({})
        last = max(self.Event.search([]).mapped("received_at"))
        self.assertEqual(settings.elitaco_last_event_at, last)
        self.assertEqual(settings.elitaco_backlog_count, 1, f"{failed['event_id']}: failed")
        self.assertEqual(settings.elitaco_dead_count, 1)
        self.assertEqual(settings.elitaco_api_key_expiry, expires)

    def test_invoice_and_pay_without_a_journal_is_refused_saying_what_to_set(self):
        maps = self.env["integration.value.map"]
        maps.create({"kind": "payment_method", "woo_value": "cod", "woo_title": "Cash on delivery"})
        maps.create(
            {"kind": "payment_method", "woo_value": "stripe", "payment_journal_id": self.bank.id}
        )
        settings = self.env["res.config.settings"].create(
            {"elitaco_invoice_policy": "paid", "elitaco_payment_journal_id": False}
        )
        with self.assertRaisesRegex(ValidationError, "Default payment journal") as refused:
            settings.execute()
        self.assertIn("Cash on delivery", str(refused.exception))
        self.assertNotIn("stripe", str(refused.exception), "it has a journal of its own")
        params = self.env["ir.config_parameter"]
        self.assertEqual(
            params.get_param("elitaco_integration.payment_journal_id"), str(self.bank.id)
        )

        settings.elitaco_payment_journal_id = self.bank
        settings.execute()
        self.assertEqual(params.get_param("elitaco_integration.invoice_policy"), "paid")

    def test_a_payment_method_that_pays_needs_a_journal_somewhere(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.payment_journal_id", "")
        with self.assertRaisesRegex(ValidationError, "Payment journal"):
            self.env["integration.value.map"].create(
                {"kind": "payment_method", "woo_value": "bacs", "invoice_policy": "paid"}
            )
