from .common import STORE, IntegrationCase
from .test_migrations import migration
from .test_store_settings import UNKNOWN_LINE

PREFIX = "elitaco_integration."


class TestStoreSettingsMigration(IntegrationCase):
    """A database from before several stores: what Settings held (system parameters) becomes
    its store's settings on upgrade, so that the shop sees no change."""

    def parameters_before(self, values: dict) -> None:
        """The parameters as 18.0.1.9.0 kept them (created, not set: nothing else follows)."""
        params = self.env["ir.config_parameter"]
        for key, value in values.items():
            params.search([("key", "=", PREFIX + key)]).unlink()
            params.create({"key": PREFIX + key, "value": value})

    def test_18_0_1_10_0_puts_the_settings_on_the_store_in_settings(self):
        warehouse = self.env["stock.warehouse"].search([], limit=1)
        team = self.env["crm.team"].create({"name": "Web shop"})
        pricelist = self.env["product.pricelist"].create({"name": "Shop"})
        self.parameters_before(
            {
                "store_url": f"https://{STORE}/",
                "warehouse_id": str(warehouse.id),
                "team_id": str(team.id),
                "salesperson_id": str(self.env.user.id),
                "pricelist_id": str(pricelist.id),
                "invoice_policy": "completed",
                "gateway_refunds": "True",
                "product_master": "woo",
                "unknown_sku": "fail",
                "customer_match": "email",
                "payload_retention_days": "30",
            }
        )
        stores = self.env["integration.store"].with_context(active_test=False)
        other = stores.create({"name": "Other", "url": "https://other.example.com"})
        self.assertEqual(other.unknown_sku, "create", "not the store in Settings: the defaults")
        self.assertFalse(stores.search([("key", "=", STORE)]), "not a record yet")

        migration("18.0.1.10.0", "post-store-settings").migrate(self.env.cr, "18.0.1.9.0")
        migration("18.0.1.10.0", "post-store-settings").migrate(self.env.cr, "18.0.1.9.0")

        store = stores.search([("key", "=", STORE)])
        self.assertEqual(len(store), 1, "made once")
        for one in (store, other):
            self.assertEqual(
                (
                    one.warehouse_id,
                    one.team_id,
                    one.salesperson_id,
                    one.pricelist_id,
                    one.invoice_policy,
                    one.gateway_refunds,
                    one.product_master,
                    one.unknown_sku,
                    one.customer_match,
                    one.payload_retention_days,
                ),
                (warehouse, team, self.env.user, pricelist, "completed", True, "woo", "fail")
                + ("email", 30),
                f"{one.name}: as Settings said, for every store Odoo had",
            )
        self.assertEqual(self.env["integration.store"]._for_key(STORE), store)

    def test_18_0_1_10_0_without_a_store_in_settings_changes_nothing(self):
        self.parameters_before({"unknown_sku": "fail"})
        self.env["ir.config_parameter"].search([("key", "=", PREFIX + "store_url")]).unlink()
        migration("18.0.1.10.0", "post-store-settings").migrate(self.env.cr, "18.0.1.9.0")
        self.assertFalse(self.env["integration.store"].search([]))
        answer = self.process("woo.order.created", line_items=[UNKNOWN_LINE])
        self.assertEqual(answer["status"], "failed", "the parameter still says fail")
        self.assertIn("no Odoo product with SKU 'GIFT-NEW'", answer["error"]["message"])
