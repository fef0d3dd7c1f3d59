from odoo.tests import tagged

from .common import STORE, IntegrationCase, envelope
from .test_migrations import migration
from .test_variant_prices import ADDING_UP, MASTER, PRICELIST, variable_shirt, variation


@tagged("-at_install", "post_install")
class TestCatalogTimelineMigration(IntegrationCase):
    def test_18_0_1_9_0_gives_past_product_and_customer_events_their_rows(self):
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        params.set_param(PRICELIST, "")
        self.process(variable_shirt())
        for woo_id, price in ADDING_UP.items():
            self.process(variation(woo_id, price))
        warned = variation(143, 24, "2026-03-01T00:00:00")
        self.assertTrue(self.process(warned)["warnings"])
        self.process(envelope("woo.customer.created"))
        self.process(envelope("woo.order.created"))
        timeline = self.env["integration.timeline"]
        order_rows = timeline.search([("sale_order_id", "!=", False)])
        # Before 18.0.1.9.0 only orders had rows.
        timeline.search([("sale_order_id", "=", False)]).unlink()
        self.env.invalidate_all()

        migration("18.0.1.9.0", "post-catalog-timeline").migrate(self.env.cr, "18.0.1.8.0")
        self.env.invalidate_all()

        bindings = self.env["integration.binding"]
        template = bindings._find(STORE, "product.template", 120)
        self.assertEqual(template.woo_timeline_count, 2 + len(ADDING_UP))
        [row] = template.woo_timeline_ids.filtered(
            lambda row: row.event_id.event_id == warned["event_id"]
        )
        self.assertEqual(
            (row.kind, row.product_id), ("processed", bindings._find(STORE, "product.product", 143))
        )
        self.assertIn("set a default pricelist", row.warnings)
        self.assertEqual(row.at, row.event_id.processed_at)
        partner = bindings._find(STORE, "res.partner", 27)
        self.assertEqual(partner.woo_timeline_ids.kind, "processed")
        self.assertEqual(timeline.search([("sale_order_id", "!=", False)]), order_rows)
        migration("18.0.1.9.0", "post-catalog-timeline").migrate(self.env.cr, "18.0.1.8.0")
        self.env.invalidate_all()
        self.assertEqual(template.woo_timeline_count, 2 + len(ADDING_UP), "run twice: once")
