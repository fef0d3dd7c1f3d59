from .common import IntegrationCase, envelope


class TestDeliveryNote(IntegrationCase):
    """The customer's note at checkout travels with the goods: on the delivery order, where
    the warehouse reads it."""

    def test_the_customer_note_is_on_the_delivery_of_a_confirmed_order(self):
        self.process("woo.order.updated")  # processing: confirmed
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        delivery = order.picking_ids
        self.assertEqual(len(delivery), 1)
        self.assertIn("Please ring twice – side door.", str(delivery.note))

    def test_a_note_is_text_not_markup(self):
        message = envelope("woo.order.updated", customer_note="<b>Fragile</b>\nLeave at door")
        self.process(message)
        note = str(self.woo_order().picking_ids.note)
        self.assertIn("&lt;b&gt;Fragile&lt;/b&gt;", note)
        self.assertIn("<br>", note)

    def test_an_order_without_a_note_leaves_the_delivery_empty(self):
        self.process("woo.order.updated", customer_note="")
        self.assertFalse(self.woo_order().picking_ids.note)
