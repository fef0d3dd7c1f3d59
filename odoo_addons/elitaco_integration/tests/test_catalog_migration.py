import importlib.util
from pathlib import Path

from .common import STORE, IntegrationCase

SCRIPT = Path(__file__).resolve().parents[1] / "migrations/18.0.1.7.0/post-people-catalog.py"


def migration():
    spec = importlib.util.spec_from_file_location("elitaco_migration_people_catalog", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestCatalogMigration(IntegrationCase):
    """A database from before: its variants shown, its WooCommerce products ticked as sold
    there, its statuses titled and the codes its store sent listed."""

    def test_18_0_1_7_0_shows_what_the_store_made(self):
        params = self.env["ir.config_parameter"]
        params.set_param("elitaco_integration.product_master", "woo")
        variants = self.env.ref("product.group_product_variant")
        employees = self.env.ref("base.group_user")
        employees._remove_group(variants)
        shirt = self.env["product.template"].create({"name": "Linen Shirt"})
        apron = self.env["product.template"].create({"name": "Apron"})
        self.env["integration.binding"]._bind(STORE, shirt, 120)
        self.env["integration.binding"]._bind(STORE, self.socks, 131)
        pending = self.env.ref("elitaco_integration.value_map_status_pending")
        pending.woo_title = False
        self.process(
            "woo.order.created", payment_method="cod", payment_method_title="Cash on delivery"
        )
        self.assertFalse(shirt.woo_publish or self.socks.woo_publish)
        self.env.flush_all()

        migration().migrate(self.env.cr, "18.0.1.6.0")
        self.env.invalidate_all()

        self.assertIn(variants, employees.implied_ids)
        self.assertTrue(shirt.woo_publish)
        self.assertTrue(self.socks.woo_publish)
        self.assertFalse(apron.woo_publish, "not in the store")
        self.assertEqual(pending.woo_title, "Pending payment")
        cod = self.env["integration.value.map"].search(
            [("kind", "=", "payment_method"), ("woo_value", "=", "cod")]
        )
        self.assertEqual(cod.woo_title, "Cash on delivery")

    def test_18_0_1_7_0_leaves_odoo_masters_choices(self):
        """Odoo as master: 'Sell in WooCommerce' makes Odoo push; it stays the shop's choice."""
        self.env["integration.binding"]._bind(STORE, self.socks, 131)
        migration().migrate(self.env.cr, "18.0.1.6.0")
        self.env.invalidate_all()
        self.assertFalse(self.socks.woo_publish)
