import json

from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user
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
        self.env["stock.quant"]._update_available_quantity(
            mug.product_variant_id, self.env.ref("stock.stock_location_stock"), 5
        )
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
                "stock_quantity": 5.0,
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
        data = self.claim()["data"]
        self.assertEqual(data["woo_product_id"], 555, "updated, not created again")
        self.assertNotIn("stock_quantity", data, "its stock rows keep it from now on")

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

    def size_attribute(self):
        return self.env["product.attribute"].create(
            {"name": "Size", "value_ids": [(0, 0, {"name": "S"}), (0, 0, {"name": "M"})]}
        )

    def tee(self, size):
        tee = self.env["product.template"].create(
            {
                "name": "Tee",
                "list_price": 20,
                "is_storable": True,
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
                ],
            }
        )
        small, medium = tee.product_variant_ids.sorted(
            lambda variant: variant.product_template_attribute_value_ids.name
        )[::-1]
        small.default_code, medium.default_code = "TEE-S", "TEE-M"
        medium.product_template_attribute_value_ids.price_extra = 2.5
        return tee, small, medium

    def test_a_product_with_variants_is_a_variable_product_with_its_variations(self):
        tee, small, medium = self.tee(self.size_attribute())
        tee.action_woo_publish()
        medium.default_code = "TEE-M2"
        [row] = self.rows()
        self.assertEqual(row.product_tmpl_id, tee, "one row for the template")
        data = self.claim()["data"]
        self.assertEqual(
            (data["type"], data["woo_product_id"], data["attributes"]),
            ("variable", None, [{"name": "Size", "options": ["S", "M"]}]),
        )
        self.assertEqual(
            [(v["sku"], v["regular_price"], v["attributes"]) for v in data["variations"]],
            [
                ("TEE-S", "20.00", [{"name": "Size", "option": "S"}]),
                ("TEE-M2", "22.50", [{"name": "Size", "option": "M"}]),
            ],
        )
        answer = {"id": 700, "variations": {str(small.id): 701, str(medium.id): 702}}
        self.Outbox.acknowledge(row.event_id, True, json.dumps(answer), None, "worker-1")
        bindings = self.env["integration.binding"]
        self.assertEqual(bindings._find(STORE, "product.template", 700), tee)
        self.assertEqual(bindings._find(STORE, "product.product", 702), medium)
        self.assertEqual(bindings._binding(STORE, "product.product", 702).woo_parent_id, 700)
        stock = self.Outbox.search([("event_type", "=", "odoo.stock.changed")])
        self.assertEqual(stock.product_id, small | medium)
        medium.product_template_attribute_value_ids.price_extra = 3
        data = self.claim()["data"]
        self.assertEqual(data["variations"][1]["regular_price"], "23.00", "an extra is a price")
        self.rows("leased").write({"state": "done"})
        tee.name = "Tee, organic"
        data = self.claim()["data"]
        self.assertEqual(data["woo_product_id"], 700)
        self.assertEqual([v["woo_variation_id"] for v in data["variations"]], [701, 702])

    def test_an_archived_variant_is_a_private_variation_of_the_variable_product(self):
        tee, _small, medium = self.tee(self.size_attribute())
        tee.action_woo_publish()
        self.rows().write({"state": "done"})
        medium.action_archive()  # one active variant left: still a variable product
        data = self.claim()["data"]
        self.assertEqual(
            [(variation["sku"], variation["status"]) for variation in data["variations"]],
            [("TEE-S", "publish"), ("TEE-M", "private")],
        )

    def test_a_variable_product_left_with_one_variant_stays_variable(self):
        size = self.size_attribute()
        tee, _small, _medium = self.tee(size)
        tee.action_woo_publish()
        [row] = self.rows()
        self.claim()
        self.Outbox.acknowledge(row.event_id, True, '{"id": 730}', None, "worker-1")
        medium_value = size.value_ids.filtered(lambda value: value.name == "M")
        line = tee.attribute_line_ids
        tee.write({"attribute_line_ids": [(1, line.id, {"value_ids": [(3, medium_value.id)]})]})
        self.assertEqual(len(tee.with_context(active_test=False).product_variant_ids), 1)
        data = self.claim()["data"]
        self.assertEqual((data.get("type"), data["woo_product_id"]), ("variable", 730))
        self.assertEqual([variation["sku"] for variation in data["variations"]], ["TEE-S"])

    def test_what_a_failed_push_made_is_bound_so_that_its_retry_updates_it(self):
        tee, small, _medium = self.tee(self.size_attribute())
        tee.action_woo_publish()
        [row] = self.rows()
        self.claim()
        made = {"id": 710, "variations": {str(small.id): 711}}
        self.Outbox.acknowledge(
            row.event_id, False, json.dumps(made), "WooCommerce: variation TEE-M: bad", "worker-1"
        )
        self.assertEqual(row.state, "pending")
        bindings = self.env["integration.binding"]
        self.assertEqual(bindings._find(STORE, "product.template", 710), tee)
        self.assertEqual(bindings._find(STORE, "product.product", 711), small)

    def test_an_echo_that_bound_first_is_kept_and_nothing_fails(self):
        tee, small, medium = self.tee(self.size_attribute())
        tee.action_woo_publish()
        [row] = self.rows()
        self.claim()
        bindings = self.env["integration.binding"]
        bindings._bind(STORE, small, 721, 720)  # the store's webhook, by SKU, before the ack
        other = self.env["product.product"].create({"name": "Other", "default_code": "OTHER"})
        bindings._bind(STORE, other, 722)  # an id some other record has
        made = {"id": 720, "variations": {str(small.id): 721, str(medium.id): 722}}
        self.Outbox.acknowledge(row.event_id, True, json.dumps(made), None, "worker-1")
        self.assertEqual(row.state, "done")
        self.assertEqual(bindings._find(STORE, "product.template", 720), tee)
        self.assertEqual(bindings._find(STORE, "product.product", 722), other, "left as it was")

    def test_a_product_without_sku_is_refused_with_the_reason(self):
        with self.assertRaisesRegex(UserError, "no internal reference"):
            self.mug(default_code=False)
        size = self.size_attribute()
        tee = self.env["product.template"].create(
            {
                "name": "Tee",
                "attribute_line_ids": [
                    (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "no internal reference"):
            tee.action_woo_publish()

        mug = self.mug(default_code="MUG-3")
        self.rows().unlink()
        mug.attribute_line_ids = [
            (0, 0, {"attribute_id": size.id, "value_ids": [(6, 0, size.value_ids.ids)]})
        ]
        mug.list_price = 20  # variants without SKU added since it was ticked: not refused
        self.assertIn("no internal reference", mug.message_ids[0].body)

    def bound_category(self, name, woo_id, parent=None):
        category = self.env["product.category"].create(
            {"name": name, "parent_id": (parent or self.env.ref("product.product_category_all")).id}
        )
        self.env["integration.binding"]._bind(STORE, category, woo_id)
        return category

    def test_categories_the_store_lacks_are_made_there_from_the_top_down_and_bound(self):
        home = self.bound_category("Home", 15)
        kitchen = self.env["product.category"].create({"name": "Kitchen", "parent_id": home.id})
        mugs = self.env["product.category"].create({"name": "Mugs", "parent_id": kitchen.id})
        mug = self.mug(categ_id=mugs.id)
        envelope = self.claim()
        self.assertEqual(envelope["data"]["category_ids"], [])
        self.assertEqual(
            envelope["data"]["new_categories"],
            [
                {"odoo_id": kitchen.id, "name": "Kitchen", "parent_odoo_id": None, "parent_id": 15},
                {
                    "odoo_id": mugs.id,
                    "name": "Mugs",
                    "parent_odoo_id": kitchen.id,
                    "parent_id": None,
                },
            ],
        )
        answer = {"id": 560, "categories": {str(kitchen.id): 31, str(mugs.id): 32}}
        self.Outbox.acknowledge(envelope["event_id"], True, json.dumps(answer), None, "worker-1")
        bindings = self.env["integration.binding"]
        self.assertEqual(bindings._find(STORE, "product.category", 31), kitchen)
        self.assertEqual(bindings._find(STORE, "product.category", 32), mugs)

        mug.name = "Stoneware Mug, large"
        data = self.claim()["data"]
        self.assertEqual((data["category_ids"], "new_categories" in data), ([32], False))

    def test_a_category_at_the_top_is_made_at_the_stores_top_and_all_is_none(self):
        garden = self.env["product.category"].create(
            {"name": "Garden", "parent_id": self.env.ref("product.product_category_all").id}
        )
        self.mug(categ_id=garden.id)
        data = self.claim()["data"]
        self.assertEqual(
            data["new_categories"],
            [{"odoo_id": garden.id, "name": "Garden", "parent_odoo_id": None, "parent_id": None}],
        )

    def test_what_a_failed_push_made_of_categories_is_bound_too(self):
        garden = self.env["product.category"].create({"name": "Garden"})
        self.mug(categ_id=garden.id)
        [row] = self.rows()
        self.claim()
        made = json.dumps({"categories": {str(garden.id): 41}})
        self.Outbox.acknowledge(row.event_id, False, made, "WooCommerce: down", "worker-1")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "product.category", 41), garden
        )

    def test_products_are_sold_in_the_stores_chosen_on_them(self):
        Store = self.env["integration.store"]
        main = Store._ensure("https://shop.example.com")
        outlet = Store.create({"name": "Outlet", "url": "https://Outlet.example.com/"})
        self.assertEqual((main.is_default, outlet.is_default), (True, False))
        self.assertEqual(outlet.key, "outlet.example.com")
        mug = self.mug(woo_store_ids=[(6, 0, outlet.ids)])
        self.assertEqual(self.rows().mapped("store"), ["outlet.example.com"], "there alone")
        self.assertEqual(outlet.product_count, 1)
        claimed = self.Outbox.claim("worker-2", store="outlet.example.com")
        self.assertEqual(claimed[0]["data"]["status"], "publish")

        self.env["integration.binding"]._bind(STORE, mug.product_variant_id, 600)
        mug.woo_store_ids = [(6, 0, main.ids)]
        status = {row.store: row._envelope()["data"]["status"] for row in self.rows()}
        self.assertEqual(status, {STORE: "publish"}, "the main store only; outlet not bound")

        self.env["integration.binding"]._bind("outlet.example.com", mug.product_variant_id, 90)
        self.rows().write({"state": "done"})
        mug.woo_store_ids = [(6, 0, outlet.ids)]
        status = {row.store: row._envelope()["data"]["status"] for row in self.rows()}
        self.assertEqual(status, {STORE: "draft", "outlet.example.com": "publish"})

        self.rows().write({"state": "done"})
        mug.woo_store_ids = [(5,)]  # none chosen: the store in Settings and where it is
        status = {row.store: row._envelope()["data"]["status"] for row in self.rows()}
        self.assertEqual(status, {STORE: "publish", "outlet.example.com": "publish"})

    def test_a_product_of_an_archived_store_alone_does_not_move_to_the_default(self):
        outlet = self.env["integration.store"].create(
            {"name": "Outlet", "url": "https://outlet.example.com"}
        )
        mug = self.mug(woo_store_ids=[(6, 0, outlet.ids)])
        self.env["integration.binding"]._bind("outlet.example.com", mug.product_variant_id, 91)
        self.rows().write({"state": "done"})
        outlet.action_archive()
        mug.list_price = 15
        status = {row.store: row._envelope()["data"]["status"] for row in self.rows()}
        self.assertEqual(status, {"outlet.example.com": "draft"}, "nothing for the default store")

    def test_the_store_in_settings_is_a_store_products_can_be_sold_in(self):
        self.env["res.config.settings"].create(
            {"elitaco_store_url": "https://www.shop.example.com/"}
        ).execute()
        store = self.env["integration.store"].search([("key", "=", STORE)])
        self.assertTrue(store.is_default)
        with self.assertRaisesRegex(Exception, "not a store's address"):
            self.env["integration.store"].create({"name": "Nowhere", "url": "https://"})

    def test_a_sales_manager_chooses_among_the_stores_on_the_product_form(self):
        outlet = self.env["integration.store"].create(
            {"name": "Outlet", "url": "https://outlet.example.com"}
        )
        seller = new_test_user(
            self.env, login="seller", groups="sales_team.group_sale_manager,stock.group_stock_user"
        )
        mug = self.mug()
        with Form(mug.with_user(seller)) as form:
            form.woo_store_ids.add(outlet)
        self.assertEqual(mug.woo_store_ids, outlet)
        self.assertIn("outlet.example.com", self.rows().mapped("store"))

    def test_a_category_renamed_or_moved_in_odoo_is_pushed_to_the_stores_it_is_in(self):
        home = self.bound_category("Home", 15)
        mugs = self.bound_category("Mugs", 31, parent=home)
        unbound = self.env["product.category"].create({"name": "Office"})
        unbound.name = "Office supplies"
        mugs.name = "Cups & Mugs"
        mugs.name = "Cups and Mugs"
        rows = self.Outbox.search([("event_type", "=", "odoo.category.changed")])
        self.assertEqual(rows.category_id, mugs, "one row, for the category the store has")
        envelope = self.claim_category()
        self.assertEqual(
            envelope["data"],
            {
                "odoo_id": mugs.id,
                "woo_category_id": 31,
                "name": "Cups and Mugs",
                "category_ids": [15],
            },
        )
        self.Outbox.acknowledge(envelope["event_id"], True, '{"id": 31}', None, "worker-1")
        kitchen = self.env["product.category"].create({"name": "Kitchen"})
        mugs.parent_id = kitchen
        data = self.claim_category()["data"]
        self.assertEqual(data["category_ids"], [])
        self.assertEqual([c["name"] for c in data["new_categories"]], ["Kitchen"])
        [row] = self.Outbox.search([("category_id", "=", mugs.id), ("state", "=", "leased")])
        answer = json.dumps({"id": 31, "categories": {str(kitchen.id): 40}})
        self.Outbox.acknowledge(row.event_id, True, answer, None, "worker-1")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "product.category", 40), kitchen
        )
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        mugs.name = "Mugs again"
        self.assertFalse(
            self.Outbox.search(
                [("event_type", "=", "odoo.category.changed"), ("state", "=", "pending")]
            ),
            "WooCommerce is master: nothing goes back",
        )

    def claim_category(self) -> dict:
        claimed = self.Outbox.claim("worker-1", store=STORE)
        [envelope] = [one for one in claimed if one["event_type"] == "odoo.category.changed"]
        self.assertIsNone(envelope_problem(envelope), "the contract holds")
        return envelope
