"""In a browser: a dead WooCommerce update shows on its order, and the order's own buttons fix
it; Sales finds such orders with its filter."""

from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import envelope, woo_taxes


@tagged("-at_install", "post_install")
class TestOrderProblemUI(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        if not env.company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company=env.company, install_demo=False
            )
        woo_taxes(env)
        params = env["ir.config_parameter"]
        params.set_param("elitaco_integration.unknown_sku", "create")
        params.set_param("elitaco_integration.invoice_policy", "paid")
        params.set_param("elitaco_integration.payment_journal_id", "")
        cls.events = env["integration.event"].with_context(elitaco_from_woo=True)
        cls.events.process_envelope(envelope("woo.order.created"))
        cls.events.process_envelope(envelope("woo.order.created", id=4712, number="4712"))
        cls.order = env["sale.order"].search([("woo_order_id", "=", 4711)])
        update = envelope(
            "woo.order.updated", payment_method="cod", date_modified_gmt="2026-02-21T09:00:00"
        )
        answer = cls.events.process_envelope(update)
        assert answer["status"] == "failed", answer
        cls.events.mark_dead(update["event_id"], answer["error"]["message"])
        assert cls.order.integration_problem

    def test_a_manager_maps_the_method_and_replays_from_the_order(self):
        self.start_tour(
            f"/odoo/orders/{self.order.id}",
            "elitaco_order_problem_fixed_from_the_order",
            login="admin",
        )
        self.assertFalse(self.order.integration_problem)
        self.assertEqual(self.order.state, "sale")

    def test_a_replay_that_fails_again_says_why(self):
        self.start_tour(
            f"/odoo/orders/{self.order.id}",
            "elitaco_order_problem_replay_fails_again",
            login="admin",
        )
        self.assertTrue(self.order.integration_problem)

    def test_sales_filters_the_orders_with_integration_problems(self):
        self.start_tour(
            "/odoo/action-sale.action_quotations_with_onboarding",
            "elitaco_sales_filter_integration_problems",
            login="admin",
        )
