import importlib.util
from pathlib import Path

from .common import IntegrationCase

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def migration(version: str, name: str = "post-migrate"):
    path = MIGRATIONS / version / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"elitaco_migration_{version}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestMigrations(IntegrationCase):
    def test_18_0_1_2_0_names_each_store_once_and_forgets_the_rest_keys(self):
        params = self.env["ir.config_parameter"]
        params.set_param("elitaco_integration.consumer_secret", "cs_live_secret")
        self.process("woo.order.created")
        order = self.woo_order()
        bindings = self.env["integration.binding"]
        partner = order.partner_id
        old = bindings.create(
            {
                "store": "www.shop.example.com",
                "model": "res.partner",
                "res_id": partner.id,
                "external_id": 501,
            }
        )
        clash = bindings.create(
            {
                "store": "www.shop.example.com",
                "model": "res.partner",
                "res_id": partner.id,
                "external_id": 502,
            }
        )
        bindings.create(
            {
                "store": "shop.example.com",
                "model": "res.partner",
                "res_id": partner.id,
                "external_id": 502,
            }
        )
        order.woo_store = "www.shop.example.com"
        self.env.flush_all()

        migration("18.0.1.2.0").migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()

        self.assertFalse(params.get_param("elitaco_integration.consumer_secret"))
        self.assertEqual(order.woo_store, "shop.example.com")
        self.assertEqual(old.store, "shop.example.com")
        self.assertEqual(clash.store, "www.shop.example.com", "left, and logged, not merged")

    def test_18_0_1_4_0_counts_the_variations_made_products_of_their_own(self):
        standalone = self.env["product.product"].create({"name": "Linen Shirt - Blue, M"})
        self.env["integration.binding"]._bind("shop.example.com", standalone, 122, 120)
        simple = self.env["product.product"].create({"name": "Socks"})
        self.env["integration.binding"]._bind("shop.example.com", simple, 131)
        self.env.flush_all()
        module = migration("18.0.1.4.0")
        self.assertEqual(module.standalone_variations(self.env.cr), [("shop.example.com", 1)])
        with self.assertLogs(module._logger, "WARNING") as logged:
            module.migrate(self.env.cr, "18.0.1.3.0")
        self.assertIn("python -m relay import products", logged.output[0])

    def test_18_0_1_6_0_makes_the_store_in_settings_a_store_record(self):
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.store_url", "https://www.Shop.example.com/"
        )
        migration("18.0.1.6.0").migrate(self.env.cr, "18.0.1.5.0")
        migration("18.0.1.6.0").migrate(self.env.cr, "18.0.1.5.0")
        store = self.env["integration.store"].search([("key", "=", "shop.example.com")])
        self.assertEqual(len(store), 1, "made once")
        self.assertTrue(store.is_default)

    def test_18_0_1_7_0_names_events_as_a_person_knows_them(self):
        self.process("woo.order.updated")
        self.process("woo.customer.updated")
        events = self.Event.search([])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE integration_event SET resource = NULL, woo_label = NULL, woo_status = NULL,"
            " customer_name = NULL, amount_total = NULL, currency_code = NULL"
        )
        purged = events.filtered(lambda event: event.event_type == "woo.customer.updated")
        self.env.cr.execute(
            "UPDATE integration_event SET payload = NULL WHERE id = %s", [purged.id]
        )
        self.env.invalidate_all()

        migration("18.0.1.7.0", "post-event-names").migrate(self.env.cr, "18.0.1.6.0")
        self.env.invalidate_all()

        order = events - purged
        self.assertEqual(order.display_name, "Order #4711 – updated (processing)")
        self.assertEqual(
            (order.customer_name, order.amount_total), ("Zoë Müller-Lüdenscheidt", 67.55)
        )
        self.assertEqual(purged.display_name, "Customer #27 – updated", "by its id, once emptied")

    def test_18_0_1_8_0_folds_the_timeline_into_one_row_per_event(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        [event] = self.Event.search([])
        self.env.flush_all()
        cr = self.env.cr
        # The table as 18.0.1.7.0 left it: a row per step, warnings and duplicates of their own.
        cr.execute(
            "ALTER TABLE integration_timeline DROP CONSTRAINT integration_timeline_event_uniq"
        )
        cr.execute("DELETE FROM integration_timeline")
        cr.execute("ALTER TABLE integration_timeline DROP COLUMN at, DROP COLUMN warnings")
        steps = [
            ("received", "woo.order.updated received.", None),
            ("failed", "Timeout reading Odoo", "Traceback (most recent call last): ..."),
            ("retried", "Attempt 2.", None),
            ("received", "woo.order.updated received.", None),
            ("processed", "WooCommerce order 4711 (processing) is S1.", "Invoice posted."),
            ("warning", "Check the shipping tax.", None),
            ("duplicate", "Duplicate delivery ignored (already done).", None),
        ]
        for kind, message, details in steps:
            cr.execute(
                "INSERT INTO integration_timeline (event_id, sale_order_id, woo_order_id, store,"
                " kind, message, details, create_date) VALUES (%s, %s, 4711, %s, %s, %s, %s,"
                " now() at time zone 'UTC')",
                (event.id, order.id, event.store, kind, message, details),
            )
        cr.execute(
            "INSERT INTO integration_timeline (sale_order_id, woo_order_id, store, kind, message,"
            " create_date) VALUES (%s, 4711, %s, 'warning', 're-bound by Marie',"
            " now() at time zone 'UTC')",
            (order.id, event.store),
        )
        cr.execute("UPDATE integration_event SET attempts = 2 WHERE id = %s", (event.id,))
        self.env.invalidate_all()

        migration("18.0.1.8.0", "pre-timeline-rows").migrate(cr, "18.0.1.7.0")
        self.env.invalidate_all()

        rows = order.integration_timeline_ids
        [row] = rows.filtered("event_id")
        self.assertEqual((row.kind, row.attempts, row.repeats), ("processed", 2, 1))
        self.assertEqual(row.message, "WooCommerce order 4711 (processing) is S1.")
        self.assertEqual(
            (row.details, row.warnings), ("Invoice posted.", "Check the shipping tax.")
        )
        self.assertTrue(row.at)
        [note] = rows - row
        self.assertEqual((note.kind, note.message), ("note", "re-bound by Marie"))
