from datetime import timedelta

from odoo import fields

from ..envelope import envelope_problem
from .common import IntegrationCase


class TestOutbox(IntegrationCase):
    def setUp(self):
        super().setUp()
        self.Outbox = self.env["integration.outbox"]
        self.odoo_user_env = self.env(context={})  # a change made in Odoo, not by a Woo event

    def confirmed_order(self):
        self.process("woo.order.updated")  # processing: confirmed, delivery created
        return self.woo_order()

    def test_cancelling_in_odoo_queues_the_cancellation(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        row = self.Outbox.search([("sale_order_id", "=", order.id)])
        self.assertEqual(row.event_type, "odoo.order.cancelled")
        self.assertEqual(row.data["woo_order_id"], 4711)

    def test_a_cancellation_from_woocommerce_does_not_echo(self):
        self.confirmed_order()
        self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(self.woo_order().state, "cancel")
        self.assertFalse(self.Outbox.search([("event_type", "=", "odoo.order.cancelled")]))

    def deliver(self, order):
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_env(self.odoo_user_env)._action_done()
        return picking

    def test_delivery_done_queues_shipped_and_stock(self):
        order = self.confirmed_order()
        picking = self.deliver(order)
        self.assertEqual(picking.state, "done")
        shipped = self.Outbox.search([("event_type", "=", "odoo.order.shipped")])
        self.assertEqual(shipped.sale_order_id, order)
        self.assertEqual(shipped.data["tracking_ref"], picking.name)
        stock = self.Outbox.search([("event_type", "=", "odoo.stock.changed")])
        bound = self.env["integration.binding"].search([("model", "=", "product.product")])
        self.assertEqual(
            set(stock.product_id.ids),
            set(bound.mapped("res_id")),
            "a row for each product bound to WooCommerce that moved",
        )
        self.assertTrue({self.shirt.id, self.socks.id} <= set(stock.product_id.ids))
        self.assertNotIn(self.wrapping, stock.product_id, "not bound: nothing to push")

        envelopes = self.Outbox.claim("worker-a")
        self.assertEqual(len(envelopes), 1 + len(stock))
        for envelope in envelopes:
            self.assertIsNone(envelope_problem(envelope), envelope)
        shirt = next(
            e
            for e in envelopes
            if e["event_type"] == "odoo.stock.changed"
            and e["data"]["items"][0]["odoo_product_id"] == self.shirt.id
        )
        item = shirt["data"]["items"][0]
        self.assertEqual((item["woo_product_id"], item["woo_parent_id"]), (122, 120))
        self.assertEqual(item["stock_quantity"], max(self.shirt.free_qty, 0.0))

    def test_one_pending_stock_row_per_product(self):
        self.env["integration.binding"]._bind("shop.example.com", self.socks, 131)
        self.Outbox.with_env(self.odoo_user_env)._for_stock(self.socks)
        self.Outbox.with_env(self.odoo_user_env)._for_stock(self.socks)
        self.assertEqual(self.Outbox.search_count([("product_id", "=", self.socks.id)]), 1)

    def test_leases_keep_workers_apart_and_expire(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        first = self.Outbox.claim("worker-a", lease_seconds=60)
        self.assertEqual(len(first), 1)
        self.assertEqual(self.Outbox.claim("worker-b"), [], "leased to worker-a")
        row = self.Outbox.search([("event_id", "=", first[0]["event_id"])])
        row.lease_until = fields.Datetime.now() - timedelta(seconds=1)  # worker-a died
        again = self.Outbox.claim("worker-b")
        self.assertEqual([e["event_id"] for e in again], [first[0]["event_id"]])
        self.assertEqual((row.leased_by, row.attempts), ("worker-b", 2))

    def test_acknowledgements_reach_the_timeline_and_failures_end_dead(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        [envelope] = self.Outbox.claim("worker-a")
        self.Outbox.acknowledge(envelope["event_id"], True, '{"status": "cancelled"}')
        row = self.Outbox.search([("event_id", "=", envelope["event_id"])])
        self.assertEqual(row.state, "done")
        self.assertEqual(self.kinds(order)[0], "outbound")

        order.action_draft()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        for _attempt in range(4):
            [envelope] = self.Outbox.claim("worker-a")
            answer = self.Outbox.acknowledge(envelope["event_id"], False, None, "HTTP 500")
        self.assertEqual(answer["status"], "dead")
        self.assertEqual(self.kinds(order)[0], "dead")
        self.assertEqual(self.Outbox.claim("worker-a"), [])
