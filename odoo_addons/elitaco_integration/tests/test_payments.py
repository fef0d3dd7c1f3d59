"""Paid WooCommerce orders become posted invoices with their payment, once, to the cent;
refunds become credit notes, once each."""

import json
import uuid
from pathlib import Path

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope, woo_taxes

DATA = Path(__file__).resolve().parent / "data"


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
        [row] = self.env["integration.timeline"].search([("sale_order_id", "=", order.id)])
        self.assertIn(f"Invoice {invoice.name} posted: 67.55 EUR", row.story)
        self.assertIn("registered in", row.story)
        self.assertIn("pi_3QxYz2ABCdefGHI", row.story)
        self.assertEqual(row.move_ids, invoice, "the row links the invoice it posted")
        self.assertEqual(row.action_open_documents()["res_id"], invoice.id)

        completed = self.process(
            "woo.order.updated", status="completed", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(completed["status"], "processed")
        self.assertEqual(len(self.invoices(order)), 1, "invoiced once")
        self.assertEqual(len(self.invoices(order).matched_payment_ids), 1, "paid once")

    def test_a_method_pays_in_through_its_payment_method_line(self):
        manual = self.bank.inbound_payment_method_line_ids[:1]
        card = manual.copy({"name": "Stripe card payments"})
        self.env["integration.value.map"].create(
            {
                "kind": "payment_method",
                "woo_value": "stripe",
                "payment_journal_id": self.bank.id,
                "payment_method_line_id": card.id,
            }
        )
        self.process("woo.order.updated")
        [payment] = self.invoices(self.woo_order()).matched_payment_ids
        self.assertEqual(payment.payment_method_line_id, card)

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

    def test_an_invoice_off_by_more_than_rounding_stays_draft_saying_both_amounts(self):
        answer = self.process("woo.order.updated", total="68.55")  # a tax not mapped, say
        self.assertEqual(answer["status"], "processed")
        invoice = self.invoices(self.woo_order())
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(invoice.matched_payment_ids)
        [warning] = [w for w in answer["warnings"] if "Invoice left in draft" in w]
        self.assertIn("67.55", warning)
        self.assertIn("68.55", warning)

    def test_a_cent_of_tax_rounding_is_a_rounding_line_that_says_so(self):
        answer = self.process("woo.order.updated", total="67.56")  # WooCommerce rounded up
        invoice = self.invoices(self.woo_order())
        self.assertEqual((invoice.state, invoice.amount_total), ("posted", 67.56))
        rounding = self.env.ref("elitaco_integration.product_woo_rounding")
        [line] = self.woo_order().order_line.filtered(lambda line: line.product_id == rounding)
        self.assertEqual((line.price_unit, line.tax_id.ids), (0.01, []))
        self.assertIn("Rounding line of 0.01 EUR", " ".join(answer["changes"]))
        again = self.process(
            "woo.order.updated", total="67.56", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertFalse(
            [w for w in again["warnings"] if "lines changed" in w], "not a change of lines"
        )

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

    def test_a_closed_period_is_booked_on_its_first_open_day_as_odoo_does(self):
        self.env.company.fiscalyear_lock_date = "2026-02-28"  # the order was paid on the 20th
        answer = self.process("woo.order.updated")
        self.assertEqual(answer["status"], "processed", answer)
        invoice = self.invoices(self.woo_order())
        self.assertEqual(invoice.state, "posted")
        [payment] = invoice.matched_payment_ids
        self.assertGreater(str(payment.move_id.date), "2026-02-28")

    def test_a_tax_rate_without_odoo_tax_is_a_dead_letter_when_invoicing(self):
        self.env["integration.value.map"].search([("kind", "=", "tax_rate")]).unlink()
        self.tax_21.amount = 20  # nothing of 21 % left
        message = envelope("woo.order.updated")
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed", answer)
        self.assertFalse(answer["error"]["retryable"])
        self.assertIn(
            "No Odoo tax for WooCommerce tax rate 1 (MwSt. 21", answer["error"]["message"]
        )
        self.assertEqual(self.woo_order().state, "draft", "kept as a quotation, not booked")
        self.assertFalse(self.invoices(self.woo_order()))
        self.tax_21.amount = 21  # a sale tax of its percentage does it too, with a replay
        event = self.Event.search([("event_id", "=", message["event_id"])])
        event.action_replay()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.invoices(self.woo_order()).state, "posted")

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

    def returns(self, order):
        return order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")

    def test_a_refund_with_lines_is_a_credit_note_with_those_lines(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        answer = self.process("woo.order.updated.refunded")
        self.assertEqual(answer["status"], "processed", answer)
        bindings = self.env["integration.binding"]
        itemised = bindings._find(STORE, "account.move", 4801)
        self.assertEqual(itemised.state, "posted")
        self.assertAlmostEqual(itemised.amount_total, 27.11, places=2)
        self.assertAlmostEqual(itemised.amount_tax, 4.71, places=2)
        shirt_line = order.order_line.filtered(lambda line: line.woo_line_id == 311)
        shipping_line = order.order_line.filtered(lambda line: line.woo_line_id == 314)
        by_product = {line.product_id: line for line in itemised.invoice_line_ids}
        self.assertEqual(set(by_product), {shirt_line.product_id, shipping_line.product_id})
        shirt = by_product[shirt_line.product_id]
        self.assertEqual((shirt.quantity, shirt.price_subtotal), (1, 17.5))
        self.assertEqual(shirt.tax_ids, shirt_line.tax_id)
        self.assertEqual(by_product[shipping_line.product_id].price_subtotal, 4.9)
        amount_only = bindings._find(STORE, "account.move", 4802)
        self.assertEqual(amount_only.amount_total, 5.0)
        self.assertFalse(amount_only.invoice_line_ids.tax_ids)
        for credit_note in itemised | amount_only:
            self.assertIn(credit_note.payment_state, ("paid", "in_payment"), "paid back")
        self.assertFalse(self.returns(order), "nothing shipped: nothing comes back")

    def test_a_refund_the_shop_pays_back_by_hand_stays_open(self):
        self.process("woo.order.updated")
        message = envelope("woo.order.updated.refunded")
        for refund in message["fetched"]["refunds"]:
            refund["refunded_payment"] = False
        answer = self.process(message)
        credit_notes = self.credit_notes(self.woo_order())
        self.assertEqual(set(credit_notes.mapped("state")), {"posted"})
        self.assertEqual(set(credit_notes.mapped("payment_state")), {"not_paid"})
        self.assertIn("Not paid back through the payment gateway", " ".join(answer["changes"]))

    def test_refund_lines_find_the_lines_of_orders_made_before_line_ids_were_kept(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        order.order_line.woo_line_id = 0
        self.process("woo.order.updated.refunded")
        itemised = self.env["integration.binding"]._find(STORE, "account.move", 4801)
        self.assertEqual(
            itemised.invoice_line_ids.product_id,
            order.order_line.filtered(lambda line: line.woo_line_id in (311, 314)).product_id,
        )
        self.assertEqual(len(itemised.invoice_line_ids), 2, "no line for a difference")

    def test_a_refund_the_workers_could_not_read_books_nothing_until_read(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        message = envelope("woo.order.updated.refunded")
        fetched = message["fetched"]
        unread = dict(
            message,
            fetched={"refunds": fetched["refunds"][:1], "refund_errors": {"4801": "503 busy"}},
        )
        answer = self.process(unread)
        self.assertEqual(answer["status"], "failed")
        self.assertTrue(answer["error"]["retryable"])
        self.assertIn("4801", answer["error"]["message"])
        self.assertIn("503 busy", answer["error"]["message"])
        self.assertFalse(self.credit_notes(order), "nothing half booked")
        retried = self.process(message)  # the workers' next attempt read it
        self.assertEqual(retried["status"], "processed", retried)
        self.assertEqual(len(self.credit_notes(order)), 2)

    def test_restocked_items_that_shipped_come_back_as_a_return_to_validate(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        deliver(order)
        answer = self.process("woo.order.updated.refunded")
        [returned] = self.returns(order)
        self.assertNotEqual(returned.state, "done", "the warehouse validates it")
        shirt = order.order_line.filtered(lambda line: line.woo_line_id == 311).product_id
        self.assertEqual(
            [(move.product_id, move.product_uom_qty) for move in returned.move_ids], [(shirt, 1)]
        )
        self.assertIn(f"Return {returned.name} created", " ".join(answer["changes"]))
        later = self.process("woo.order.updated.refunded", date_modified_gmt="2026-02-25T10:00:00")
        self.assertEqual(later["status"], "processed", later)
        self.assertEqual(self.returns(order), returned, "one return for one restock")

    def test_a_credit_note_posted_in_odoo_is_refunded_in_woocommerce_once(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        credit_note = odoo_credit_note(self.env, order)
        Outbox = self.env["integration.outbox"]
        [row] = Outbox.search([("event_type", "=", "odoo.order.refunded")])
        self.assertEqual(row.credit_note_id, credit_note)
        self.assertEqual(credit_note.woo_sale_order_id, order, "its echo is known as it")
        data = row.data
        self.assertEqual((data["woo_order_id"], data["amount"]), (4711, "24.20"))
        self.assertEqual(
            data["lines"],
            [{"woo_line_id": 311, "quantity": 1.0, "total": "20.00", "total_tax": "4.20"}],
        )
        self.assertFalse(data["api_refund"], "the gateway pays back only when Settings say so")
        self.assertIn("wrong size", data["reason"])
        credit_note.button_draft()
        credit_note.with_context(elitaco_from_woo=False).action_post()
        self.assertEqual(Outbox.search_count([("event_type", "=", "odoo.order.refunded")]), 1)

        [claimed] = Outbox.claim("w1", store=STORE)
        self.assertEqual(claimed["event_type"], "odoo.order.refunded")
        Outbox.acknowledge(row.event_id, True, json.dumps({"id": 4901}), worker="w1")
        bindings = self.env["integration.binding"]
        self.assertEqual(bindings._find(STORE, "account.move", 4901), credit_note)
        echo = self.process(
            "woo.order.updated",
            refunds=[{"id": 4901, "reason": data["reason"], "total": "-24.20"}],
            date_modified_gmt="2026-02-26T14:00:05",
        )
        self.assertEqual(echo["status"], "processed", echo)
        self.assertEqual(self.credit_notes(order), credit_note, "the echo books nothing")

    def test_a_refund_push_answered_with_no_object_is_done_and_binds_nothing(self):
        self.process("woo.order.updated")
        odoo_credit_note(self.env, self.woo_order())
        Outbox = self.env["integration.outbox"]
        [row] = Outbox.search([("event_type", "=", "odoo.order.refunded")])
        Outbox.claim("w1", store=STORE)
        answer = Outbox.acknowledge(row.event_id, True, "[]", worker="w1")
        self.assertEqual((answer["status"], row.state), ("done", "done"))
        self.assertFalse(self.env["integration.binding"].search([("model", "=", "account.move")]))

    def test_a_billing_user_posting_a_credit_note_queues_its_refund(self):
        self.process("woo.order.updated")
        accountant = new_test_user(
            self.env, login="billing", groups="account.group_account_invoice"
        )
        credit_note = odoo_credit_note(self.env(user=accountant), self.woo_order())
        self.assertEqual(credit_note.state, "posted")
        row = self.env["integration.outbox"].search([("credit_note_id", "=", credit_note.id)])
        self.assertEqual(row.data["amount"], "24.20")

    def test_the_echo_of_a_pushed_refund_arriving_first_books_nothing(self):
        self.process("woo.order.updated")
        order = self.woo_order()
        credit_note = odoo_credit_note(self.env, order)
        [row] = self.env["integration.outbox"].search([("credit_note_id", "=", credit_note.id)])
        meta = row.data["meta_data"]
        echo = envelope(
            "woo.order.updated",
            refunds=[{"id": 4901, "reason": "", "total": "-24.20"}],
            date_modified_gmt="2026-02-26T14:00:05",
        )
        echo["fetched"] = {
            "refunds": [{"id": 4901, "amount": "24.20", "line_items": [], "meta_data": meta}]
        }
        answer = self.process(echo)
        self.assertIn(f"is {credit_note.name}, made in Odoo", " ".join(answer["changes"]))
        self.assertEqual(self.credit_notes(order), credit_note)
        self.env["integration.outbox"].claim("w1", store=STORE)
        self.env["integration.outbox"].acknowledge(row.event_id, True, '{"id": 4901}', worker="w1")
        self.assertEqual(
            self.env["integration.binding"]._find(STORE, "account.move", 4901), credit_note
        )

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
        deliver(order)
        answer = self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(order.state, "sale")
        self.assertIn("Not cancelled", " ".join(answer["changes"]))
        self.assertEqual(self.invoices(order).state, "posted", "and its invoice stands")


def deliver(order):
    picking = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
        move.picked = True
    picking._action_done()


def odoo_credit_note(env, order):
    """What a person does in Odoo for a shirt sent back: a credit note from the invoice for
    one shirt, posted."""
    invoice = order.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
    env = env(context=dict(env.context, elitaco_from_woo=False))
    reversal = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"reason": "returned, wrong size", "journal_id": invoice.journal_id.id})
    )
    credit_note = env["account.move"].browse(reversal.refund_moves()["res_id"])
    shirt = credit_note.invoice_line_ids.filtered(
        lambda line: line.sale_line_ids.woo_line_id == 311
    )
    credit_note.invoice_line_ids = [
        Command.unlink(line.id) for line in credit_note.invoice_line_ids - shirt
    ] + [Command.update(shirt.id, {"quantity": 1})]
    credit_note.action_post()
    return credit_note


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

    def test_an_integration_user_without_an_email_confirms_invoices_and_pays(self):
        """Odoo refuses to send a message whose author has no e-mail unless as superuser
        (mail.thread._message_compute_author), such as the salesperson's "assigned to you"
        of a new order: OdooBot sends it."""
        worker = new_test_user(
            self.env,
            login="rq-worker-no-email",
            groups="elitaco_integration.group_integration_user",
            email=False,
        )
        self.assertFalse(worker.partner_id.email)
        seller = new_test_user(
            self.env, login="shop-seller", groups="sales_team.group_sale_salesman"
        )
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.salesperson_id", str(seller.id)
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(worker)
            ._generate(None, "relay workers", self.api_key_expires)
        )
        answer = self.post_event(envelope("woo.order.updated"), key)
        self.assertEqual(answer["status"], "processed", answer)
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertEqual((order.state, order.user_id), ("sale", seller))
        self.assertEqual(order.create_uid, worker)
        [assigned] = self.env["mail.message"].search(
            [
                ("model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("message_type", "=", "user_notification"),
            ]
        )
        self.assertEqual(assigned.partner_ids, seller.partner_id)
        self.assertEqual(assigned.author_id, self.env.ref("base.partner_root"))
        self.assertIn("odoobot@example.com", assigned.email_from)
        [invoice] = order.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        completed = self.post_event(
            envelope(
                "woo.order.updated", status="completed", date_modified_gmt="2026-02-21T09:00:00"
            ),
            key,
        )
        self.assertEqual(completed["status"], "processed", completed)

    def test_the_integration_user_books_refunds_and_returns_and_binds_odoo_refunds(self):
        self.post_event(envelope("woo.order.updated"), self.api_key)
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        deliver(order)
        answer = self.post_event(envelope("woo.order.updated.refunded"), self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        credit_notes = order.woo_credit_note_ids
        self.assertEqual(len(credit_notes), 2)
        self.assertEqual(credit_notes.create_uid, self.worker)
        returned = order.picking_ids.filtered(lambda p: p.picking_type_code == "incoming")
        self.assertEqual(returned.create_uid, self.worker)

        credit_note = odoo_credit_note(self.env, order)  # a person in Odoo
        headers = {"Authorization": f"Bearer {self.api_key}"}
        [claimed] = [
            row
            for row in self.make_jsonrpc_request(
                "/elitaco/v1/outbox/claim", {"worker": "w1", "store": STORE}, headers=headers
            )["events"]
            if row["event_type"] == "odoo.order.refunded"
        ]
        self.assertEqual(claimed["data"]["credit_note_id"], credit_note.id)
        self.make_jsonrpc_request(
            "/elitaco/v1/outbox/ack",
            {
                "event_id": claimed["event_id"],
                "ok": True,
                "response": '{"id": 4903}',
                "worker": "w1",
            },
            headers=headers,
        )
        binding = self.env["integration.binding"]._find(STORE, "account.move", 4903)
        self.assertEqual(binding, credit_note)
