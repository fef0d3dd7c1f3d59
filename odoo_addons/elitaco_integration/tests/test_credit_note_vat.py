"""A WooCommerce refund's credit note gives back the VAT WooCommerce refunded, per rate, to the
cent: partial refunds a real store made (tests/data/to_the_cent_refunds.json, captured by
scripts/capture-to-the-cent.py refunds) of a 19 % / 7 % cart with a coupon."""

import json

from odoo.tests import tagged

from .common import IntegrationCase, WorkerCase, envelope
from .test_payments import DATA
from .test_to_the_cent import GrossTaxesCase, renumber_rates, vat_per_rate

CASES = json.loads((DATA / "to_the_cent_refunds.json").read_text(encoding="utf-8"))


def refunded_vat_per_rate(refund: dict) -> dict[float, float]:
    """What WooCommerce refunded per rate (its refund's tax_lines, negative there), by the
    rate's percentage."""
    vat: dict[float, float] = {}
    for tax_line in refund["tax_lines"]:
        given = -float(tax_line["tax_total"]) - float(tax_line["shipping_tax_total"] or 0)
        percent = float(tax_line["rate_percent"])
        vat[percent] = round(vat.get(percent, 0.0) + given, 2)
    return {percent: tax for percent, tax in vat.items() if tax}


def order_and_refund(case: dict, woo_id: int) -> tuple[dict, dict]:
    """The case's order and refund as events: the paid order, then its update listing the
    refund, with the refund's details as the workers fetch them. Rates 1 and 2 become 101 and
    102, found by their percentage (rate 1 is mapped to 21 % in these tests)."""
    order = renumber_rates(case["order"], 100) | {"id": woo_id, "number": str(woo_id)}
    refund = renumber_rates(case["refund"], 100)
    paid = envelope("woo.order.updated", **order)
    refunded = envelope(
        "woo.order.updated",
        **order,
        refunds=case["refunds"],
        date_modified_gmt="2026-02-24T10:00:00",
    )
    refunded["fetched"] = {"refunds": [refund]}
    return paid, refunded


class TestCreditNoteVat(GrossTaxesCase, IntegrationCase):
    def test_each_credit_note_gives_back_the_vat_woocommerce_refunded_per_rate(self):
        """Six partial refunds (lines, shipping; the store rounding per line and at the
        subtotal, where WooCommerce's refunded VAT per rate is not the sum of its lines'):
        each credit note's VAT per rate and total are the refund's, to the cent."""
        self.assertEqual(len(CASES), 6)
        for number, (name, case) in enumerate(CASES.items(), start=7400):
            with self.subTest(case=name):
                paid, refunded = order_and_refund(case, number)
                self.assertEqual(self.process(paid)["status"], "processed")
                order = self.woo_order(number)
                self.assertEqual(self.invoices(order).state, "posted")
                answer = self.process(refunded)
                self.assertEqual(answer["status"], "processed", answer)
                [credit_note] = order.woo_credit_note_ids
                self.assertEqual(credit_note.state, "posted")
                self.assertAlmostEqual(
                    credit_note.amount_total, float(case["refund"]["amount"]), places=2
                )
                self.assertEqual(vat_per_rate(credit_note), refunded_vat_per_rate(case["refund"]))

    def test_the_cent_moved_on_a_credit_note_is_said_on_the_timeline(self):
        """The store rounds at the subtotal: WooCommerce refunded 2.03 of 19 % VAT on a pair of
        socks (8.49) and a mug (4.25) where Odoo's rounding per line gives 1.36 + 0.68."""
        case = CASES["gross, rounded at subtotal: 15 % coupon, a pair of socks and a mug refunded"]
        paid, refunded = order_and_refund(case, 7410)
        self.process(paid)
        answer = self.process(refunded)
        self.assertIn("MwSt 19% (incl.) 2.04 → 2.03", "\n".join(answer["changes"]))
        credit_note = self.woo_order(7410).woo_credit_note_ids
        rounding = self.env.ref("elitaco_integration.product_woo_rounding")
        [line] = credit_note.invoice_line_ids.filtered(lambda line: line.product_id == rounding)
        self.assertAlmostEqual(line.price_subtotal, 0.01, places=2)
        self.assertAlmostEqual(credit_note.amount_tax, 2.03, places=2)
        self.assertAlmostEqual(credit_note.amount_total, 12.73, places=2)


@tagged("-at_install", "post_install")
class TestCreditNoteVatAsIntegrationUser(GrossTaxesCase, WorkerCase):
    def test_the_integration_user_gives_back_the_vat_woocommerce_refunded(self):
        """The fixed-cart coupon at the subtotal: 7 % VAT refunded 1.03 (Odoo: 0.82 + 0.20)."""
        case = CASES[
            "gross, rounded at subtotal: 3.33 fixed-cart coupon, a mug, the book and a tea refunded"
        ]
        paid, refunded = order_and_refund(case, 7420)
        self.assertEqual(self.post_event(paid, self.api_key)["status"], "processed")
        answer = self.post_event(refunded, self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("MwSt 7% (incl.) 1.02 → 1.03", "\n".join(answer["changes"]))
        order = self.env["sale.order"].search([("woo_order_id", "=", 7420)])
        credit_note = order.woo_credit_note_ids
        self.assertEqual((credit_note.state, credit_note.create_uid), ("posted", self.worker))
        self.assertEqual(vat_per_rate(credit_note), {19.0: 0.74, 7.0: 1.03})
        self.assertAlmostEqual(credit_note.amount_total, 20.32, places=2)
