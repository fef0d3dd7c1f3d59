"""An order that arrives before the product or variation it sells (webhooks are not ordered,
an import runs in parallel): it waits a bounded time, then the unknown-SKU policy applies; a
variation becomes its variant whatever was made first."""

import copy
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..models.integration_woo_order_line import PRODUCT_WAIT
from .common import (
    STORE,
    IntegrationCase,
    WorkerCase,
    envelope,
    example,
    variable_shirt,
    woo_taxes,
)

MASTER = "elitaco_integration.product_master"


def early_order(received_ago: timedelta = timedelta(0), **changes) -> dict:
    """Order 4711 selling the Blue Linen Shirt (variation 122 of 120, SKU SHIRT-V-BLUE, which
    Odoo has not received) and the socks Odoo has, received `received_ago` before now."""
    data = example("woo.order.created")["data"]
    shirt = copy.deepcopy(data["line_items"][0]) | {"sku": "SHIRT-V-BLUE"}
    socks = copy.deepcopy(data["line_items"][1])
    message = envelope("woo.order.created", line_items=[shirt, socks], **changes)
    received = fields.Datetime.now() - received_ago
    message["meta"]["received_at"] = received.strftime("%Y-%m-%dT%H:%M:%SZ")
    return message


class TestOrderBeforeItsProducts(IntegrationCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.bindings = self.env["integration.binding"]

    def test_the_order_waits_for_its_variation_then_sells_the_variant(self):
        order = early_order()
        answer = self.process(order)
        self.assertEqual(answer["status"], "failed", answer)
        self.assertTrue(answer["error"]["retryable"])
        self.assertEqual(answer["error"]["code"], "waiting")
        self.assertIn("waits for WooCommerce product 122", answer["error"]["message"])
        self.assertFalse(self.woo_order())
        self.assertFalse(
            self.env["product.product"].search([("default_code", "=", "SHIRT-V-BLUE")])
        )

        for product_event in variable_shirt():
            self.assertEqual(self.process(product_event)["status"], "processed")
        answer = self.process(order)  # RQ's retry: the same envelope
        self.assertEqual(answer["status"], "processed", answer)
        variant = self.bindings._find(STORE, "product.product", 122)
        self.assertEqual(
            variant.product_tmpl_id, self.bindings._find(STORE, "product.template", 120)
        )
        self.assertIn(variant, self.woo_order().order_line.product_id)
        self.assertIn(self.socks, self.woo_order().order_line.product_id)
        self.assertEqual(
            self.env["product.template"].search_count([("name", "=", "Linen Shirt")]), 1
        )

    def test_a_product_that_never_comes_gets_the_unknown_sku_policy_after_the_wait(self):
        late = PRODUCT_WAIT + timedelta(minutes=1)
        answer = self.process(early_order(late))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("created (unknown SKU 'SHIRT-V-BLUE')", "\n".join(answer["warnings"]))

        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "fail")
        self.bindings.search([("external_id", "=", 122)]).unlink()
        self.env["product.product"].search(
            [("default_code", "=", "SHIRT-V-BLUE")]
        ).default_code = False
        waiting = self.process(early_order(id=4712, number="4712"))
        self.assertEqual(waiting["error"]["code"], "waiting", waiting)
        refused = self.process(early_order(late, id=4713, number="4713"))
        self.assertEqual(refused["status"], "failed")
        self.assertFalse(refused["error"]["retryable"])
        self.assertIn("no Odoo product with SKU 'SHIRT-V-BLUE'", refused["error"]["message"])

    def test_nothing_waits_when_odoo_is_master_of_products(self):
        """Product events then create nothing: waiting for them would only delay the order."""
        self.env["ir.config_parameter"].set_param(MASTER, "odoo")
        answer = self.process(early_order())
        self.assertEqual(answer["status"], "processed", answer)

    def stand_in_order(self, status: str = "processing"):
        """Order 4711 applied past the wait with a stand-in for variation 122 (policy
        'create'), confirmed, its delivery reserved: (the order, the stand-in)."""
        answer = self.process(early_order(PRODUCT_WAIT + timedelta(minutes=1), status=status))
        self.assertEqual(answer["status"], "processed", answer)
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        stand_in = self.bindings._find(STORE, "product.product", 122)
        self.assertIn(stand_in, order.order_line.product_id)
        self.assertFalse(stand_in.is_storable)
        moves = order.picking_ids.move_ids.filtered(lambda move: move.product_id == stand_in)
        self.assertEqual(moves.state, "assigned")
        return order, stand_in

    def test_a_variation_waits_for_its_variable_product_to_replace_a_stand_in(self):
        _order, stand_in = self.stand_in_order()
        blue = variable_shirt()[1]
        answer = self.process(blue)
        self.assertEqual(answer["status"], "failed", answer)
        self.assertEqual(answer["error"]["code"], "waiting")
        self.assertFalse(stand_in.product_template_attribute_value_ids)

    def test_a_stand_in_sold_and_reserved_becomes_the_variant(self):
        """Stock managed per variation: the template's inventory tracking changes after the
        stand-in joined it, which Odoo refuses while the stand-in's delivery is reserved."""
        order, stand_in = self.stand_in_order()
        shirt, blue, red = variable_shirt(manage_stock=False)
        blue["data"]["manage_stock"] = red["data"]["manage_stock"] = True
        self.assertEqual(self.process(shirt)["status"], "processed")
        answer = self.process(blue)
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("is now the variant Blue", "\n".join(answer["changes"]))
        answer = self.process(red)
        self.assertEqual(answer["status"], "processed", answer)
        template = self.bindings._find(STORE, "product.template", 120)
        self.assertEqual(self.bindings._find(STORE, "product.product", 122), stand_in)
        self.assertEqual(stand_in.product_tmpl_id, template)
        self.assertEqual(stand_in.product_template_attribute_value_ids.name, "Blue")
        self.assertEqual(template.product_variant_count, 2)
        self.assertTrue(template.is_storable)
        self.assertIn(stand_in, order.order_line.product_id, "the order sells the variant")
        move = order.picking_ids.move_ids.filtered(lambda move: move.product_id == stand_in)
        self.assertEqual(move.product_uom_qty, 2.0)
        self.assertIn(move.state, ("confirmed", "partially_available", "assigned"))

    def test_a_stand_in_already_delivered_gives_way_to_the_variant(self):
        """Its delivery done untracked: Odoo keeps that history as it is."""
        order, stand_in = self.stand_in_order()
        picking = order.picking_ids
        picking.move_ids.picked = True
        picking._action_done()
        self.assertEqual(picking.state, "done")
        shirt, blue, _red = variable_shirt(manage_stock=True)
        self.assertEqual(self.process(shirt)["status"], "processed")
        answer = self.process(blue)
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("takes its place", "\n".join(answer["changes"]))
        variant = self.bindings._find(STORE, "product.product", 122)
        template = self.bindings._find(STORE, "product.template", 120)
        self.assertEqual(variant.product_tmpl_id, template)
        self.assertTrue(variant.is_storable)
        self.assertNotEqual(variant, stand_in)
        self.assertFalse(stand_in.active)
        self.assertIn(stand_in, order.order_line.product_id, "what was sold and delivered")


@tagged("-at_install", "post_install")
class TestOrderBeforeItsProductsOverHttp(WorkerCase):
    """The same, as the workers apply it: an Integration User over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")
        woo_taxes(cls.env)
        cls.env["product.product"].create({"name": "Socks", "default_code": "SOCKS-ORG"})

    def post(self, message: dict, status: str = "processed") -> dict:
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], status, answer)
        return answer

    def test_the_order_waits_then_sells_the_variant(self):
        order = early_order()
        answer = self.post(order, "failed")
        self.assertEqual(answer["error"]["code"], "waiting")
        self.assertTrue(answer["error"]["retryable"])
        for product_event in variable_shirt():
            self.post(product_event)
        self.post(order)
        variant = self.env["integration.binding"]._find(STORE, "product.product", 122)
        sold = self.env["sale.order"].search([("woo_order_id", "=", 4711)]).order_line.product_id
        self.assertIn(variant, sold)
        self.assertTrue(variant.product_template_attribute_value_ids)

    def test_a_reserved_stand_in_becomes_the_variant(self):
        self.post(early_order(PRODUCT_WAIT + timedelta(minutes=1), status="processing"))
        stand_in = self.env["integration.binding"]._find(STORE, "product.product", 122)
        shirt, blue, red = variable_shirt(manage_stock=False)
        blue["data"]["manage_stock"] = red["data"]["manage_stock"] = True
        for product_event in (shirt, blue, red):
            self.post(product_event)
        template = self.env["integration.binding"]._find(STORE, "product.template", 120)
        self.assertEqual(stand_in.product_tmpl_id, template)
        self.assertTrue(template.is_storable)
