from odoo.tests import new_test_user

from .common import STORE, IntegrationCase, variable_shirt

MASTER = "elitaco_integration.product_master"


class TestVariantsShown(IntegrationCase):
    """Variable WooCommerce products make Odoo variants: Odoo's Product variants setting is
    switched on then, or the product form hides them (no Attributes & Variants tab)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")
        cls.variants = cls.env.ref("product.group_product_variant")
        cls.employees = cls.env.ref("base.group_user")
        cls.employees._remove_group(cls.variants)
        cls.worker = new_test_user(
            cls.env, login="variants-worker", groups="elitaco_integration.group_integration_user"
        )
        cls.seller = new_test_user(cls.env, login="variants-seller", groups="base.group_user")

    def variable_product(self, **changes) -> dict:
        message = variable_shirt(**changes)[0]
        # As the workers apply it: the Integration User, never an administrator.
        return self.Event.with_user(self.worker).process_envelope(message)

    def test_the_first_variable_product_switches_product_variants_on(self):
        self.assertFalse(self.seller.has_group("product.group_product_variant"))
        answer = self.variable_product()
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn(self.variants, self.employees.implied_ids)
        self.assertTrue(self.seller.has_group("product.group_product_variant"))
        self.assertTrue(self.env.ref("base.user_admin").has_group("product.group_product_variant"))
        self.assertFalse(
            self.worker.has_group("base.group_system"), "switched for it, not made an admin"
        )

    def test_simple_products_leave_the_setting_as_it_is(self):
        answer = self.process("woo.product.created", sku="SIMPLE-1", type="simple")
        self.assertEqual(answer["status"], "processed", answer)
        self.assertNotIn(self.variants, self.employees.implied_ids)

    def test_a_variable_product_sold_from_odoo_is_bound_not_switched(self):
        """Odoo as master: the shop set its own variants up; the echo changes no setting."""
        self.env["ir.config_parameter"].set_param(MASTER, "odoo")
        self.variable_product()
        self.assertNotIn(self.variants, self.employees.implied_ids)
        self.assertFalse(self.env["integration.binding"]._find(STORE, "product.template", 120))
