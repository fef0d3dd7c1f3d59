import json

from odoo.exceptions import UserError
from odoo.tests.common import TransactionCase

from ..envelope import envelope_problem

MASTER = "elitaco_integration.product_master"
STORE = "shop.example.com"


class TestProductExport(TransactionCase):
    """Odoo as master of product data: products sold in WooCommerce are created and kept up to
    date there through the outbox."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"]
        params.set_param(MASTER, "odoo")
        params.set_param("elitaco_integration.store_url", "https://shop.example.com")
        cls.Outbox = cls.env["integration.outbox"]

    def rows(self, state="pending"):
        return self.Outbox.search(
            [("event_type", "=", "odoo.product.changed"), ("state", "=", state)]
        )

    def mug(self, **values):
        return self.env["product.template"].create(
            {
                "name": "Stoneware Mug",
                "default_code": "MUG-STONE",
                "list_price": 12.5,
                "is_storable": True,
                "weight": 0.4,
                "woo_publish": True,
            }
            | values
        )

    def claim(self) -> dict:
        claimed = self.Outbox.claim("worker-1", store=STORE)
        [envelope] = [one for one in claimed if one["event_type"] == "odoo.product.changed"]
        self.assertIsNone(envelope_problem(envelope), "the contract holds")
        return envelope

    def test_a_product_sold_in_woocommerce_is_exported_as_it_is_when_claimed(self):
        mug = self.mug()
        mug.list_price = 13.0
        self.assertEqual(len(self.rows()), 1, "one waiting row however often it changes")
        envelope = self.claim()
        self.assertEqual(
            envelope["data"] | {"odoo_product_id": 0},
            {
                "odoo_product_id": 0,
                "woo_product_id": None,
                "sku": "MUG-STONE",
                "name": "Stoneware Mug",
                "regular_price": "13.00",
                "status": "publish",
                "short_description": "",
                "weight": "0.4",
                "category_ids": [],
                "manage_stock": True,
            },
        )
        self.Outbox.acknowledge(
            envelope["event_id"], True, json.dumps({"id": 555}), None, "worker-1"
        )
        binding = self.env["integration.binding"]._binding(STORE, "product.product", 555)
        self.assertEqual(binding.res_id, mug.product_variant_id.id)
        stock = self.Outbox.search([("event_type", "=", "odoo.stock.changed")])
        self.assertEqual(stock.product_id, mug.product_variant_id, "its stock follows")

        mug.default_code = "MUG-STONE-2"  # through the variant
        self.assertEqual(self.claim()["data"]["woo_product_id"], 555, "updated, not created again")

    def test_archived_or_no_longer_sold_there_it_becomes_a_draft(self):
        mug = self.mug()
        self.Outbox.acknowledge(self.claim()["event_id"], True, '{"id": 556}', None, "worker-1")
        mug.action_archive()
        self.assertEqual(self.claim()["data"]["status"], "draft")
        self.rows("leased").write({"state": "done"})
        mug.action_unarchive()
        mug.woo_publish = False
        self.assertEqual(self.claim()["data"]["status"], "draft")

    def test_nothing_is_exported_unless_odoo_is_master_and_the_product_sold_there(self):
        self.env["product.template"].create({"name": "Back office only", "default_code": "BO-1"})
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.mug()
        self.mug(default_code="MUG-2").with_context(elitaco_from_woo=True).list_price = 3
        self.assertFalse(self.rows())

    def test_a_product_without_sku_or_with_variants_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(UserError, "no internal reference"):
            self.mug(default_code=False)
        size = self.env["product.attribute"].create(
            {"name": "Size", "value_ids": [(0, 0, {"name": "S"}), (0, 0, {"name": "M"})]}
        )
        tee = self.env["product.template"].create(
            {
                "name": "Tee",
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "has variants"):
            tee.action_woo_publish()

        mug = self.mug(default_code="MUG-3")
        self.rows().unlink()
        mug.attribute_line_ids = [
            (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
        ]
        mug.list_price = 20  # variants added since it was ticked: the edit is not refused
        self.assertFalse(self.rows())
        self.assertIn("has variants", mug.message_ids[0].body)
