from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.elitaco_integration.tests.common import STORE, IntegrationCase
from odoo.addons.elitaco_integration.tests.common import envelope as woo_envelope


class TestKits(IntegrationCase):
    """A kit (a bill of materials of type Kit) sold in WooCommerce: its stock is what its
    components allow, and an order of it delivers the components."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        Product = cls.env["product.product"]
        cls.yarn = Product.create({"name": "Cotton yarn", "is_storable": True})
        cls.box = Product.create({"name": "Gift box", "is_storable": True})
        # The socks sold in WooCommerce are a kit: 2 yarn and a box a pair.
        cls.socks.is_storable = True
        cls.socks_bom = cls.kit(cls.socks, {cls.yarn: 2, cls.box: 1})
        cls.env["integration.binding"]._bind(STORE, cls.socks, 131)
        cls.worker = new_test_user(
            cls.env, login="rq-worker", groups="elitaco_integration.group_integration_user"
        )

    @classmethod
    def kit(cls, product, components: dict):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [
                    Command.create({"product_id": component.id, "product_qty": qty})
                    for component, qty in components.items()
                ],
            }
        )

    def setUp(self):
        super().setUp()
        self.Outbox = self.env["integration.outbox"]
        self.odoo_user_env = self.env(context={})  # a change made in Odoo, not by a Woo event

    def on_hand(self, product, quantity):
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, quantity
        )

    def counted(self, product, quantity):
        """An inventory count in Odoo: a done move, as a person's count makes."""
        self.env["stock.quant"].with_env(self.odoo_user_env).create(
            {
                "product_id": product.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def stock_rows(self):
        domain = [("event_type", "=", "odoo.stock.changed"), ("state", "=", "pending")]
        return self.Outbox.search(domain)

    def pushed(self, product) -> float:
        """The stock quantity a worker claims for `product` now (claimed as the Integration
        User, acknowledged)."""
        self.env["integration.woo.stock"].with_env(self.odoo_user_env)._for_stock(product)
        self.env.invalidate_all()
        outbox = self.Outbox.with_user(self.worker)
        quantity = None
        for envelope in outbox.claim("worker-a"):
            # Stock rows; a shipment's items name what its delivery held.
            stock_items = envelope["data"].get("items", [])
            if envelope["event_type"] != "odoo.stock.changed":
                stock_items = []
            for item in stock_items:
                if item["odoo_product_id"] == product.id:
                    quantity = item["stock_quantity"]
            outbox.acknowledge(envelope["event_id"], True, "{}")
        return quantity

    def test_a_kit_pushes_what_its_components_may_still_sell(self):
        self.on_hand(self.yarn, 10)
        self.on_hand(self.box, 8)
        self.assertEqual(self.pushed(self.socks), 5, "10 yarn make 5 pairs, 8 boxes 8")

        # 4 yarn sold in Odoo, waiting for their reservation: Odoo's free quantity of the
        # kit still says 5, but 6 yarn make 3 pairs.
        self.warehouse.out_type_id.reservation_method = "manual"
        order = self.Order.with_env(self.odoo_user_env).create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                "order_line": [Command.create({"product_id": self.yarn.id, "product_uom_qty": 4})],
            }
        )
        order.action_confirm()
        self.assertEqual(self.pushed(self.socks), 3)

        # A pair on hold in WooCommerce (a quotation in Odoo) is counted there already.
        on_hold = woo_envelope("woo.order.created", id=4800, status="on-hold")
        on_hold["data"]["line_items"] = [
            dict(line, quantity=1, subtotal="9.00", total="9.00")
            for line in on_hold["data"]["line_items"]
            if line["sku"] == "SOCKS-ORG"
        ]
        self.Event.with_user(self.worker).process_envelope(on_hold)
        self.assertEqual(self.woo_order(4800).state, "draft")
        self.assertEqual(self.pushed(self.socks), 2)

        self.on_hand(self.box, -8)
        self.assertEqual(self.pushed(self.socks), 0, "no box, no pair")

    def test_a_components_stock_change_pushes_its_kits(self):
        gift_set = self.env["product.product"].create(
            {"name": "Gift set", "default_code": "GIFT-SET", "is_storable": True}
        )
        self.kit(gift_set, {self.socks: 2, self.shirt: 1})  # a kit of kits
        self.env["integration.binding"]._bind(STORE, gift_set, 150)
        self.shirt.is_storable = True
        self.on_hand(self.yarn, 10)
        self.on_hand(self.shirt, 1)
        self.assertFalse(self.stock_rows())

        self.counted(self.box, 8)
        self.assertEqual(self.stock_rows().product_id, self.socks | gift_set)
        self.assertEqual(self.pushed(gift_set), 1, "5 pairs make 2 sets, 1 shirt 1")

        self.env["integration.binding"]._bind(STORE, self.box, 160)
        self.counted(self.box, 2)
        self.assertEqual(
            self.stock_rows().product_id, self.box | self.socks | gift_set, "and itself"
        )

    def test_a_kit_made_or_unmade_in_odoo_pushes_the_product(self):
        self.shirt.is_storable = True
        self.env["integration.binding"]._bind(STORE, self.shirt, 122, 120)
        self.on_hand(self.yarn, 10)
        self.on_hand(self.box, 8)
        bom = self.env["mrp.bom"].with_env(self.odoo_user_env)
        shirt_kit = bom.create(
            {
                "product_tmpl_id": self.shirt.product_tmpl_id.id,
                "type": "phantom",
                "bom_line_ids": [Command.create({"product_id": self.box.id, "product_qty": 4})],
            }
        )
        self.assertEqual(self.stock_rows().product_id, self.shirt)
        self.assertEqual(self.pushed(self.shirt), 2, "a shirt is 4 boxes now")

        shirt_kit.bom_line_ids.product_qty = 2
        self.assertEqual(self.pushed(self.shirt), 4)

        shirt_kit.unlink()
        self.assertEqual(self.stock_rows().product_id, self.shirt)
        self.assertEqual(self.pushed(self.shirt), 0, "no kit: the shirt's own stock")

    def test_a_woocommerce_order_of_a_kit_delivers_its_components(self):
        self.on_hand(self.yarn, 10)
        self.on_hand(self.box, 8)
        self.Event.with_user(self.worker).process_envelope(woo_envelope("woo.order.updated"))
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        socks = picking.move_ids.filtered(lambda move: move.product_id in self.yarn | self.box)
        self.assertNotIn(self.socks, picking.move_ids.product_id)
        self.assertEqual(
            {(move.product_id, move.product_uom_qty, move.quantity) for move in socks},
            {(self.yarn, 2, 2), (self.box, 1, 1)},
            "1 pair ordered: its components delivered, reserved",
        )
        self.assertEqual(self.pushed(self.socks), 4)

        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.with_env(self.odoo_user_env)._action_done()
        self.assertEqual(picking.state, "done")
        self.assertIn(self.socks, self.stock_rows().product_id, "its components left")
        self.assertEqual(
            order.order_line.filtered(lambda l: l.product_id == self.socks).qty_delivered, 1
        )
        self.assertEqual(self.pushed(self.socks), 4)

    def test_a_woocommerce_order_of_a_kit_pushes_its_components_and_their_other_kits(self):
        """WooCommerce counted the pair it sold, not the yarn sold on its own nor the slippers
        (3 yarn a pair) made of the same yarn."""
        slippers = self.env["product.product"].create(
            {"name": "Slippers", "default_code": "SLIPPERS", "is_storable": True}
        )
        self.kit(slippers, {self.yarn: 3})
        Binding = self.env["integration.binding"]
        Binding._bind(STORE, slippers, 170)
        Binding._bind(STORE, self.yarn, 180)
        self.on_hand(self.yarn, 10)
        self.on_hand(self.box, 8)
        self.Event.with_user(self.worker).process_envelope(woo_envelope("woo.order.updated"))
        self.assertEqual(self.woo_order().state, "sale")
        self.assertEqual(self.stock_rows().product_id, self.yarn | slippers, "not the pair")
        self.assertEqual(self.pushed(slippers), 2, "8 yarn left to sell: 2 pairs of slippers")

    def test_a_kit_on_hold_in_woocommerce_takes_its_components(self):
        """2 pairs on hold in WooCommerce: 4 of the 10 yarn, which WooCommerce counted for the
        pairs only; the yarn sold on its own and the slippers (3 yarn a pair) are told so."""
        slippers = self.env["product.product"].create(
            {"name": "Slippers", "default_code": "SLIPPERS", "is_storable": True}
        )
        self.kit(slippers, {self.yarn: 3})
        self.env["integration.binding"]._bind(STORE, self.yarn, 180)
        self.env["integration.binding"]._bind(STORE, slippers, 170)
        self.on_hand(self.yarn, 10)
        self.on_hand(self.box, 8)
        on_hold = woo_envelope("woo.order.created", id=4800, status="on-hold")
        on_hold["data"]["line_items"] = [
            dict(line, quantity=2, subtotal="18.00", total="18.00")
            for line in on_hold["data"]["line_items"]
            if line["sku"] == "SOCKS-ORG"
        ]
        self.Event.with_user(self.worker).process_envelope(on_hold)
        self.assertEqual(self.woo_order(4800).state, "draft")
        self.assertEqual(self.pushed(self.yarn), 6)
        self.assertEqual(self.pushed(slippers), 2)
        self.assertEqual(self.pushed(self.socks), 3, "5 pairs, 2 of them on hold")
