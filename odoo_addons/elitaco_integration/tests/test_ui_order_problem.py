"""In a browser: a dead WooCommerce update shows on its order, and the order's own buttons fix
it; Sales finds such orders with its filter."""

from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import order_with_a_dead_update


@tagged("-at_install", "post_install")
class TestOrderProblemUI(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        cls.order, _dead = order_with_a_dead_update(env)
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
