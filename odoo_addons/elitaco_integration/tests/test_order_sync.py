import uuid

from .common import STORE, IntegrationCase, envelope, example


class TestOrderSync(IntegrationCase):
    def test_registered_customer_order_with_variation_fee_coupon_shipping_and_taxes(self):
        answer = self.process("woo.order.created")
        self.assertEqual(answer["status"], "processed")
        order = self.woo_order()
        self.assertEqual(order.state, "draft", "pending keeps the quotation")
        self.assertEqual(order.currency_id.name, "EUR")
        self.assertEqual(order.amount_total, 67.55)
        self.assertEqual(order.amount_tax, 11.15)
        self.assertEqual(order.client_order_ref, "4711")
        self.assertEqual(order.woo_status, "pending")
        self.assertEqual(order.woo_payment_method, "stripe")
        self.assertEqual(order.woo_payment_method_title, "Credit card (Stripe)")
        self.assertEqual(order.woo_customer_note, "Please ring twice – side door.")
        self.assertEqual(str(order.woo_date_modified), "2026-02-20 10:00:00")
        lines = {line.name: line for line in order.order_line}
        shirt = lines["Linen Shirt – Blue, M"]
        self.assertEqual(
            (shirt.product_id, shirt.product_uom_qty, shirt.price_unit), (self.shirt, 2, 20.0)
        )
        self.assertEqual(shirt.tax_id, self.tax_21)
        self.assertEqual(lines["Organic Cotton Socks"].product_id, self.socks)
        self.assertEqual(
            lines["Gift wrapping (handmade)"].tax_id,
            self.tax_7,
            "rate 2 has no value map: found by its percentage",
        )
        self.assertEqual(lines["DHL Paket"].price_unit, 4.90)
        self.assertEqual(lines["Cash on delivery fee"].price_unit, 2.50)
        coupon = lines["Coupon spring5"]
        self.assertEqual((coupon.price_unit, coupon.tax_id), (-5.0, self.tax_21))

        partner = order.partner_id
        self.assertEqual(partner.name, "Zoë Müller-Lüdenscheidt")
        self.assertEqual(partner.email, "zoe.mueller@example.org")
        self.assertEqual((partner.city, partner.country_id.code), ("Köln", "DE"))
        self.assertEqual(order.partner_shipping_id.parent_id, partner)
        self.assertEqual(order.partner_shipping_id.type, "delivery")
        self.assertEqual(order.partner_shipping_id.street, "Ehrenstraße 12")
        bindings = self.env["integration.binding"]
        self.assertEqual(bindings._find(STORE, "res.partner", 27), partner)
        self.assertEqual(bindings._find(STORE, "sale.order", 4711), order)
        self.assertEqual(bindings._find(STORE, "product.product", 122), self.shirt)

        [row] = order.integration_timeline_ids
        self.assertEqual(row.kind, "processed", "one row for the event, in words")
        self.assertIn("product Gift wrapping", row.warnings)
        self.assertNotIn("Total mismatch", row.warnings)
        self.assertTrue(
            row.story.startswith(f"⚠ {row.warnings.splitlines()[0]}"), "warnings first, in full"
        )
        self.assertIn(f"Created {order.name} with", row.story)
        self.assertEqual(order.integration_event_count, 1)

    def test_updated_before_created_then_created_is_stale(self):
        updated = self.process("woo.order.updated")
        self.assertEqual(updated["status"], "processed")
        order = self.woo_order()
        self.assertEqual(order.state, "sale", "processing confirms")
        self.assertEqual(order.woo_transaction_id, "pi_3QxYz2ABCdefGHI")
        created = self.process("woo.order.created")
        self.assertEqual(created["status"], "ignored")
        self.assertEqual(len(self.woo_order()), 1)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.woo_status, "processing")
        [row] = order.integration_timeline_ids
        self.assertEqual((row.kind, row.repeats), ("processed", 1), "the stale one is counted")
        stale = self.Event.search([("event_type", "=", "woo.order.created")])
        self.assertIn("Stale update ignored", stale.message, "and said in the ledger")

    def test_created_and_updated_with_identical_bodies_make_one_order(self):
        data = example("woo.order.created")["data"]
        self.assertEqual(self.process(envelope("woo.order.created", data))["status"], "processed")
        second = self.process(envelope("woo.order.updated", data))
        self.assertEqual((second["status"], second["reread"]), ("processed", False))
        self.assertEqual(len(self.woo_order()), 1)
        self.assertIn(
            "No change",
            self.Event.search([("event_id", "=", self.Event.search([], limit=1).event_id)]).message,
        )
        [row] = self.woo_order().integration_timeline_ids
        self.assertEqual(row.repeats, 1, "no row says 'no change'")

    def test_two_states_of_the_same_second_the_later_delivery_wins(self):
        """Created pending and at once PUT to processing over REST: one date_modified_gmt."""
        pending = envelope("woo.order.created")
        processing = envelope("woo.order.updated", pending["data"], status="processing")
        self.assertNotEqual(pending["idempotency_key"], processing["idempotency_key"])
        processing["meta"]["received_at"] = "2026-02-20T10:05:01Z"
        first = self.process(pending)
        self.assertEqual((first["status"], first["reread"]), ("processed", False))
        second = self.process(processing)
        # Applied, and the workers are asked to read the order again: the delivery order is
        # all that decided, and WooCommerce may have delivered the two in either order.
        self.assertEqual((second["status"], second["reread"]), ("processed", True))
        order = self.woo_order()
        self.assertEqual((order.state, order.woo_status), ("sale", "processing"))
        self.assertIn("read the order again", "\n".join(second["changes"]))

    def test_two_states_of_the_same_second_applied_out_of_order(self):
        """Two workers: the state delivered second is applied first; the first stays stale."""
        pending = envelope("woo.order.created")
        processing = envelope("woo.order.updated", pending["data"], status="processing")
        processing["meta"]["received_at"] = "2026-02-20T10:05:01Z"
        self.assertFalse(self.process(processing)["reread"])
        answer = self.process(pending)
        self.assertEqual((answer["status"], answer["reread"]), ("ignored", True))
        order = self.woo_order()
        self.assertEqual((order.state, order.woo_status), ("sale", "processing"))
        event = self.Event.search([("event_id", "=", pending["event_id"])])
        self.assertIn("same second", event.message)

    def test_the_order_date_is_set_once(self):
        self.process("woo.order.created")
        self.process("woo.order.updated")
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        confirmed = order.date_order  # Odoo's confirmation date
        self.process(
            "woo.order.updated", status="completed", date_modified_gmt="2026-02-22T09:00:00"
        )
        self.assertEqual(order.date_order, confirmed)
        updates = order.integration_timeline_ids.filtered(lambda e: e.kind == "processed")
        self.assertFalse([e for e in updates if "date_order" in (e.details or "")])

    def test_the_invoice_address_is_the_orders_billing_address(self):
        self.process("woo.customer.created")
        data = example("woo.order.created")["data"]
        billing = dict(data["billing"], address_1="Rechnungsweg 9", postcode="50668")
        self.process("woo.order.created", billing=billing)
        order = self.woo_order()
        self.assertEqual(order.partner_invoice_id.parent_id, order.partner_id)
        self.assertEqual(order.partner_invoice_id.type, "invoice")
        self.assertEqual(order.partner_invoice_id.street, "Rechnungsweg 9")
        self.assertNotEqual(order.partner_id.street, "Rechnungsweg 9", "the customer is kept")

    def test_status_mapping(self):
        self.process("woo.order.created", status="on-hold")
        order = self.woo_order()
        self.assertEqual(order.state, "draft")
        self.process("woo.order.updated", status="completed")
        self.assertEqual(order.state, "sale")
        self.process(
            "woo.order.updated", status="refunded", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(order.state, "cancel")

    def test_failed_and_cancelled_statuses_cancel(self):
        for number, status in ((5001, "failed"), (5002, "cancelled")):
            self.process("woo.order.created", id=number, status=status)
            self.assertEqual(self.woo_order(number).state, "cancel", status)

    def test_checkout_draft_is_ignored(self):
        answer = self.process("woo.order.updated", status="checkout-draft")
        self.assertEqual(answer["status"], "ignored")
        self.assertFalse(self.woo_order())

    def test_unmapped_status_keeps_the_quotation_with_a_warning(self):
        self.process("woo.order.created", status="awaiting-pickup")
        order = self.woo_order()
        self.assertEqual(order.state, "draft")
        self.assertTrue(
            any(
                "awaiting-pickup has no mapping" in warnings
                for warnings in order.integration_timeline_ids.mapped("warnings")
            )
        )

    def test_status_map_is_editable(self):
        self.env.ref("elitaco_integration.value_map_status_on_hold").order_action = "confirm"
        self.process("woo.order.created", status="on-hold")
        self.assertEqual(self.woo_order().state, "sale")

    def test_guest_order_matches_partner_by_email_or_creates_one(self):
        known = self.env["res.partner"].create(
            {"name": "Zoë M.", "email": "Zoe.Mueller@example.org", "woo_customer": True}
        )
        self.process("woo.order.created", customer_id=0)
        self.assertEqual(self.woo_order().partner_id, known)
        self.assertFalse(self.env["integration.binding"].search([("model", "=", "res.partner")]))

        data = example("woo.order.created")["data"]
        billing = dict(
            data["billing"], email="guest@example.net", first_name="Gus", last_name="Guest"
        )
        self.process(
            "woo.order.created",
            id=4800,
            customer_id=0,
            billing=billing,
            shipping=dict(data["shipping"], address_1=""),
        )
        guest_order = self.woo_order(4800)
        self.assertEqual(guest_order.partner_id.name, "Gus Guest")
        self.assertEqual(guest_order.partner_shipping_id, guest_order.partner_id)

    def test_line_without_sku_falls_back_to_the_product_binding(self):
        self.bind_wrapping()
        self.process("woo.order.created")
        order = self.woo_order()
        self.assertIn(self.wrapping, order.order_line.product_id)
        self.assertFalse(
            any(
                "created (unknown SKU" in message
                for message in order.integration_timeline_ids.mapped("message")
            )
        )

    def test_product_found_by_sku_is_bound_for_next_time(self):
        self.process("woo.order.created")
        self.shirt.default_code = "RENAMED-SKU"
        self.process("woo.order.created", id=4712)
        self.assertIn(self.shirt, self.woo_order(4712).order_line.product_id)

    def test_unknown_sku_creates_the_product_with_a_warning(self):
        data = example("woo.order.created")["data"]
        items = [dict(data["line_items"][1], sku="NEW-SKU-1", product_id=999, name="New thing")]
        self.process("woo.order.created", line_items=items, coupon_lines=[])
        product = self.env["product.product"].search([("default_code", "=", "NEW-SKU-1")])
        self.assertEqual(product.name, "New thing")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "product.product", 999), product
        )

    def test_line_changes_on_a_confirmed_order_become_a_warning(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        lines_before = order.order_line.mapped(lambda line: (line.product_id, line.product_uom_qty))
        data = example("woo.order.updated")["data"]
        items = [dict(data["line_items"][0], quantity=5)] + data["line_items"][1:]
        self.process("woo.order.updated", line_items=items, date_modified_gmt="2026-02-20T12:00:00")
        self.assertEqual(
            order.order_line.mapped(lambda line: (line.product_id, line.product_uom_qty)),
            lines_before,
        )
        self.assertTrue(
            any(
                "change was not applied" in warnings
                for warnings in order.integration_timeline_ids.mapped("warnings")
            )
        )

    def test_line_changes_on_a_quotation_are_applied(self):
        self.process("woo.order.created")
        order = self.woo_order()
        data = example("woo.order.created")["data"]
        items = [dict(data["line_items"][1], quantity=3)]
        self.process(
            "woo.order.updated",
            line_items=items,
            coupon_lines=[],
            fee_lines=[],
            shipping_lines=[],
            date_modified_gmt="2026-02-20T10:01:00",
        )
        self.assertEqual(order.order_line.product_id, self.socks)
        self.assertEqual(order.order_line.product_uom_qty, 3)

    def test_deleted_cancels_and_restored_reapplies(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        deleted = self.process("woo.order.deleted")
        self.assertEqual(deleted["status"], "processed")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(order.woo_status, "trash")
        restored = self.process("woo.order.restored")
        self.assertEqual(restored["status"], "processed")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.woo_status, "processing")

    def test_a_delete_retried_after_a_restore_leaves_the_order_alive(self):
        self.process("woo.order.updated")
        trashed = envelope("woo.order.deleted")
        trashed["meta"]["received_at"] = "2026-02-20T12:00:00Z"
        self.process(dict(trashed))
        order = self.woo_order()
        self.assertEqual(order.state, "cancel")
        self.process("woo.order.restored")  # modified 2026-02-21 08:15
        self.assertEqual(order.state, "sale")
        retried = dict(
            trashed, event_id=str(uuid.uuid4()), idempotency_key="woo:4711:order.deleted:retry"
        )
        self.assertEqual(self.process(retried)["status"], "ignored")
        self.assertEqual(order.state, "sale", "the restore was WooCommerce's last word")

    def test_a_quotation_deleted_in_odoo_is_made_again_under_its_one_binding(self):
        self.process("woo.order.created")  # pending: a quotation, which Odoo lets delete
        self.woo_order().sudo().unlink()
        answer = self.process("woo.order.updated")
        self.assertEqual(answer["status"], "processed")
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        [binding] = self.env["integration.binding"].search(
            [("store", "=", STORE), ("model", "=", "sale.order"), ("external_id", "=", 4711)]
        )
        self.assertEqual(binding.res_id, order.id, "the binding now names the new order")

    def test_deleted_unknown_order_is_ignored(self):
        answer = self.process("woo.order.deleted", id=999999)
        self.assertEqual(answer["status"], "ignored")

    def test_total_mismatch_is_a_visible_warning(self):
        self.env["integration.value.map"].search([("kind", "=", "tax_rate")]).unlink()
        self.tax_21.amount = 20
        self.process("woo.order.created")
        order = self.woo_order()
        messages = order.integration_timeline_ids.mapped("story")
        self.assertTrue(any("Total mismatch" in message for message in messages))
        self.assertTrue(any("No Odoo tax for WooCommerce tax rate 1" in m for m in messages))

    def test_currency_map_and_payment_method_map(self):
        pricelist = self.env["product.pricelist"].create(
            {"name": "Shop EUR", "currency_id": self.env.ref("base.EUR").id}
        )
        term = self.env["account.payment.term"].create({"name": "Paid online"})
        maps = self.env["integration.value.map"]
        maps.create({"kind": "currency", "woo_value": "EUR", "pricelist_id": pricelist.id})
        maps.create({"kind": "payment_method", "woo_value": "stripe", "payment_term_id": term.id})
        self.process("woo.order.created")
        order = self.woo_order()
        self.assertEqual(order.pricelist_id, pricelist)
        self.assertEqual(order.payment_term_id, term)

    def test_a_map_made_changed_or_deleted_counts_from_the_next_order_on(self):
        """Maps are kept per Odoo process (every order reads several); each change is seen."""
        self.process("woo.order.created", id=8101, payment_method="paypal")
        self.assertFalse(self.woo_order(8101).payment_term_id)
        maps = self.env["integration.value.map"]
        with self.assertQueryCount(0):
            self.assertFalse(maps._lookup("payment_method", "paypal"), "kept, unmapped")
        term = self.env["account.payment.term"].create({"name": "PayPal"})
        paypal = maps.create(
            {"kind": "payment_method", "woo_value": "paypal", "payment_term_id": term.id}
        )
        self.process("woo.order.created", id=8102, payment_method="paypal")
        self.assertEqual(self.woo_order(8102).payment_term_id, term)
        paypal.active = False
        self.assertFalse(maps._lookup("payment_method", "paypal"))
        paypal.write({"active": True, "woo_value": "ppcp"})
        self.assertFalse(maps._lookup("payment_method", "paypal"))
        self.assertEqual(maps._lookup("payment_method", "ppcp"), paypal)
        paypal.unlink()
        self.assertFalse(maps._lookup("payment_method", "ppcp"))

    def test_company_currency_order(self):
        currency = self.env.company.currency_id.name
        self.process("woo.order.created", currency=currency)
        self.assertEqual(self.woo_order().currency_id, self.env.company.currency_id)

    def test_shipping_method_map(self):
        express = self.env["product.product"].create({"name": "Express", "type": "service"})
        self.env["integration.value.map"].create(
            {"kind": "shipping_method", "woo_value": "flat_rate", "delivery_product_id": express.id}
        )
        self.process("woo.order.created")
        self.assertIn(express, self.woo_order().order_line.product_id)

    def test_timeline_is_one_row_per_event_newest_first_with_trace_ids(self):
        first = envelope("woo.order.created")
        self.process(first)
        self.process(dict(first))
        later = envelope("woo.order.updated", date_modified_gmt="2026-02-22T09:00:00")
        self.process(later)
        order = self.woo_order()
        timeline = self.env["integration.timeline"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(
            [row.event_id.event_id for row in timeline], [later["event_id"], first["event_id"]]
        )
        self.assertEqual(timeline.mapped("repeats"), [0, 1])
        self.assertEqual(timeline.mapped("trace_id"), [later["trace_id"], first["trace_id"]])
        json_timeline = self.env["integration.timeline"]._for_woo_order(4711)
        self.assertEqual(json_timeline["order"]["name"], order.name)
        entries = json_timeline["entries"]
        self.assertEqual([entry["kind"] for entry in entries], ["processed", "processed"])
        self.assertEqual(entries[1]["repeats"], 1)
        self.assertEqual(entries[0]["story"], timeline[0].story)
        self.assertIsNone(self.env["integration.timeline"]._for_woo_order(1234567))
