from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope, example

MASTER = "elitaco_integration.product_master"
ZOE = "zoe.mueller@example.org"


class TestCustomers(IntegrationCase):
    def test_customer_created_then_updated(self):
        answer = self.process("woo.customer.created")
        self.assertEqual(answer["status"], "processed")
        partner = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        self.assertEqual(partner.email, "zoe.mueller@example.org")
        billing = dict(example("woo.customer.updated")["data"]["billing"], phone="+49 1")
        self.process("woo.customer.updated", billing=billing)
        self.assertEqual(partner.phone, "+49 1")
        self.assertEqual(
            self.env["res.partner"].search_count([("email", "=", "zoe.mueller@example.org")]), 1
        )

    def test_customer_matched_by_email_is_bound(self):
        known = self.env["res.partner"].create(
            {"name": "Zoe", "email": "zoe.mueller@example.org", "woo_customer": True}
        )
        self.process("woo.customer.created")
        self.assertEqual(self.env["integration.binding"]._find(STORE, "res.partner", 27), known)

    def test_an_email_never_takes_a_vendor_or_a_users_contact(self):
        """WooCommerce does not verify e-mails: anyone can sign up with a supplier's."""
        vendor = self.env["res.partner"].create(
            {"name": "Linen Mill GmbH", "email": "zoe.mueller@example.org", "city": "Bielefeld"}
        )
        user = self.env["res.users"].create(
            {"name": "Zoe (staff)", "login": "zoe.staff", "email": "zoe.mueller@example.org"}
        )
        self.process("woo.customer.created")
        customer = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        self.assertNotIn(customer, vendor | user.partner_id)
        self.assertTrue(customer.woo_customer)
        self.assertEqual((vendor.name, vendor.city), ("Linen Mill GmbH", "Bielefeld"))
        self.assertEqual(user.partner_id.name, "Zoe (staff)")

    def test_empty_fields_never_wipe_what_odoo_knows(self):
        self.process("woo.customer.created")
        partner = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        street, phone = partner.street, partner.phone
        self.assertTrue(street and phone)
        empty = dict.fromkeys(("address_1", "address_2", "city", "postcode", "phone"), "")
        billing = dict(example("woo.customer.updated")["data"]["billing"], **empty)
        self.process("woo.customer.updated", billing=billing)
        self.assertEqual((partner.street, partner.phone), (street, phone))

    def test_an_older_customer_state_retried_late_changes_nothing(self):
        newer_billing = dict(example("woo.customer.updated")["data"]["billing"], city="Bonn")
        newer = envelope("woo.customer.updated", billing=newer_billing)
        self.process(newer)
        partner = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        self.assertEqual(partner.city, "Bonn")
        older = self.process("woo.customer.created")  # 2025: before the update of 2026
        self.assertEqual(older["status"], "ignored")
        self.assertEqual(partner.city, "Bonn")
        again = self.process(envelope("woo.customer.restored", newer["data"]))
        self.assertEqual(again["status"], "processed")
        self.assertIn(
            "No change", self.Event.search([("event_id", "=", again["event_id"])]).message
        )

    def test_customer_deleted_keeps_the_partner(self):
        self.process("woo.customer.created")
        answer = self.process("woo.customer.deleted")
        self.assertEqual(answer["status"], "processed")
        self.assertTrue(self.env["integration.binding"]._find(STORE, "res.partner", 27))


@tagged("-at_install", "post_install")
class TestMatchingAnyContactByEmail(WorkerCase):
    """Settings › Customer matching: any contact without a login, as the workers apply it
    (over HTTP, as an Integration User with its API key)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("elitaco_integration.customer_match", "email")

    def post(self, message: dict) -> dict:
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        return answer

    def guest_order(self):
        """Order 4711 with Zoe's e-mail and no WooCommerce account: found by e-mail only."""
        self.post(envelope("woo.order.created", customer_id=0))
        return self.env["sale.order"].search([("woo_order_id", "=", 4711)])

    def test_an_archived_users_contact_is_never_matched(self):
        """Archiving a user leaves its contact active, with the user's e-mail."""
        staff = new_test_user(self.env, login="zoe.staff", name="Zoe (staff)", email=ZOE)
        staff.active = False
        self.assertTrue(staff.partner_id.active)
        self.post(envelope("woo.customer.created"))
        customer = self.env["integration.binding"]._find(STORE, "res.partner", 27)
        self.assertTrue(customer)
        self.assertNotEqual(customer, staff.partner_id)
        self.assertEqual(staff.partner_id.name, "Zoe (staff)")
        self.assertFalse(staff.partner_id.woo_customer)
        self.assertNotEqual(self.guest_order().partner_id, staff.partner_id)

    def test_a_vendors_contact_person_is_never_matched(self):
        vendor = self.env["res.partner"].create(
            {"name": "Linen Mill GmbH", "is_company": True, "supplier_rank": 1}
        )
        person = self.env["res.partner"].create(
            {"name": "Zoe Mill", "email": ZOE, "parent_id": vendor.id, "city": "Bielefeld"}
        )
        customer = self.guest_order().partner_id
        self.assertNotIn(customer, vendor | person)
        self.assertEqual((person.name, person.city), ("Zoe Mill", "Bielefeld"))
        self.assertFalse(person.woo_customer)
        self.post(envelope("woo.customer.created"))
        self.assertNotIn(
            self.env["integration.binding"]._find(STORE, "res.partner", 27), vendor | person
        )

    def test_a_contact_person_of_a_woocommerce_customer_company_is_matched(self):
        company = self.env["res.partner"].create({"name": "Atelier Z", "is_company": True})
        self.env["integration.binding"]._bind(STORE, company, 99)  # the company's own account
        person = self.env["res.partner"].create(
            {"name": "Zoe", "email": ZOE, "parent_id": company.id}
        )
        self.post(envelope("woo.customer.created"))
        self.assertEqual(self.env["integration.binding"]._find(STORE, "res.partner", 27), person)
        self.assertTrue(person.woo_customer)


class TestProducts(IntegrationCase):
    def test_odoo_master_binds_by_sku_only(self):
        self.env["ir.config_parameter"].set_param(MASTER, "odoo")
        answer = self.process("woo.product.created")
        self.assertEqual(answer["status"], "processed")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "product.product", 131), self.socks
        )
        self.assertEqual(self.socks.list_price, 9, "Odoo is master: price untouched")
        unknown = self.process("woo.product.created", id=777, sku="NOT-IN-ODOO")
        self.assertEqual(unknown["status"], "ignored")
        self.assertFalse(self.env["product.product"].search([("default_code", "=", "NOT-IN-ODOO")]))

    def test_woo_master_creates_updates_and_archives(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.process(
            "woo.product.created",
            id=555,
            sku="WOO-NEW",
            name="Wool Hat &amp; Scarf",
            regular_price="25.00",
        )
        product = self.env["integration.binding"]._find(STORE, "product.product", 555)
        self.assertEqual(
            (product.name, product.default_code, product.list_price),
            ("Wool Hat & Scarf", "WOO-NEW", 25.0),
        )
        self.process(
            "woo.product.updated",
            id=555,
            sku="WOO-NEW",
            name="Wool Hat & Scarf",
            regular_price="27.50",
            parent_id=0,
            date_modified_gmt="2026-02-11T07:45:00",
        )
        self.assertEqual(product.list_price, 27.5)
        self.process("woo.product.deleted", id=555)
        self.assertFalse(product.active)

    def test_only_published_products_are_active_and_the_short_description_is_kept(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.process("woo.product.created", id=560, sku="WOO-DRAFT", status="draft")
        product = self.env["integration.binding"]._find(STORE, "product.product", 560)
        self.assertFalse(product.active, "a draft is not sold")
        self.assertEqual(product.description_sale, "Organic & soft.")
        states = (("publish", True), ("private", False), ("pending", True))
        for day, (status, active) in enumerate(states, 1):
            self.process(
                "woo.product.updated",
                id=560,
                sku="WOO-DRAFT",
                parent_id=0,
                type="simple",
                status=status,
                date_modified_gmt=f"2026-03-0{day}T00:00:00",
            )
            self.assertEqual(product.active, active, status)

    def test_categories_with_their_parents_are_odoo_categories(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        bindings = self.env["integration.binding"]
        clothing = {"id": 9, "name": "Clothing", "parent": 0}
        read = envelope("woo.product.created", id=570, sku="WOO-CAT")  # Accessories (15)
        read["fetched"] = {"categories": [{"id": 15, "name": "Accessories", "parent": 9}, clothing]}
        self.process(read)
        accessories = bindings._find(STORE, "product.product", 570).categ_id
        self.assertEqual(accessories.complete_name, "All / Clothing / Accessories")
        self.assertEqual(bindings._find(STORE, "product.category", 15), accessories)

        # Without the workers' reading (no REST key): the bound category all the same.
        self.process("woo.product.created", id=571, sku="WOO-CAT-2")
        self.assertEqual(bindings._find(STORE, "product.product", 571).categ_id, accessories)

        # Known by name first, under All; under its parent once an event has the reading.
        hats = [{"id": 16, "name": "Hats", "slug": "hats"}]
        self.process("woo.product.created", id=572, sku="WOO-CAT-3", categories=hats)
        product = bindings._find(STORE, "product.product", 572)
        self.assertEqual(product.categ_id.complete_name, "All / Hats")
        later = envelope(
            "woo.product.updated",
            id=572,
            sku="WOO-CAT-3",
            type="simple",
            parent_id=0,
            categories=hats,
            date_modified_gmt="2026-03-01T00:00:00",
        )
        later["fetched"] = {"categories": [{"id": 16, "name": "Hats", "parent": 9}, clothing]}
        self.process(later)
        self.assertEqual(product.categ_id.complete_name, "All / Clothing / Hats")
        self.assertEqual(product.categ_id, bindings._find(STORE, "product.category", 16))

        uncategorized = [{"id": 1, "name": "Uncategorized", "slug": "uncategorized"}]
        self.process("woo.product.created", id=573, sku="WOO-CAT-4", categories=uncategorized)
        self.assertEqual(
            bindings._find(STORE, "product.product", 573).categ_id,
            self.env.ref("product.product_category_all"),
        )

    def test_weight_and_volume_in_the_units_odoo_shows(self):
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        params.set_param("elitaco_integration.weight_unit", "g")
        params.set_param("elitaco_integration.dimension_unit", "cm")
        box = {"length": "100", "width": "50", "height": "40"}
        self.process("woo.product.created", id=580, sku="WOO-W", weight="250", dimensions=box)
        product = self.env["integration.binding"]._find(STORE, "product.product", 580)
        self.assertAlmostEqual(product.weight, 0.25)
        self.assertAlmostEqual(product.volume, 0.2)  # m³

        params.set_param("product.weight_in_lbs", "1")
        unknown = {"length": "", "width": "", "height": ""}
        self.process(
            "woo.product.updated",
            id=580,
            sku="WOO-W",
            type="simple",
            parent_id=0,
            weight="454",
            dimensions=unknown,
            date_modified_gmt="2026-03-01T00:00:00",
        )
        self.assertAlmostEqual(product.weight, 1.0, places=2)  # lb
        self.assertAlmostEqual(product.volume, 0.2, msg="empty dimensions change nothing")

    def test_a_sale_price_with_its_dates_is_a_rule_of_the_default_pricelist(self):
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        pricelist = self.env["product.pricelist"].create({"name": "Shop"})
        params.set_param("elitaco_integration.pricelist_id", pricelist.id)
        answer = self.process(
            "woo.product.created",
            id=590,
            sku="WOO-SALE",
            regular_price="9.00",
            sale_price="7.50",
            date_on_sale_from_gmt="2026-03-01T00:00:00",
            date_on_sale_to_gmt="2026-03-10T23:59:59",
        )
        self.assertIn("Sale price 7.5", "\n".join(answer["changes"]))
        product = self.env["integration.binding"]._find(STORE, "product.product", 590)

        def price_on(day: str) -> float:
            return pricelist._get_product_price(product, 1.0, date=fields.Datetime.to_datetime(day))

        self.assertEqual(price_on("2026-03-05 12:00:00"), 7.5)
        self.assertEqual(price_on("2026-04-01 12:00:00"), 9.0, "after the sale")
        ended = self.process(
            "woo.product.updated",
            id=590,
            sku="WOO-SALE",
            type="simple",
            parent_id=0,
            regular_price="9.00",
            sale_price="",
            date_modified_gmt="2026-03-02T00:00:00",
        )
        self.assertIn("Sale price ended", "\n".join(ended["changes"]))
        self.assertEqual(price_on("2026-03-05 12:00:00"), 9.0)
        self.assertFalse(pricelist.item_ids)

    def test_an_older_product_state_or_a_late_delete_changes_nothing(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.process(
            "woo.product.updated",
            id=131,
            sku="SOCKS-ORG",
            parent_id=0,
            regular_price="11.00",
            date_modified_gmt="2026-03-01T08:00:00",
        )
        self.assertEqual(self.socks.list_price, 11.0)
        older = self.process("woo.product.created")  # regular_price 9.00, February
        self.assertEqual(older["status"], "ignored")
        self.assertEqual(self.socks.list_price, 11.0)
        late_delete = envelope("woo.product.deleted")
        late_delete["meta"]["received_at"] = "2026-02-15T00:00:00Z"  # before the March state
        self.assertEqual(self.process(late_delete)["status"], "ignored")
        self.assertTrue(self.socks.active)

    def test_woo_managed_stock_makes_a_tracked_product(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.process("woo.product.created", id=556, sku="WOO-TRACKED", manage_stock=True)
        self.process("woo.product.created", id=557, sku="WOO-UNTRACKED", manage_stock=False)
        bindings = self.env["integration.binding"]
        self.assertTrue(bindings._find(STORE, "product.product", 556).is_storable)
        self.assertFalse(bindings._find(STORE, "product.product", 557).is_storable)

    def variable_shirt(self, **changes) -> dict:
        """The variable product 120 as WooCommerce sends it: two attributes for variations,
        one only shown on the product page."""

        def attribute(number, name, options, variation=True):
            return {
                "id": number,
                "name": name,
                "position": number,
                "visible": True,
                "variation": variation,
                "options": options,
            }

        return self.process(
            "woo.product.created",
            id=120,
            type="variable",
            sku="SHIRT-V",
            name="Linen Shirt",
            price="20.00",
            regular_price="",
            attributes=[
                attribute(1, "Color", ["Blue", "Red"]),
                attribute(2, "Size", ["M", "L"]),
                attribute(3, "Material", ["Linen"], variation=False),
            ],
            variations=[122, 123],
            **changes,
        )

    def variation(self, woo_id: int, sku: str, price: str = "20.00", **options) -> dict:
        return envelope(
            "woo.product.updated",
            id=woo_id,
            sku=sku,
            regular_price=price,
            price=price,
            parent_id=120,
            name="Linen Shirt - " + ", ".join(options.values()),
            attributes=[
                {"id": number, "name": name, "option": option}
                for number, (name, option) in enumerate(options.items(), 1)
            ],
        )

    def test_a_variable_product_is_a_template_its_variations_are_its_variants(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        answer = self.variable_shirt()
        self.assertEqual(answer["status"], "processed")
        self.assertIn("Not used for variations, so not variants: Material", answer["changes"])
        bindings = self.env["integration.binding"]
        template = bindings._find(STORE, "product.template", 120)
        lines = template.attribute_line_ids
        self.assertEqual(lines.attribute_id.mapped("name"), ["Color", "Size"])
        self.assertEqual(sorted(lines.value_ids.mapped("name")), ["Blue", "L", "M", "Red"])
        self.assertFalse(template.product_variant_ids, "only the variations WooCommerce has")

        for woo_id, sku, color, size in (
            (122, "SHIRT-V-BLU-M", "Blue", "M"),
            (123, "SHIRT-V-RED-L", "Red", "L"),
        ):
            answer = self.process(self.variation(woo_id, sku, Color=color, Size=size))
            self.assertEqual(answer["status"], "processed", answer)
            variant = bindings._find(STORE, "product.product", woo_id)
            self.assertEqual(variant.product_tmpl_id, template)
            self.assertEqual(
                sorted(variant.product_template_attribute_value_ids.mapped("name")),
                sorted([color, size]),
            )
            self.assertEqual(variant.default_code, sku)
            self.assertEqual(bindings._binding(STORE, "product.product", woo_id).woo_parent_id, 120)
        self.assertEqual(template.product_variant_count, 2)
        self.assertEqual(template.name, "Linen Shirt", "a variation's name is not the template's")
        sold, _warnings = self.env["integration.woo.order.line"]._line_product(
            STORE, {"product_id": 120, "variation_id": 123, "sku": "SHIRT-V-RED-L", "quantity": 1}
        )
        self.assertEqual(sold, bindings._find(STORE, "product.product", 123))

    def test_attributes_odoo_has_are_matched_by_name(self):
        """An attribute the shop made in Odoo that creates every variant: the variation binds
        the one with its values; the rest stay as Odoo made them."""
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        color = self.env["product.attribute"].create(
            {
                "name": "color",
                "create_variant": "always",
                "value_ids": [Command.create({"name": "blue"}), Command.create({"name": "Red"})],
            }
        )
        self.variable_shirt()
        template = self.env["integration.binding"]._find(STORE, "product.template", 120)
        self.assertIn(color, template.attribute_line_ids.attribute_id)
        self.assertEqual(len(color.value_ids), 2, "Blue is the blue Odoo has")
        self.process(self.variation(123, "SHIRT-V-RED-L", Color="Red", Size="L"))
        variant = self.env["integration.binding"]._find(STORE, "product.product", 123)
        self.assertEqual(
            sorted(variant.product_template_attribute_value_ids.mapped("name")), ["L", "Red"]
        )

    def test_variant_prices_are_the_variations_when_they_add_up_per_attribute(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.variable_shirt()
        sizes = {"M": "20.00", "L": "22.50"}  # L costs 2.50 more, whatever the colour
        for woo_id, (color, size) in enumerate(
            (("Blue", "M"), ("Red", "M"), ("Blue", "L"), ("Red", "L")), 130
        ):
            answer = self.process(
                self.variation(woo_id, f"SHIRT-{woo_id}", sizes[size], Color=color, Size=size)
            )
            self.assertEqual(answer["warnings"], [])
        bindings = self.env["integration.binding"]
        template = bindings._find(STORE, "product.template", 120)
        self.assertEqual(template.list_price, 20.0)
        for woo_id in range(130, 134):
            variant = bindings._find(STORE, "product.product", woo_id)
            values = variant.product_template_attribute_value_ids
            size = values.filtered(lambda value: value.attribute_id.name == "Size").name
            self.assertEqual(variant.lst_price, float(sizes[size]))

        dearer = self.variation(133, "SHIRT-133", "25.00", Color="Red", Size="L")
        dearer["data"]["date_modified_gmt"] = "2026-03-01T00:00:00"
        dearer = envelope("woo.product.updated", dearer["data"])
        answer = self.process(dearer)
        self.assertIn("costs 25.0 in WooCommerce", "\n".join(answer["warnings"]))
        self.assertEqual(bindings._find(STORE, "product.product", 132).lst_price, 22.5)

    def test_a_variation_made_a_product_of_its_own_becomes_the_variant(self):
        """What earlier versions made of variation 122: a product of its own, bound, sold."""
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        old = self.env["product.product"].create(
            {"name": "Linen Shirt - Blue, M", "default_code": "SHIRT-V-BLU-M", "list_price": 20}
        )
        old_template = old.product_tmpl_id
        self.env["integration.binding"]._bind(STORE, old, 122, 120)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env.ref("base.partner_admin").id,
                "order_line": [Command.create({"product_id": old.id})],
            }
        )
        self.variable_shirt()
        later = self.variation(122, "SHIRT-V-BLU-M", Color="Blue", Size="M")
        answer = self.process(
            envelope(
                "woo.product.updated", later["data"] | {"date_modified_gmt": "2026-03-01T00:00:00"}
            )
        )
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("is now the variant", "\n".join(answer["changes"]))
        template = self.env["integration.binding"]._find(STORE, "product.template", 120)
        self.assertEqual(old.product_tmpl_id, template, "the same record, now a variant")
        self.assertEqual(
            sorted(old.product_template_attribute_value_ids.mapped("name")), ["Blue", "M"]
        )
        self.assertEqual(self.env["integration.binding"]._find(STORE, "product.product", 122), old)
        self.assertEqual(order.order_line.product_id, old)
        self.assertEqual(order.order_line.product_template_id, template)
        self.assertFalse(old_template.active)
        self.assertEqual(old.lst_price, 20.0)

    def test_a_variation_before_its_variable_product_waits_for_it(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        early = self.variation(122, "SHIRT-V-BLU-M", Color="Blue", Size="M")
        answer = self.process(early)
        self.assertEqual(answer["status"], "failed")
        self.assertTrue(answer["error"]["retryable"])
        self.assertIn("waits for its variable product 120", answer["error"]["message"])
        self.assertFalse(
            self.env["product.product"].search([("default_code", "=", "SHIRT-V-BLU-M")])
        )
        self.variable_shirt()
        self.assertEqual(self.process(early)["status"], "processed", "the retry applies it")
        variant = self.env["integration.binding"]._find(STORE, "product.product", 122)
        self.assertEqual(variant.product_tmpl_id.name, "Linen Shirt")

    def test_a_new_value_comes_with_its_variation(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.variable_shirt()
        self.process(self.variation(124, "SHIRT-V-GRN-M", Color="Green", Size="M"))
        variant = self.env["integration.binding"]._find(STORE, "product.product", 124)
        self.assertIn("Green", variant.product_template_attribute_value_ids.mapped("name"))

    def test_a_variation_of_any_size_is_a_product_of_its_own(self):
        """WooCommerce's "Any Size": Odoo variants have one value of each attribute."""
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.variable_shirt()
        answer = self.process(self.variation(125, "SHIRT-V-BLU-ANY", Color="Blue"))
        self.assertEqual(answer["status"], "processed")
        self.assertIn("sells any Size", "\n".join(answer["warnings"]))
        product = self.env["integration.binding"]._find(STORE, "product.product", 125)
        self.assertEqual(product.default_code, "SHIRT-V-BLU-ANY")
        self.assertFalse(product.product_template_attribute_value_ids)

    def test_unknown_attributes_are_refused_when_nothing_unknown_is_created(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "fail")
        answer = self.variable_shirt()
        self.assertEqual(answer["status"], "failed")
        self.assertFalse(answer["error"]["retryable"])
        self.assertIn("no product attribute Color", answer["error"]["message"])

    def test_a_line_is_the_variation_sold_never_its_parent(self):
        parent = self.env["product.product"].create({"name": "Linen Shirt (any)"})
        self.env["integration.binding"]._bind(STORE, parent, 120)  # the variable product
        self.process("woo.order.created")
        shirt_line = self.env["sale.order"].search([("woo_order_id", "=", 4711)]).order_line[0]
        self.assertEqual(shirt_line.product_id, self.shirt, "by SKU, not the bound parent")

    def test_sku_matches_archived_products_and_refuses_ambiguity(self):
        self.socks.action_archive()
        self.process("woo.order.created")
        lines = self.env["sale.order"].search([("woo_order_id", "=", 4711)]).order_line
        self.assertIn(self.socks, lines.product_id, "archived, still the product sold")

        self.env["product.product"].create({"name": "Socks too", "default_code": "SOCKS-ORG"})
        self.env["integration.binding"].search([("external_id", "=", 131)]).unlink()
        answer = self.process("woo.order.created", id=4712, number="4712")
        self.assertEqual(answer["status"], "failed")
        self.assertFalse(answer["error"]["retryable"])
        self.assertIn("SKU SOCKS-ORG is shared by several products", answer["error"]["message"])

    def test_variation_binds_by_sku(self):
        self.process("woo.product.updated")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "product.product", 122), self.shirt
        )

    def test_coupon_events_are_ignored_with_a_reason(self):
        answer = self.process("woo.coupon.created")
        self.assertEqual(answer["status"], "ignored")
