from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from ..models.integration_outbox import MAX_ATTEMPTS

MASTER = "elitaco_integration.product_master"
STORE = "shop.example.com"


@tagged("-at_install", "post_install")
class TestPushTimeline(TransactionCase):
    """Odoo as master of product data: each push of a product, of its stock and of a category
    has its row on the product or the category, as an order's pushes have on the order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"]
        params.set_param(MASTER, "odoo")
        params.set_param("elitaco_integration.store_url", "https://shop.example.com")
        cls.Outbox = cls.env["integration.outbox"]

    def mug(self):
        return self.env["product.template"].create(
            {
                "name": "Stoneware Mug",
                "default_code": "MUG-STONE",
                "list_price": 12.5,
                "is_storable": True,
                "woo_publish": True,
            }
        )

    def push(self, event_type: str, ok: bool, response: str | None = None) -> dict:
        claimed = self.Outbox.claim("worker-1", store=STORE)
        [pushed] = [one for one in claimed if one["event_type"] == event_type]
        error = None if ok else "WooCommerce answered 503"
        self.Outbox.acknowledge(pushed["event_id"], ok, response, error, "worker-1")
        return pushed

    def test_a_product_export_and_its_stock_are_told_on_the_product(self):
        mug = self.mug()
        self.push("odoo.product.changed", True, '{"id": 556}')
        [exported] = mug.woo_timeline_ids
        self.assertEqual(exported.kind, "outbound")
        self.assertIn("WooCommerce told: product [MUG-STONE] Stoneware Mug", exported.message)
        self.assertFalse(exported.product_id, "a product without variants names no variant")
        self.push("odoo.stock.changed", True, "{}")
        mug.invalidate_recordset()
        self.assertEqual(mug.woo_timeline_count, 2)
        self.assertIn("stock of", mug.woo_timeline_ids[0].message)

    def test_a_dead_push_needs_attention_on_the_product_and_is_sent_again(self):
        mug = self.mug()
        self.push("odoo.product.changed", False)
        [row] = mug.woo_timeline_ids
        self.assertEqual(row.kind, "failed")
        self.assertIn("Not yet told to WooCommerce", row.message)
        push = row.outbox_id
        push.write({"attempts": MAX_ATTEMPTS - 1, "next_attempt_at": False})
        self.push("odoo.product.changed", False)
        mug.invalidate_recordset()
        self.assertEqual((len(mug.woo_timeline_ids), row.kind), (1, "dead"))
        self.assertEqual(mug.woo_timeline_level, "danger")
        self.assertIn("WooCommerce could not be told", mug.woo_timeline_problem)
        mug.action_replay_woo_timeline()
        self.assertEqual((push.state, push.attempts), ("pending", 0))
        self.push("odoo.product.changed", True, '{"id": 556}')
        mug.invalidate_recordset()
        self.assertEqual((row.kind, mug.woo_timeline_level), ("outbound", False))

    def test_a_category_push_is_told_on_the_category(self):
        category = self.env["product.category"].create({"name": "Mugs"})
        self.env["integration.binding"]._bind(STORE, category, 31)
        category.name = "Cups and mugs"
        self.push("odoo.category.changed", True, "{}")
        [row] = category.woo_timeline_ids
        self.assertEqual(row.kind, "outbound")
        self.assertIn("category Cups and mugs", row.message)
        self.assertEqual(category.woo_timeline_count, 1)
