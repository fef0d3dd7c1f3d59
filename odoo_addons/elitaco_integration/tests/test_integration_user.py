from odoo.tests import tagged

from .common import WorkerCase, envelope, woo_taxes


@tagged("-at_install", "post_install")
class TestAsIntegrationUser(WorkerCase):
    """Every path a worker takes that changes an order, customer or product, over HTTP, as a
    real Integration User with its API key (never as superuser): Odoo flushes a request's
    writes with the request's user, so rights missing for any model touched on the way (an
    order line while cancelling) refuse the change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        woo_taxes(cls.env)  # an order confirmed needs an Odoo tax for each rate it was charged

    def post(self, message: dict) -> dict:
        return self.post_event(message, self.api_key)

    def order(self, woo_id: int = 4711):
        return self.env["sale.order"].search([("woo_order_id", "=", woo_id)])

    def confirmed_order(self):
        self.assertEqual(self.post(envelope("woo.order.created"))["status"], "processed")
        self.assertEqual(self.post(envelope("woo.order.updated"))["status"], "processed")
        order = self.order()
        self.assertEqual(order.state, "sale")
        self.assertIn("DHL Paket", order.order_line.mapped("name"), "an order with shipping")
        self.assertEqual(order.create_uid, self.worker)
        return order

    def test_the_integration_user_has_what_applying_events_takes_and_no_more(self):
        self.assertTrue(self.worker.has_group("sales_team.group_sale_salesman_all_leads"))
        self.assertTrue(self.worker.has_group("base.group_partner_manager"))
        for group in (
            "sales_team.group_sale_manager",
            "base.group_system",
            "stock.group_stock_user",
        ):
            self.assertFalse(self.worker.has_group(group), group)

    def test_cancelled_in_woocommerce_cancels_the_confirmed_order(self):
        order = self.confirmed_order()
        answer = self.post(
            envelope(
                "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
            )
        )
        self.assertEqual(answer["status"], "processed", answer)
        self.assertEqual(order.state, "cancel")
        self.assertFalse(
            [m for m in order.integration_timeline_ids.mapped("message") if "refused" in m]
        )
        restored = self.post(
            envelope("woo.order.restored", date_modified_gmt="2026-02-21T10:00:00")
        )
        self.assertEqual(restored["status"], "processed", restored)
        self.assertEqual(order.state, "sale", "restored as processing: confirmed again")

    def test_trashed_in_woocommerce_cancels_the_confirmed_order(self):
        order = self.confirmed_order()
        answer = self.post(envelope("woo.order.deleted"))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertEqual((order.state, order.woo_status), ("cancel", "trash"))

    def test_a_refused_cancellation_is_a_failed_event_dead_at_once_then_replayed(self):
        order = self.confirmed_order()
        order.action_lock()
        message = envelope(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        answer = self.post(message)
        self.assertEqual(answer["status"], "failed", answer)
        self.assertFalse(answer["error"]["retryable"], "Odoo would refuse it again")
        self.assertIn("locked", answer["error"]["message"])
        self.assertEqual(order.state, "sale")
        event = self.env["integration.event"].search([("event_id", "=", message["event_id"])])
        self.assertEqual(event.state, "failed")

        order.action_unlock()
        event.action_replay()
        self.assertEqual(event.state, "done")
        self.assertEqual(order.state, "cancel")

    def test_customer_and_product_events(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.product_master", "woo")
        self.assertEqual(self.post(envelope("woo.customer.created"))["status"], "processed")
        partner = self.env["res.partner"].search([("email", "=", "zoe.mueller@example.org")])
        self.assertEqual(partner.create_uid, self.worker)
        self.assertEqual(self.post(envelope("woo.product.created"))["status"], "processed")
        socks = self.env["product.product"].search([("default_code", "=", "SOCKS-ORG")])
        self.assertTrue(socks.is_storable, "WooCommerce manages its stock: Odoo tracks it")
        self.assertEqual(self.post(envelope("woo.product.deleted"))["status"], "processed")
        self.assertFalse(socks.active)

    def test_a_variable_product_and_its_variations(self):
        """New attributes, their values, the template and its variants, as the workers make
        them; an order line of a variation is its variant."""
        self.env["ir.config_parameter"].set_param("elitaco_integration.product_master", "woo")
        variable = envelope(
            "woo.product.created",
            id=220,
            type="variable",
            sku="TEE",
            name="Tee",
            price="15.00",
            manage_stock=True,
            attributes=[
                {"id": 0, "name": "Tee colour", "variation": True, "options": ["Sand", "Ink"]}
            ],
        )
        self.assertEqual(self.post(variable)["status"], "processed")
        answer = self.post(
            envelope(
                "woo.product.updated",
                id=221,
                parent_id=220,
                sku="TEE-INK",
                attributes=[{"id": 0, "name": "Tee colour", "option": "Ink"}],
            )
        )
        self.assertEqual(answer["status"], "processed", answer)
        variant = self.env["product.product"].search([("default_code", "=", "TEE-INK")])
        self.assertEqual(variant.product_tmpl_id.name, "Tee")
        self.assertEqual(variant.product_template_attribute_value_ids.name, "Ink")
        self.assertTrue(variant.is_storable, "the variable product manages its stock")
        self.assertEqual(variant.create_uid, self.worker)

    def test_a_sale_price_rule_made_and_ended(self):
        params = self.env["ir.config_parameter"]
        params.set_param("elitaco_integration.product_master", "woo")
        pricelist = self.env["product.pricelist"].create({"name": "Shop"})
        params.set_param("elitaco_integration.pricelist_id", pricelist.id)
        on_sale = envelope("woo.product.created", id=330, sku="SALE-1", sale_price="5.00")
        self.assertEqual(self.post(on_sale)["status"], "processed")
        self.assertEqual(pricelist.item_ids.fixed_price, 5.0)
        self.assertEqual(pricelist.item_ids.create_uid, self.worker)
        ended = envelope(
            "woo.product.updated",
            id=330,
            sku="SALE-1",
            type="simple",
            parent_id=0,
            sale_price="",
            date_modified_gmt="2026-03-01T00:00:00",
        )
        self.assertEqual(self.post(ended)["status"], "processed")
        self.assertFalse(pricelist.item_ids)
