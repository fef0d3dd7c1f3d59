from odoo.tests import new_test_user
from odoo.tests.common import TransactionCase

from .common import STORE, envelope, variable_shirt, woo_taxes

SHOP = "https://shop.example.com"


class TestImportChatter(TransactionCase):
    """An import's records are history: Odoo's mail writes no "created" message, no tracking
    values, no "created from" note and no followers for them (the customer of an order
    included). A live event's records keep their chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mail as it is in production: not the tests' usual DISABLED_MAIL_CONTEXT.
        cls.env = cls.env(context=dict(cls.env.context, elitaco_from_woo=True))
        params = cls.env["ir.config_parameter"]
        params.set_param("elitaco_integration.unknown_sku", "create")
        params.set_param("elitaco_integration.product_master", "woo")
        woo_taxes(cls.env)
        products = cls.env["product.product"]
        products.create({"name": "Linen Shirt", "default_code": "SHIRT-LINEN-BLU-M"})
        products.create({"name": "Socks", "default_code": "SOCKS-ORG"})
        wrapping = products.create({"name": "Gift wrapping", "type": "service"})
        cls.env["integration.binding"]._bind(STORE, wrapping, 140)
        cls.worker = new_test_user(
            cls.env, login="rq-worker", groups="elitaco_integration.group_integration_user"
        )
        cls.events = cls.env["integration.event"].with_user(cls.worker)
        cls.the_import = cls.env["integration.import"].create({"store_url": SHOP, "state": "done"})

    def apply(self, message: dict, imported: bool) -> dict:
        if imported:
            message["meta"] = dict(message.get("meta") or {}, import_id=self.the_import.id)
        answer = self.events.process_envelope(message)
        self.assertEqual(answer["status"], "processed", answer)
        # Tracking values are written when the transaction commits.
        self.env.flush_all()
        self.env.cr.precommit.run()
        return answer

    def chatter(self, records) -> tuple:
        """(messages, tracking values, whether the workers' user follows) of `records`."""
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", records._name), ("res_id", "in", records.ids)])
        )
        follows = self.env["mail.followers"].search_count(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("partner_id", "=", self.worker.partner_id.id),
            ]
        )
        return messages, messages.tracking_value_ids, bool(follows)

    def followers(self, records):
        return (
            self.env["mail.followers"]
            .search([("res_model", "=", records._name), ("res_id", "in", records.ids)])
            .partner_id
        )

    def order(self, imported: bool, woo_id: int):
        message = envelope("woo.order.updated", id=woo_id, number=str(woo_id), status="completed")
        self.apply(message, imported)
        order = self.env["sale.order"].search([("woo_order_id", "=", woo_id)])
        self.assertEqual(order.state, "sale")
        return order

    def test_an_imported_order_writes_no_chatter_and_keeps_its_report_and_timeline(self):
        order = self.order(imported=True, woo_id=4711)
        delivery = order.picking_ids
        self.assertTrue(delivery)
        self.assertIn(order.name, delivery.origin, "what the origin note would have said")
        for records in (order, delivery, order.partner_id):
            messages, tracking, follows = self.chatter(records)
            self.assertFalse(messages, records)
            self.assertFalse(tracking, records)
            self.assertFalse(follows, records)
            self.assertFalse(self.followers(records), records)
        line = self.the_import.line_ids.filtered(lambda line: line.woo_id == 4711)
        self.assertEqual((line.outcome, line.result_id), ("created", order.id))
        timeline = self.env["integration.timeline"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(timeline.mapped("kind"), ["processed"])

    def test_a_live_order_keeps_its_chatter(self):
        order = self.order(imported=False, woo_id=4712)
        self.assertTrue(self.chatter(order)[0], "the order's creation")
        self.assertEqual(len(self.chatter(order.picking_ids)[0]), 2, "its creation, its origin")
        self.assertIn(order.partner_id, self.followers(order))
        self.assertIn(order.partner_shipping_id, self.followers(order.picking_ids))
        self.assertFalse(self.the_import.line_ids)

    def cancelled_order(self, imported: bool, woo_id: int):
        """The order applied, then cancelled in WooCommerce: its state changes."""
        order = self.order(imported, woo_id)
        message = envelope(
            "woo.order.updated",
            id=woo_id,
            number=str(woo_id),
            status="cancelled",
            date_modified_gmt="2026-02-21T09:00:00",
        )
        self.apply(message, imported)
        self.assertEqual(order.state, "cancel")
        return order

    def test_an_imported_order_cancelled_tracks_nothing(self):
        order = self.cancelled_order(imported=True, woo_id=4713)
        messages, tracking, _follows = self.chatter(order)
        self.assertFalse(messages | tracking.mail_message_id)
        messages, tracking, _follows = self.chatter(order.picking_ids)
        self.assertFalse(messages | tracking.mail_message_id, "its delivery cancelled, untracked")

    def test_a_live_order_cancelled_tracks_its_state(self):
        order = self.cancelled_order(imported=False, woo_id=4714)
        tracking = self.chatter(order)[1]
        self.assertIn("state", tracking.field_id.mapped("name"))

    def product(self, imported: bool, woo_id: int):
        first, *variations = variable_shirt(id=woo_id, sku=f"SHIRT-{woo_id}")
        self.apply(first, imported)
        for n, variation in enumerate(variations):
            data = dict(variation["data"], id=woo_id + 1 + n, parent_id=woo_id)
            data["sku"] = f"SHIRT-{woo_id}-{n}"
            self.apply(envelope("woo.product.updated", data), imported)
        binding = self.env["integration.binding"]._find(STORE, "product.template", woo_id)
        self.assertEqual(len(binding.product_variant_ids), 2)
        return binding

    def test_an_imported_product_writes_no_chatter(self):
        template = self.product(imported=True, woo_id=900)
        for records in (template, template.product_variant_ids):
            messages, tracking, follows = self.chatter(records)
            self.assertFalse(messages | tracking.mail_message_id, records)
            self.assertFalse(follows)
        self.assertEqual(set(self.the_import.line_ids.mapped("outcome")), {"created"})
        self.assertEqual(len(self.the_import.line_ids), 3)

    def test_a_live_product_keeps_its_chatter(self):
        template = self.product(imported=False, woo_id=910)
        self.assertTrue(self.chatter(template)[0], "the product's creation")

    def customer(self, imported: bool, woo_id: int):
        email = f"kim-{woo_id}@example.com"
        message = envelope("woo.customer.updated", id=woo_id, email=email)
        answer = self.apply(message, imported)
        return self.env["res.partner"].browse(answer["record"]["id"])

    def test_an_imported_customer_writes_no_chatter(self):
        partner = self.customer(imported=True, woo_id=5001)
        messages, tracking, follows = self.chatter(partner | partner.child_ids)
        self.assertFalse(messages)
        self.assertFalse(tracking)
        self.assertFalse(follows)
        self.assertEqual(self.the_import.line_ids.outcome, "created")

    def test_a_live_customer_keeps_its_chatter(self):
        partner = self.customer(imported=False, woo_id=5002)
        self.assertTrue(self.chatter(partner)[0], "the contact's creation")
