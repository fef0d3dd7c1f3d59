from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import IntegrationCase


class TestSettingsAndSecurity(IntegrationCase):
    def test_settings_are_stored_as_parameters(self):
        warehouse = self.env["stock.warehouse"].search([], limit=1)
        settings = self.env["res.config.settings"].create(
            {
                "elitaco_store_url": "https://shop.example.com",
                "elitaco_warehouse_id": warehouse.id,
                "elitaco_unknown_sku": "fail",
                "elitaco_product_master": "woo",
            }
        )
        settings.execute()
        params = self.env["ir.config_parameter"]
        self.assertEqual(
            params.get_param("elitaco_integration.store_url"), "https://shop.example.com"
        )
        self.assertNotIn("elitaco_consumer_secret", settings._fields, "the workers' REST keys")
        self.assertEqual(params.get_param("elitaco_integration.unknown_sku"), "fail")
        self.assertEqual(self.env["res.config.settings"]._elitaco_default("warehouse"), warehouse)
        self.assertIn("Processing", settings.elitaco_confirm_statuses, "by WooCommerce's name")
        self.process("woo.order.created", status="processing", line_items=[])
        self.assertEqual(self.woo_order().warehouse_id, warehouse)

    def test_salesperson_reads_the_timeline_but_not_the_secrets(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.consumer_secret", "cs_x")
        self.process("woo.order.created")
        failed = self.process("woo.order.created", id=6000, currency="XYZ")
        salesman = new_test_user(
            self.env, login="sales", groups="sales_team.group_sale_salesman_all_leads"
        )
        order = self.woo_order().with_user(salesman)
        self.assertTrue(order.integration_timeline_ids.mapped("message"))
        self.assertTrue(order.integration_timeline_ids.mapped("event_state"))
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(salesman).search_read(
                [("key", "=", "elitaco_integration.consumer_secret")], ["value"]
            )
        with self.assertRaises(AccessError):
            self.env["integration.value.map"].with_user(salesman).create(
                {"kind": "order_status", "woo_value": "x", "order_action": "confirm"}
            )
        failed_event = self.Event.search([("event_id", "=", failed["event_id"])])
        with self.assertRaises(AccessError):
            failed_event.with_user(salesman).action_replay()

    def test_salespeople_never_read_payloads_and_see_only_their_orders_timelines(self):
        """The payload carries the customer's e-mail, addresses, IP and user agent."""
        self.process("woo.order.created")
        self.process("woo.order.created", id=6100, number="6100")
        own, other = self.woo_order(), self.woo_order(6100)
        seller = new_test_user(self.env, login="own-docs", groups="sales_team.group_sale_salesman")
        own.user_id = seller
        other.user_id = self.env.ref("base.user_admin")
        with self.assertRaises(AccessError):
            self.Event.with_user(seller).search_read([], ["payload"])
        timeline = self.env["integration.timeline"].with_user(seller).search([])
        self.assertTrue(timeline)
        self.assertEqual(timeline.sale_order_id, own, "only the orders the seller may see")
        self.assertTrue(own.with_user(seller).integration_timeline_ids.mapped("event_type"))

    def test_payloads_of_finished_events_are_emptied_after_the_retention(self):
        done = self.process("woo.order.created")
        failed = self.process("woo.order.created", id=6200, currency="XYZ")
        events = self.Event.search([("event_id", "in", (done["event_id"], failed["event_id"]))])
        events.write({"received_at": "2026-01-01 00:00:00"})
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.payload_retention_days", "30"
        )
        self.assertEqual(self.Event._purge_payloads(), 1)
        by_id = {event.event_id: event for event in events}
        self.assertFalse(by_id[done["event_id"]].payload)
        self.assertTrue(by_id[failed["event_id"]].payload, "kept for a replay")
        self.assertTrue(self.env.ref("elitaco_integration.ir_cron_purge_event_payloads").active)

    def test_manager_edits_value_maps_and_replays(self):
        manager = new_test_user(
            self.env,
            login="intman",
            groups="elitaco_integration.group_integration_manager,sales_team.group_sale_salesman",
        )
        value_map = (
            self.env["integration.value.map"]
            .with_user(manager)
            .create(
                {"kind": "order_status", "woo_value": "ready-for-pickup", "order_action": "confirm"}
            )
        )
        self.assertTrue(value_map)
        self.assertTrue(manager.has_group("elitaco_integration.group_integration_user"))
        failed = self.process("woo.order.created", id=6001, currency="XYZ")
        event = self.Event.search([("event_id", "=", failed["event_id"])])
        event.payload = dict(event.payload, data=dict(event.payload["data"], currency="EUR"))
        event.with_user(manager).action_replay()
        self.assertEqual(event.state, "done")

    def test_a_value_map_without_a_target_is_not_mapped_and_not_used(self):
        maps = self.env["integration.value.map"]
        rate = maps.create({"kind": "tax_rate", "woo_value": "9"})
        self.assertEqual(rate.state, "not_mapped")
        self.assertFalse(maps._lookup("tax_rate", "9"))
        rate.tax_id = self.tax_21
        self.assertEqual((rate.state, maps._lookup("tax_rate", "9")), ("mapped", rate))
