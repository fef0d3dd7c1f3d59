from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import STORE, IntegrationCase, envelope

MANAGER_GROUPS = "elitaco_integration.group_integration_manager,sales_team.group_sale_manager"


class TestBindingsByHand(IntegrationCase):
    """Bindings are made by the integration; a manager's explicit Unbind or Re-bind is the only
    change made by hand, and it is said where the record's people look."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="bindings-manager", name="Marie Manager", groups=MANAGER_GROUPS
        )
        cls.worker = new_test_user(
            cls.env, login="bindings-worker", groups="elitaco_integration.group_integration_user"
        )
        cls.Binding = cls.env["integration.binding"]
        cls.env["integration.event"].process_envelope(envelope("woo.order.created"))
        cls.order = cls.env["sale.order"].search([("woo_order_id", "=", 4711)])
        cls.binding = cls.Binding._binding(STORE, "sale.order", 4711)
        cls.other_order = cls.env["sale.order"].create({"partner_id": cls.order.partner_id.id})

    def notes(self, record) -> list[str]:
        return record.message_ids.filtered(lambda m: m.subtype_id.internal).mapped("body")

    def rebind(self, binding, record, user=None):
        wizard = (
            self.env["integration.binding.rebind"]
            .with_user(user or self.manager)
            .create({"binding_id": binding.id, "res_id": record.id})
        )
        return wizard.action_rebind()

    def test_nobody_creates_edits_or_deletes_a_binding_by_hand(self):
        for user in (self.manager, self.worker):
            bindings = self.Binding.with_user(user)
            with self.assertRaises(AccessError):
                bindings.create(
                    {"store": STORE, "model": "sale.order", "external_id": 1, "res_id": 1}
                )
            with self.assertRaises(AccessError):
                self.binding.with_user(user).write({"res_id": self.other_order.id})
            with self.assertRaises(AccessError):
                self.binding.with_user(user).unlink()
        for view in ("integration_binding_view_list", "integration_binding_view_form"):
            arch = self.env.ref(f"elitaco_integration.{view}").arch
            for attribute in ('create="0"', 'edit="0"', 'delete="0"'):
                self.assertIn(attribute, arch, view)
            self.assertNotIn("editable", arch, view)

    def test_the_workers_still_bind_what_they_apply(self):
        bindings = self.Binding.with_user(self.worker)
        bindings._bind(STORE, self.other_order, 4712)
        bindings._bind(STORE, self.order, 4712)
        self.assertEqual(self.Binding._find(STORE, "sale.order", 4712), self.order)

    def test_the_list_names_the_record_and_keeps_its_id_out_of_the_way(self):
        self.assertEqual(self.binding.record_ref, self.order)
        self.assertEqual(self.binding.display_name, "Order 4711")
        arch = self.env.ref("elitaco_integration.integration_binding_view_list").arch
        self.assertIn('<field name="record_ref"', arch)
        self.assertIn('<field name="res_id" optional="hide"', arch)

    def test_a_manager_unbinds_an_order_and_the_order_says_who_did(self):
        self.binding.with_user(self.manager).action_unbind()
        self.assertFalse(self.binding.exists())
        self.assertFalse(self.Binding._find(STORE, "sale.order", 4711))
        self.assertFalse(
            self.order.woo_order_id or self.order.woo_order_number,
            "no longer WooCommerce's order 4711",
        )
        entry = self.order.integration_timeline_ids[:1]
        self.assertEqual((entry.kind, entry.woo_order_id), ("note", 4711))
        self.assertIn("unbound by Marie Manager", entry.message)
        self.assertIn("unbound by Marie Manager", self.notes(self.order)[0])
        self.assertEqual(self.order.message_ids[0].author_id, self.manager.partner_id)

    def test_a_manager_rebinds_an_order_and_both_orders_say_so(self):
        self.rebind(self.binding, self.other_order)
        self.assertEqual(self.Binding._find(STORE, "sale.order", 4711), self.other_order)
        other = self.other_order
        self.assertEqual(
            (other.woo_order_id, other.woo_store, other.woo_order_number), (4711, STORE, "4711")
        )
        self.assertFalse(self.order.woo_order_id or self.order.woo_order_number)
        for order in (self.order, self.other_order):
            entry = order.integration_timeline_ids[:1]
            self.assertEqual(entry.kind, "note")
            self.assertIn(
                f"re-bound from {self.order.name} to {self.other_order.name} by Marie Manager",
                entry.message,
            )
            self.assertIn("re-bound", self.notes(order)[0])
        # The next WooCommerce update of order 4711 goes to the order it is bound to now.
        self.env["integration.event"].process_envelope(envelope("woo.order.updated"))
        self.assertEqual(self.other_order.woo_status, "processing")
        self.assertEqual(self.order.woo_status, "pending")

    def test_a_customer_rebound_to_the_contact_meant(self):
        customer = self.Binding._binding(STORE, "res.partner", 27)
        meant = self.env["res.partner"].create({"name": "Zoe Müller (B2B)"})
        was = customer.record_ref
        self.rebind(customer, meant)
        self.assertEqual(customer.record_ref, meant)
        self.assertIn("re-bound", self.notes(meant)[0])
        self.assertIn("re-bound", self.notes(was)[0])

    def test_a_product_rebound_takes_the_next_state_in_full(self):
        self.process(envelope("woo.product.updated"))
        shirt = self.Binding._binding(STORE, "product.product", 122)
        self.assertTrue(shirt.woo_date_modified)
        linen = self.env["product.product"].create({"name": "Linen Shirt (old SKU)"})
        self.rebind(shirt, linen)
        self.assertFalse(shirt.woo_date_modified, "the state was applied to the other shirt")
        self.assertEqual(shirt.record_ref, linen)
        self.assertIn("re-bound", self.notes(linen)[0])

    def test_a_record_without_a_chatter_is_rebound_all_the_same(self):
        categories = self.env["product.category"]
        bound, other = categories.create({"name": "Shirts"}), categories.create({"name": "Tops"})
        self.Binding._bind(STORE, bound, 15)
        binding = self.Binding._binding(STORE, "product.category", 15)
        self.rebind(binding, other)
        self.assertEqual(binding.record_ref, other)

    def test_a_record_bound_to_another_woocommerce_id_is_not_taken(self):
        self.Binding._bind(STORE, self.other_order, 4712)
        with self.assertRaisesRegex(UserError, "4712"):
            self.rebind(self.binding, self.other_order)
        self.assertEqual(self.binding.record_ref, self.order)

    def test_only_an_integration_manager_unbinds_or_rebinds(self):
        salesman = new_test_user(
            self.env,
            login="bindings-user",
            groups="elitaco_integration.group_integration_user,sales_team.group_sale_manager",
        )
        with self.assertRaises(AccessError):
            self.binding.with_user(salesman).action_unbind()
        with self.assertRaises(AccessError):
            self.rebind(self.binding, self.other_order, user=salesman)
        self.assertEqual(self.binding.record_ref, self.order)


@tagged("-at_install", "post_install")
class TestBindingsUI(HttpCase):
    def test_a_manager_rebinds_an_order_through_the_screen(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "create")
        events = self.env["integration.event"].with_context(elitaco_from_woo=True)
        events.process_envelope(envelope("woo.order.created"))
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        other = self.env["sale.order"].create(
            {"name": "PHONE-42", "partner_id": order.partner_id.id}
        )
        self.start_tour(
            "/odoo/action-elitaco_integration.integration_binding_action",
            "elitaco_binding_rebind",
            login="admin",
        )
        binding = self.env["integration.binding"]._binding(STORE, "sale.order", 4711)
        self.assertEqual(binding.res_id, other.id)
        self.assertIn("re-bound", other.integration_timeline_ids[:1].message)
