from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from ..envelope import envelope_problem
from .common import IntegrationCase
from .common import envelope as woo_envelope


class TestStockPush(IntegrationCase):
    """Odoo's stock pushed to WooCommerce through the outbox (integration.woo.stock)."""

    def setUp(self):
        super().setUp()
        self.Outbox = self.env["integration.outbox"]
        self.Stock = self.env["integration.woo.stock"]
        self.odoo_user_env = self.env(context={})  # a change made in Odoo, not by a Woo event

    def make_storable(self, product, on_hand):
        product.is_storable = True
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, on_hand)

    def stock_rows(self, product=None):
        domain = [("event_type", "=", "odoo.stock.changed"), ("state", "=", "pending")]
        return self.Outbox.search(domain + ([("product_id", "=", product.id)] if product else []))

    def confirmed_order(self):
        self.process("woo.order.updated")  # processing: confirmed, delivery created
        return self.woo_order()

    def deliver(self, order):
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_env(self.odoo_user_env)._action_done()
        return picking

    def test_a_delivery_in_two_parts_tells_each_and_the_last_completes(self):
        self.make_storable(self.shirt, 10)
        order = self.confirmed_order()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        shirts = picking.move_ids.filtered(lambda move: move.product_id == self.shirt)
        for move in picking.move_ids:
            move.quantity = 1 if move == shirts else 0
            move.picked = move == shirts
        picking.with_env(self.odoo_user_env).with_context(skip_backorder=True)._action_done()
        backorder = order.picking_ids.filtered(lambda p: p.backorder_id == picking)
        self.assertTrue(backorder, "the rest waits in a backorder")
        [first] = self.Outbox.search([("event_type", "=", "odoo.order.shipped")])
        self.assertEqual(first.data["delivery"], picking.name)
        self.assertFalse(first.data["complete"])
        self.assertEqual(first.data["items"], [{"name": self.shirt.display_name, "quantity": 1.0}])
        self.assertIn("the rest follows", first._summary())

        self.deliver_picking(backorder)
        last = self.Outbox.search([("event_type", "=", "odoo.order.shipped")]) - first
        self.assertEqual((last.data["delivery"], last.data["complete"]), (backorder.name, True))
        self.assertIn("the order is complete", last._summary())

    def deliver_picking(self, picking):
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_env(self.odoo_user_env)._action_done()

    def test_delivery_done_queues_shipped_and_stock(self):
        self.make_storable(self.shirt, 10)  # socks: inventory not tracked in Odoo
        order = self.confirmed_order()
        self.assertFalse(self.stock_rows(), "reserved for a WooCommerce order: Woo knows")
        picking = self.deliver(order)
        self.assertEqual(picking.state, "done")
        shipped = self.Outbox.search([("event_type", "=", "odoo.order.shipped")])
        self.assertEqual(shipped.sale_order_id, order)
        self.assertEqual((shipped.data["delivery"], shipped.data["complete"]), (picking.name, True))
        self.assertIsNone(shipped.data["tracking_ref"], "stock_delivery is not installed")
        bound = self.env["integration.binding"].search([("model", "=", "product.product")])
        self.assertTrue({self.shirt.id, self.socks.id} <= set(bound.mapped("res_id")))
        self.assertEqual(
            self.stock_rows().product_id,
            self.shirt,
            "a row for each product bound to WooCommerce whose inventory Odoo tracks",
        )

        envelopes = self.Outbox.claim("worker-a")
        self.assertEqual(len(envelopes), 2)
        for envelope in envelopes:
            self.assertIsNone(envelope_problem(envelope), envelope)
        [shirt] = [e for e in envelopes if e["event_type"] == "odoo.stock.changed"]
        item = shirt["data"]["items"][0]
        self.assertEqual((item["woo_product_id"], item["woo_parent_id"]), (122, 120))
        delivered = sum(
            order.order_line.filtered(lambda l: l.product_id == self.shirt).mapped(
                "product_uom_qty"
            )
        )
        self.assertEqual(item["stock_quantity"], 10 - delivered)

    def test_a_sale_made_in_odoo_pushes_what_it_reserves(self):
        self.make_storable(self.socks, 10)
        self.env["integration.binding"]._bind("shop.example.com", self.socks, 131)
        order = self.Order.with_env(self.odoo_user_env).create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                "order_line": [(0, 0, {"product_id": self.socks.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        self.assertEqual(len(self.stock_rows(self.socks)), 1)
        [envelope] = self.Outbox.claim("worker-a")
        self.assertEqual(
            envelope["data"]["items"][0]["stock_quantity"], 7, "10 on hand, 3 promised"
        )
        self.Outbox.acknowledge(envelope["event_id"], True, "{}")

        order.with_context(disable_cancel_warning=True).action_cancel()
        [envelope] = self.Outbox.claim("worker-a")
        self.assertEqual(envelope["data"]["items"][0]["stock_quantity"], 10, "given back")

    def test_the_push_never_hands_back_stock_promised_but_not_reserved(self):
        """10 socks on hand: 3 sold in Odoo and waiting for their reservation, 2 on hold in
        WooCommerce (a quotation in Odoo, already counted by WooCommerce): 5 left to sell."""
        self.make_storable(self.socks, 10)
        self.env["integration.binding"]._bind("shop.example.com", self.socks, 131)
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        warehouse.out_type_id.reservation_method = "manual"
        order = self.Order.with_env(self.odoo_user_env).create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                "order_line": [(0, 0, {"product_id": self.socks.id, "product_uom_qty": 3})],
            }
        )
        order.action_confirm()
        self.assertEqual(self.socks.with_context(warehouse_id=warehouse.id).free_qty, 10)
        on_hold = woo_envelope("woo.order.created", id=4800, status="on-hold")
        on_hold["data"]["line_items"] = [
            dict(line, quantity=2, subtotal="18.00", total="18.00")
            for line in on_hold["data"]["line_items"]
            if line["sku"] == "SOCKS-ORG"
        ]
        self.process(on_hold)
        self.assertEqual(self.woo_order(4800).state, "draft")
        self.Stock.with_env(self.odoo_user_env)._for_stock(self.socks)
        [row] = self.stock_rows(self.socks)
        item = self.Stock._stock_item(row)
        self.assertEqual(item["stock_quantity"], 5, "10 on hand, 3 waiting, 2 on hold")

        picking = order.picking_ids
        picking.action_assign()
        self.assertEqual(
            self.Stock._stock_item(row)["stock_quantity"], 5, "reserved now: counted once"
        )

    def test_managers_push_the_stock_of_selected_bindings(self):
        self.make_storable(self.socks, 4)
        Binding = self.env["integration.binding"]
        Binding._bind("shop.example.com", self.socks, 131)
        Binding._bind("shop.example.com", self.wrapping, 140)  # a service: no stock to tell
        bindings = Binding.search([("model", "=", "product.product")]).with_env(self.odoo_user_env)
        answer = bindings.action_push_stock()
        self.assertEqual(answer["params"]["type"], "success")
        self.assertIn("1 stock pushes queued", answer["params"]["message"])
        self.assertEqual(self.stock_rows().product_id, self.socks)
        [envelope] = self.Outbox.claim("worker-a")
        self.assertEqual(envelope["data"]["items"][0]["stock_quantity"], 4)
        # Stock that moves after a claim is pushed again: the claimed row carries the old figure.
        self.make_storable(self.socks, 6)
        self.assertEqual(bindings.action_push_stock()["params"]["type"], "success")
        self.assertEqual(bindings.action_push_stock()["params"]["type"], "warning", "one waits")
        self.Outbox.acknowledge(envelope["event_id"], True, "{}")
        self.env.invalidate_all()  # the next claim is a request of its own
        [envelope] = self.Outbox.claim("worker-a")
        self.assertEqual(envelope["data"]["items"][0]["stock_quantity"], 10, "4 and 6 more")

        salesman = new_test_user(
            self.env,
            login="seller",
            groups="sales_team.group_sale_salesman,elitaco_integration.group_integration_user",
        )
        with self.assertRaises(AccessError):
            bindings.with_user(salesman).action_push_stock()

    def test_one_pending_stock_row_per_product(self):
        self.make_storable(self.socks, 5)
        self.env["integration.binding"]._bind("shop.example.com", self.socks, 131)
        self.Stock.with_env(self.odoo_user_env)._for_stock(self.socks)
        self.Stock.with_env(self.odoo_user_env)._for_stock(self.socks)
        self.assertEqual(self.Outbox.search_count([("product_id", "=", self.socks.id)]), 1)

    def test_a_product_sold_in_two_stores_is_pushed_to_each_and_claimed_by_its_own(self):
        self.make_storable(self.socks, 5)
        self.env["integration.binding"]._bind("shop.example.com", self.socks, 131)
        self.env["integration.binding"]._bind("outlet.example.com", self.socks, 77)
        self.Stock.with_env(self.odoo_user_env)._for_stock(self.socks)
        self.assertEqual(
            set(self.stock_rows(self.socks).mapped("store")),
            {"shop.example.com", "outlet.example.com"},
        )
        [outlet] = self.Outbox.claim("outlet-worker", store="outlet.example.com")
        self.assertEqual(outlet["data"]["items"][0]["woo_product_id"], 77)
        self.assertEqual(self.Outbox.claim("outlet-worker", store="outlet.example.com"), [])
        [shop] = self.Outbox.claim("shop-worker", store="shop.example.com")
        self.assertEqual(shop["data"]["items"][0]["woo_product_id"], 131)
