"""An order's date is when WooCommerce took it, not when Odoo processed it: replayed and
imported orders fall into the right period of the sales reports."""

from datetime import datetime

from .common import IntegrationCase, envelope
from .test_payments import PaymentsCase

CREATED = datetime(2026, 2, 20, 10, 0, 0)
PAID = datetime(2026, 2, 20, 10, 2, 10)


class TestOrderDates(IntegrationCase):
    def test_a_quotation_is_dated_when_it_was_created_in_woocommerce(self):
        self.process("woo.order.created")  # pending
        order = self.woo_order()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.date_order, CREATED)

    def test_a_paid_order_is_dated_when_it_was_paid_also_after_confirmation(self):
        self.process("woo.order.updated")  # processing, paid 10:02:10 UTC
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.date_order, PAID)

    def test_an_order_confirmed_by_a_later_update_gets_its_paid_date(self):
        self.process("woo.order.created")
        self.process("woo.order.updated")
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.date_order, PAID)

    def test_an_order_confirmed_without_payment_is_dated_when_it_was_created(self):
        self.process("woo.order.updated", payment_method="cod", date_paid=None, date_paid_gmt=None)
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.date_order, CREATED)

    def test_a_payment_later_moves_the_order_to_its_paid_date(self):
        self.process("woo.order.updated", payment_method="cod", date_paid=None, date_paid_gmt=None)
        self.process(
            "woo.order.updated",
            status="completed",
            payment_method="cod",
            date_paid_gmt="2026-02-23T15:00:00",
            date_modified_gmt="2026-02-23T15:00:00",
        )
        self.assertEqual(self.woo_order().date_order, datetime(2026, 2, 23, 15, 0, 0))


class TestInvoiceDates(PaymentsCase, IntegrationCase):
    def test_the_invoice_is_dated_when_the_order_was_paid(self):
        message = envelope("woo.order.updated", date_paid_gmt="2026-02-18T12:00:00")
        self.assertEqual(self.process(message)["status"], "processed")
        [invoice] = self.invoices(self.woo_order())
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(str(invoice.invoice_date), "2026-02-18")
