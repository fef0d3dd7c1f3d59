"""Drift: a page of WooCommerce's orders and products against Odoo's (integration.drift.compare),
each difference a line: an order missing on either side, its status against the value maps,
its total and tax to the cent, stock against what a push would send, price against what Odoo
quotes, products bound on one side only."""

from datetime import datetime

from odoo.tests import tagged

from .common import STORE, IntegrationCase, example


def listed(order, **changes) -> dict:
    """The order as WooCommerce's order list shows it (the fields the workers send)."""
    data = example("woo.order.created")["data"]
    fields = ("id", "number", "status", "currency", "total", "total_tax", "date_modified_gmt")
    return {name: data.get(name) for name in fields} | {"id": order.woo_order_id} | changes


@tagged("post_install", "-at_install")
class TestDriftOrders(IntegrationCase):
    def setUp(self):
        super().setUp()
        self.process("woo.order.created")
        self.order = self.woo_order()
        self.compare = self.env["integration.drift.compare"]

    def kinds(self, *orders) -> list[str]:
        return [line["kind"] for line in self.compare._order_lines(STORE, list(orders))]

    def test_an_order_that_agrees_is_no_drift(self):
        self.assertEqual(self.order.amount_total, 67.55)
        self.assertEqual(self.kinds(listed(self.order)), [])

    def test_a_total_a_cent_off_is_drift_and_less_is_not(self):
        self.assertEqual(self.kinds(listed(self.order, total="67.56")), ["order_total"])
        self.assertEqual(self.kinds(listed(self.order, total="67.554")), [])
        [line] = self.compare._order_lines(STORE, [listed(self.order, total="70.00")])
        self.assertEqual((line["woo_value"], line["odoo_value"]), ("70.00", "67.55"))
        self.assertEqual(line["fix"], "reread_order")

    def test_a_tax_that_differs_is_drift(self):
        self.assertEqual(self.kinds(listed(self.order, total_tax="11.16")), ["order_tax"])

    def test_a_status_the_value_maps_put_in_another_state_is_drift(self):
        self.assertEqual(self.order.state, "draft")  # pending: kept as quotation
        self.assertEqual(self.kinds(listed(self.order, status="on-hold")), [])
        [line] = self.compare._order_lines(STORE, [listed(self.order, status="cancelled")])
        self.assertEqual(line["kind"], "order_status")
        self.assertEqual((line["woo_value"], line["odoo_value"]), ("cancelled", "draft"))
        self.assertIn(self.order.name, line["message"])

    def test_a_cancellation_kept_from_a_shipped_order_is_not_drift_once_applied(self):
        self.process("woo.order.updated", status="processing")
        self.assertEqual(self.order.state, "sale")
        picking = self.order.picking_ids
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        cancelled = listed(self.order, status="cancelled")
        self.assertEqual(self.kinds(cancelled), ["order_status"], "not applied yet: drift")
        self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-22T09:00:00"
        )
        self.assertEqual((self.order.state, self.order.woo_status), ("sale", "cancelled"))
        self.assertEqual(self.kinds(cancelled), [])

    def test_an_order_missing_in_odoo_is_drift_unless_its_status_is_ignored(self):
        missing = listed(self.order, id=9911, number="9911")
        [line] = self.compare._order_lines(STORE, [missing])
        self.assertEqual((line["kind"], line["woo_id"]), ("order_missing_odoo", 9911))
        self.env["integration.value.map"]._lookup("order_status", "failed").order_action = "ignore"
        self.assertEqual(self.kinds(missing | {"status": "failed"}), [])
        self.assertEqual(self.kinds(missing | {"status": "checkout-draft"}), [])

    def test_an_order_missing_in_odoo_says_what_the_ledger_has_of_it(self):
        missing = listed(self.order, id=9912, number="9912")
        [line] = self.compare._order_lines(STORE, [missing])
        self.assertIn("its webhook never arrived", line["message"])
        event = self.Event.search([("woo_resource_id", "=", 4711)], limit=1)
        event.sudo().write({"woo_resource_id": 9912, "state": "dead"})
        [line] = self.compare._order_lines(STORE, [missing])
        self.assertIn(f"Its event {event.idempotency_key} is Dead", line["message"])

    def test_another_stores_order_is_not_this_ones(self):
        lines = self.compare._order_lines("other.example.com", [listed(self.order)])
        self.assertEqual([line["kind"] for line in lines], ["order_missing_odoo"])

    def test_an_order_the_store_no_longer_lists_is_drift(self):
        since = datetime(2026, 2, 1)
        self.assertEqual(self.compare._orders_gone(STORE, since, [self.order.woo_order_id]), [])
        [line] = self.compare._orders_gone(STORE, since, [])
        self.assertEqual(
            (line["kind"], line["sale_order_id"]), ("order_missing_woo", self.order.id)
        )
        self.assertEqual(line["fix"], "unbind")
        # Modified before the period: not read, so not missing.
        self.assertEqual(self.compare._orders_gone(STORE, datetime(2026, 3, 1), []), [])


@tagged("post_install", "-at_install")
class TestDriftProducts(IntegrationCase):
    def setUp(self):
        super().setUp()
        self.compare = self.env["integration.drift.compare"]
        self.mug = self.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG", "list_price": 12.5, "is_storable": True}
        )
        self.env["integration.binding"]._bind(STORE, self.mug, 501)
        warehouse = self.env["stock.warehouse"].search([], limit=1)
        self.env["stock.quant"]._update_available_quantity(self.mug, warehouse.lot_stock_id, 7)

    def woo(self, **changes) -> dict:
        return {
            "id": 501,
            "parent_id": 0,
            "type": "simple",
            "name": "Mug",
            "sku": "MUG",
            "price": "12.50",
            "regular_price": "12.50",
            "manage_stock": True,
            "stock_quantity": 7,
        } | changes

    def lines(self, *products) -> list[dict]:
        return self.compare._product_lines(STORE, list(products))

    def test_a_product_that_agrees_is_no_drift(self):
        self.assertEqual(self.lines(self.woo()), [])

    def test_stock_that_differs_from_what_odoo_would_push(self):
        [line] = self.lines(self.woo(stock_quantity=3))
        self.assertEqual((line["kind"], line["woo_value"], line["odoo_value"]), ("stock", "3", "7"))
        self.assertEqual((line["product_id"], line["fix"]), (self.mug.id, "push_stock"))
        self.assertEqual(self.lines(self.woo(stock_quantity=3, manage_stock=False)), [])

    def test_a_price_that_differs_from_odoos(self):
        [line] = self.lines(self.woo(price="13.00", regular_price="13.00"))
        self.assertEqual(
            (line["kind"], line["woo_value"], line["odoo_value"]), ("price", "13.00", "12.50")
        )

    def test_the_price_is_the_one_of_the_stores_pricelist(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Shop",
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.mug.id,
                            "compute_price": "fixed",
                            "fixed_price": 9.99,
                        },
                    )
                ],
            }
        )
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.pricelist_id", str(pricelist.id)
        )
        self.assertEqual(self.lines(self.woo(price="9.99")), [])
        [line] = self.lines(self.woo())
        self.assertEqual(line["odoo_value"], "9.99")

    def test_a_product_of_the_store_bound_to_nothing(self):
        [line] = self.lines(self.woo(id=777, sku="NEW", parent_id=0))
        self.assertEqual((line["kind"], line["woo_id"]), ("product_missing_odoo", 777))
        self.assertEqual(line["fix"], "reread_product")

    def test_a_binding_to_a_product_the_store_no_longer_has(self):
        self.assertEqual(self.compare._products_gone(STORE, [501]), [])
        [line] = self.compare._products_gone(STORE, [])
        self.assertEqual((line["kind"], line["product_id"]), ("product_missing_woo", self.mug.id))
