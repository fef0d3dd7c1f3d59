from odoo.tests import HttpCase, new_test_user, tagged

from .common import STORE, envelope, variable_shirt


@tagged("-at_install", "post_install")
class TestCatalogTours(HttpCase):
    """The screens, as a manager uses them (static/tests/tours/)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=cls.env.company, install_demo=False
            )
        cls.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "create")
        cls.events = cls.env["integration.event"].with_context(elitaco_from_woo=True)
        cls.manager = new_test_user(
            cls.env,
            login="woo-manager",
            groups="base.group_user,base.group_system,sales_team.group_sale_manager,"
            "account.group_account_invoice,elitaco_integration.group_integration_manager",
        )

    def test_a_manager_maps_a_payment_method_the_store_sent(self):
        self.events.process_envelope(
            envelope(
                "woo.order.created", payment_method="cod", payment_method_title="Cash on delivery"
            )
        )
        self.start_tour("/odoo", "elitaco_map_a_payment_method", login="woo-manager")
        cod = self.env["integration.value.map"].search(
            [("kind", "=", "payment_method"), ("woo_value", "=", "cod")]
        )
        self.assertEqual(cod.payment_journal_id.type, "cash")
        self.assertEqual(cod.state, "mapped")

    def test_the_product_form_shows_its_woocommerce_side(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.product_master", "woo")
        for message in variable_shirt():
            self.events.process_envelope(message)
        template = self.env["integration.binding"]._find(STORE, "product.template", 120)
        self.start_tour(
            f"/odoo/action-product.product_template_action_all/{template.id}",
            "elitaco_product_woocommerce_side",
            login="woo-manager",
        )

    def test_settings_show_the_health_and_refuse_what_cannot_work(self):
        params = self.env["ir.config_parameter"]
        params.set_param("elitaco_integration.invoice_policy", "none")
        params.set_param("elitaco_integration.payment_journal_id", "")
        answer = self.events.process_envelope(
            envelope(
                "woo.order.created",
                payment_method="cod",
                payment_method_title="Cash on delivery",
                currency="XYZ",
            )
        )
        self.events.mark_dead(answer["event_id"], "gave up")
        self.env["integration.value.map"]._find_codes_sent()
        self.start_tour(
            "/odoo/action-elitaco_integration.res_config_settings_action",
            "elitaco_settings_integration",
            login="woo-manager",
        )
        self.assertEqual(params.get_param("elitaco_integration.invoice_policy"), "none")
