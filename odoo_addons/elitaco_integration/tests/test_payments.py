"""Paid WooCommerce orders become posted invoices with their payment, once, to the cent;
refunds become credit notes, once each."""

import uuid

from odoo.tests import tagged

from .common import IntegrationCase, WorkerCase, envelope, woo_taxes


class PaymentsCase:
    """On the test database's company and its chart of accounts (Odoo's generic one, in US
    dollars: the orders are in euros, so invoices and payments are in a foreign currency)."""

    @classmethod
    def _prepare_company(cls):
        # Not loaded yet when the module's install tests run; loading it drops existing taxes,
        # so IntegrationCase calls this before it makes the orders' taxes.
        if not cls.env.company.chart_template:
            cls.env["account.chart.template"].try_loading(
                "generic_coa", company=cls.env.company, install_demo=False
            )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._prepare_company()
        cls.bank = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )
        assert cls.bank, "a bank journal to register payments in"
        params = cls.env["ir.config_parameter"]
        params.set_param("elitaco_integration.invoice_policy", "paid")
        params.set_param("elitaco_integration.payment_journal_id", str(cls.bank.id))

    def invoices(self, order):
        return order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")


class TestPayments(PaymentsCase, IntegrationCase):
    def test_a_paid_order_is_invoiced_and_paid_once_to_the_cent(self):
        answer = self.process("woo.order.updated")  # processing, paid with Stripe
        self.assertEqual(answer["status"], "processed", answer)
        order = self.woo_order()
        [invoice] = self.invoices(order)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.currency_id.name, "EUR")
        self.assertAlmostEqual(invoice.amount_total, 67.55, places=2)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        [payment] = invoice.matched_payment_ids
        self.assertEqual(payment.journal_id, self.bank)
        self.assertEqual(payment.memo, "pi_3QxYz2ABCdefGHI")
        self.assertEqual(str(payment.date), "2026-02-20")
        details = " ".join(
            filter(
                None,
                self.env["integration.timeline"]
                .search([("sale_order_id", "=", order.id)])
                .mapped("details"),
            )
        )
        self.assertIn(f"Invoice {invoice.name} posted: 67.55 EUR", details)
        self.assertIn("registered in", details)
        self.assertIn("pi_3QxYz2ABCdefGHI", details)

        completed = self.process(
            "woo.order.updated", status="completed", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(completed["status"], "processed")
        self.assertEqual(len(self.invoices(order)), 1, "invoiced once")
        self.assertEqual(len(self.invoices(order).matched_payment_ids), 1, "paid once")

    def test_cash_on_delivery_is_paid_when_woocommerce_says_so_not_before(self):
        self.process("woo.order.updated", payment_method="cod", date_paid=None, date_paid_gmt=None)
        order = self.woo_order()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self.invoices(order), "processing, not paid yet: nothing to book")
        self.process(
            "woo.order.updated",
            payment_method="cod",
            status="completed",
            date_paid_gmt="2026-02-22T15:00:00",
            date_modified_gmt="2026-02-22T15:00:00",
        )
        self.assertIn(self.invoices(order).payment_state, ("paid", "in_payment"))

    def test_each_payment_method_has_its_policy(self):
        value_map = self.env["integration.value.map"].create(
            {"kind": "payment_method", "woo_value": "stripe", "invoice_policy": "none"}
        )
        self.process("woo.order.updated")
        order = self.woo_order()
        self.assertFalse(self.invoices(order))
        value_map.invoice_policy = "completed"
        self.process(
            "woo.order.updated", status="completed", date_modified_gmt="2026-02-21T09:00:00"
        )
        invoice = self.invoices(order)
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"))

    def test_an_invoice_a_cent_off_stays_draft_saying_both_amounts(self):
        answer = self.process("woo.order.updated", total="67.56")
        self.assertEqual(answer["status"], "processed")
        invoice = self.invoices(self.woo_order())
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(invoice.matched_payment_ids)
        [warning] = [w for w in answer["warnings"] if "Invoice left in draft" in w]
        self.assertIn("67.55", warning)
        self.assertIn("67.56", warning)

    def test_no_payment_journal_is_a_dead_letter_saying_what_to_set(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.payment_journal_id", "")
        message = envelope("woo.order.updated")
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed")
        self.assertFalse(answer["error"]["retryable"])
        self.assertIn("Payment journal", answer["error"]["message"])
        self.assertFalse(self.woo_order(), "nothing half done")
        self.env["integration.value.map"].create(
            {"kind": "payment_method", "woo_value": "stripe", "payment_journal_id": self.bank.id}
        )
        event = self.Event.search([("event_id", "=", message["event_id"])])
        event.action_replay()
        self.assertEqual(event.state, "done")
        self.assertIn(self.invoices(self.woo_order()).payment_state, ("paid", "in_payment"))

    def credit_notes(self, order):
        return self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("invoice_origin", "=", order.name)], order="id"
        )

    def test_each_refund_is_one_credit_note_whatever_the_order_of_deliveries(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        invoice = self.invoices(order)
        first = [{"id": 901, "reason": "Wrong size", "total": "-10.00"}]
        both = [{"id": 902, "reason": "", "total": "-5.50"}] + first
        later = envelope("woo.order.updated", refunds=both, date_modified_gmt="2026-02-23T10:00:00")
        earlier = envelope(
            "woo.order.updated", refunds=first, date_modified_gmt="2026-02-22T10:00:00"
        )
        answer = self.process(later)
        self.assertEqual(answer["status"], "processed", answer)
        self.assertEqual(self.process(earlier)["status"], "ignored", "stale: books nothing")
        self.assertEqual(
            self.process(dict(later, event_id=str(uuid.uuid4())))["status"], "duplicate"
        )
        notes = self.credit_notes(order)
        self.assertEqual(sorted(notes.mapped("amount_total")), [5.5, 10.0])
        self.assertEqual(set(notes.mapped("state")), {"posted"})
        self.assertIn("Wrong size", " ".join(notes.mapped("ref")))
        self.assertEqual(set(notes.mapped("invoice_origin")), {invoice.invoice_origin})
        for note in notes:
            self.assertIn(note.payment_state, ("paid", "in_payment"), "paid back to the card")
        self.assertEqual(order.state, "sale")

        refunded = self.process(
            "woo.order.updated",
            status="refunded",
            refunds=both,
            date_modified_gmt="2026-02-24T10:00:00",
        )
        self.assertEqual(refunded["status"], "processed", refunded)
        notes = self.credit_notes(order)
        self.assertEqual(len(notes), 3)
        self.assertAlmostEqual(sum(notes.mapped("amount_total")), 67.55, places=2)
        self.assertEqual(order.state, "sale", "invoiced: credited, not cancelled")
        self.assertEqual(order.invoice_ids, invoice | notes, "on the Invoices smart button")
        self.assertEqual(order.invoice_count, 4)

    def test_a_cancelled_invoiced_order_leaves_no_invoice_open(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.invoice_policy", "completed")
        self.process("woo.order.updated", status="completed")
        order = self.woo_order()
        invoice = self.invoices(order)
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"))
        self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(order.state, "cancel")
        self.assertEqual(invoice.payment_state, "reversed")

    def test_what_shipped_is_never_cancelled(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking._action_done()
        answer = self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(order.state, "sale")
        self.assertIn("Not cancelled", " ".join(answer["changes"]))
        self.assertEqual(self.invoices(order).state, "posted", "and its invoice stands")


def socks_line(quantity, subtotal, subtotal_tax, total, total_tax, rate_id=3) -> dict:
    taxes = [{"id": rate_id, "total": total_tax, "subtotal": subtotal_tax}] if rate_id else []
    return {
        "id": 500 + quantity,
        "name": "Organic Cotton Socks",
        "product_id": 131,
        "variation_id": 0,
        "quantity": quantity,
        "sku": "SOCKS-ORG",
        "subtotal": subtotal,
        "subtotal_tax": subtotal_tax,
        "total": total,
        "total_tax": total_tax,
        "taxes": taxes,
    }


def rate(rate_id: int, percent: float) -> dict:
    return {"id": 900 + rate_id, "rate_id": rate_id, "label": "MwSt.", "rate_percent": percent}


class TestToTheCent(PaymentsCase, IntegrationCase):
    """WooCommerce payloads worked out as WooCommerce rounds them (per line, then summed): the
    posted invoice is WooCommerce's total to the cent, or it is not posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tax = {"amount_type": "percent", "type_tax_use": "sale", "amount": 19}
        cls.tax_19 = cls.tax_21.copy(
            tax | {"name": "MwSt 19%", "price_include_override": "tax_excluded"}
        )
        cls.tax_19_included = cls.tax_21.copy(
            tax | {"name": "MwSt 19% (incl.)", "price_include_override": "tax_included"}
        )
        # A rate mapped to the tax-included tax while the shop enters net prices.
        cls.env["integration.value.map"].create(
            {"kind": "tax_rate", "woo_value": "5", "tax_id": cls.tax_19_included.id}
        )

    def invoiced_total(self, woo_id: int, **order) -> float:
        fields = {
            "id": woo_id,
            "number": str(woo_id),
            "shipping_lines": [],
            "fee_lines": [],
            "coupon_lines": [],
        } | order
        answer = self.process("woo.order.updated", **fields)
        self.assertEqual(answer["status"], "processed", answer)
        invoice = self.invoices(self.woo_order(woo_id))
        self.assertEqual(invoice.state, "posted", answer["warnings"])
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        return invoice.amount_total

    def test_prices_including_tax_3_x_9_99_is_29_97(self):
        total = self.invoiced_total(
            7001,
            prices_include_tax=True,
            line_items=[socks_line(3, "25.18", "4.79", "25.18", "4.79")],
            tax_lines=[rate(3, 19)],
            total="29.97",
        )
        self.assertAlmostEqual(total, 29.97, places=2)

    def test_prices_including_tax_with_a_fixed_cart_coupon(self):
        total = self.invoiced_total(
            7002,
            prices_include_tax=True,
            line_items=[socks_line(2, "20.00", "3.80", "18.00", "3.42")],
            coupon_lines=[{"id": 1, "code": "two", "discount": "2.00", "discount_tax": "0.38"}],
            tax_lines=[rate(3, 19)],
            total="21.42",
        )
        self.assertAlmostEqual(total, 21.42, places=2)

    def test_net_prices_with_a_rate_mapped_to_a_tax_included_tax(self):
        total = self.invoiced_total(
            7003,
            line_items=[socks_line(1, "10.00", "1.90", "10.00", "1.90", rate_id=5)],
            tax_lines=[rate(5, 19)],
            total="11.90",
        )
        self.assertAlmostEqual(total, 11.90, places=2)

    def test_an_order_without_tax(self):
        total = self.invoiced_total(
            7004,
            line_items=[socks_line(2, "10.00", "0.00", "10.00", "0.00", rate_id=None)],
            tax_lines=[],
            total="10.00",
        )
        self.assertAlmostEqual(total, 10.00, places=2)


@tagged("-at_install", "post_install")
class TestPaymentsAsIntegrationUser(PaymentsCase, WorkerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        woo_taxes(cls.env)

    def test_the_integration_user_invoices_and_pays_over_http(self):
        answer = self.post_event(envelope("woo.order.updated"), self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        invoice = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.create_uid, self.worker)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
