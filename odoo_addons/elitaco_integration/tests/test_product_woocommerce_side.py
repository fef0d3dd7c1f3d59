from .common import STORE, IntegrationCase, variable_shirt

MASTER = "elitaco_integration.product_master"


class TestProductWooCommerceSide(IntegrationCase):
    """The product form shows what WooCommerce has of the product: the stores it is bound in
    with their WooCommerce ids, the last sync, and its events."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")

    def variable_shirt(self):
        for message in variable_shirt():
            self.assertEqual(self.process(message)["status"], "processed")
        return self.env["integration.binding"]._find(STORE, "product.template", 120)

    def test_a_variable_product_shows_its_ids_its_last_sync_and_its_events(self):
        template = self.variable_shirt()
        bindings = template.woo_binding_ids
        self.assertEqual(sorted(bindings.mapped("external_id")), [120, 122, 123])
        self.assertEqual(set(bindings.mapped("store")), {STORE})
        self.assertEqual(template.woo_last_sync, max(bindings.mapped("sync_date")))
        self.assertEqual(template.woo_event_count, 3, "the variable product and its variations")
        action = template.action_open_woo_events()
        events = self.Event.search(action["domain"])
        self.assertEqual(len(events), 3)
        self.assertEqual(set(events.mapped("woo_resource_id")), {120, 122, 123})
        variant = template.product_variant_ids[:1]
        self.assertEqual(self.Event.search(variant.action_open_woo_events()["domain"]), events)

    def test_a_product_odoo_never_sent_shows_nothing(self):
        self.variable_shirt()
        self.assertFalse(self.socks.product_tmpl_id.woo_binding_ids)
        self.assertFalse(self.socks.product_tmpl_id.woo_last_sync)
        self.assertEqual(self.socks.product_tmpl_id.woo_event_count, 0)

    def test_a_product_from_woocommerce_shows_sold_in_woocommerce(self):
        self.process("woo.product.created", id=130, sku="NEW-1", type="simple", status="publish")
        product = self.env["product.product"].search([("default_code", "=", "NEW-1")])
        self.assertTrue(product.woo_publish, "the store sells it")
        self.process(
            "woo.product.updated",
            id=130,
            sku="NEW-1",
            type="simple",
            status="draft",
            date_modified_gmt="2030-01-01T00:00:00",
        )
        product = product.with_context(active_test=False)
        self.assertFalse(product.woo_publish, "a draft is not for sale there")
        template = self.variable_shirt()
        self.assertTrue(template.woo_publish)

    def test_salespeople_see_the_last_sync_but_not_the_bindings(self):
        from odoo.tests import new_test_user

        template = self.variable_shirt()
        seller = new_test_user(
            self.env, login="woo-side-seller", groups="sales_team.group_sale_salesman"
        )
        mine = template.with_user(seller)
        self.assertTrue(mine.woo_last_sync)
        self.assertNotIn("woo_binding_ids", mine.fields_get(["woo_binding_ids"]))
