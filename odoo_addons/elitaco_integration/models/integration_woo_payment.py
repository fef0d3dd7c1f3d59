from odoo import Command, _, api, models

from ..envelope import EventRejected
from ..tools import amount, parse_utc

INVOICE_POLICIES = [
    ("none", "Nothing (invoices and payments by hand)"),
    ("paid", "Invoice and register the payment when WooCommerce reports it paid"),
    ("completed", "Invoice when the order is completed (payment by hand)"),
]
POLICY_PARAM = "elitaco_integration.invoice_policy"
PAYMENT_JOURNAL_PARAM = "elitaco_integration.payment_journal_id"
# WooCommerce sets date_paid when an order reaches the status its gateway completes payment
# with: processing (completed for cash on delivery, which the shop is paid on delivery).
PAID_STATUSES = ("processing", "completed")


class IntegrationWooPayment(models.AbstractModel):
    _name = "integration.woo.payment"
    _description = "WooCommerce payments into Odoo invoices and payments"

    @api.model
    def _sync(self, order, data: dict) -> tuple[list[str], list[str]]:
        """Invoice a confirmed WooCommerce order and register its payment, as the policy of its
        payment method says; each step once, however often the order is delivered again.
        Returns the changes and the warnings for the order's timeline."""
        if order.state != "sale":
            return [], []
        method = data.get("payment_method") or ""
        value_map = self.env["integration.value.map"]._lookup("payment_method", method)
        policy = value_map.invoice_policy or self._default_policy()
        paid = bool(data.get("date_paid_gmt")) and data["status"] in PAID_STATUSES
        if not (
            (policy == "paid" and paid) or (policy == "completed" and data["status"] == "completed")
        ):
            return [], []
        journal = value_map.payment_journal_id or self._default_payment_journal()
        if policy == "paid" and not journal:
            raise EventRejected(
                _(
                    "Payment method %(method)s: no journal to register its payments in. Map it "
                    "under Integration > Value maps (Payment journal) or set a default payment "
                    "journal in Settings > WooCommerce, then replay.",
                    method=method or "-",
                )
            )
        changes, warnings = [], []
        invoice = order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state != "cancel"
        )[:1]
        if not invoice:
            if order.invoice_status != "to invoice":
                return [], [
                    _(
                        "Nothing to invoice yet on %s (products invoiced on delivered "
                        "quantities): invoice it by hand once delivered.",
                        order.name,
                    )
                ]
            invoice = order._create_invoices()
            changes.append(_("Invoice created (draft)."))
        woo_total = amount(data.get("total"), _("Order total"))
        if invoice.state == "draft":
            if invoice.currency_id.compare_amounts(invoice.amount_total, woo_total) != 0:
                warnings.append(
                    _(
                        "Invoice left in draft: its total %(odoo)s differs from WooCommerce's "
                        "%(woo)s %(currency)s (check the tax and shipping mappings, then "
                        "post it by hand or replay).",
                        odoo=invoice.amount_total,
                        woo=woo_total,
                        currency=invoice.currency_id.name,
                    )
                )
                return changes, warnings
            invoice.action_post()
            changes.append(
                _(
                    "Invoice %(number)s posted: %(total)s %(currency)s.",
                    number=invoice.name,
                    total=invoice.amount_total,
                    currency=invoice.currency_id.name,
                )
            )
        if policy == "paid" and invoice.payment_state == "not_paid":
            changes.append(self._register_payment(invoice, journal, data))
        return changes, warnings

    @api.model
    def _book_refunds(self, store: str, order, data: dict) -> tuple[list[str], list[str]]:
        """One posted credit note per WooCommerce refund (WooCommerce has no refund webhook: a
        refund shows as an order update whose `refunds` grow), bound by the refund's id so that
        a redelivered or reordered update books nothing twice; when WooCommerce says the order
        is refunded, what its refunds leave of the invoice is credited too. Money the customer
        paid through us goes back as a refund payment in the payment journal."""
        invoice = self.env["integration.woo.order"]._posted_invoices(order)[:1]
        refunds = [refund for refund in data.get("refunds") or [] if refund.get("id")]
        if not invoice or not (refunds or data["status"] == "refunded"):
            return [], []
        changes, warnings = [], []
        bindings = self.env["integration.binding"]
        for refund in refunds:
            if bindings._find(store, "account.move", refund["id"]):
                continue
            refunded = -amount(refund.get("total"), _("Refund %s total", refund["id"]))
            reason = (refund.get("reason") or "").strip()
            label = _("WooCommerce refund %s", refund["id"]) + (f": {reason}" if reason else "")
            credit_note = self._credit_note(order, invoice, refunded, label)
            bindings._bind(store, credit_note, refund["id"])
            changes.append(self._post_and_pay_back(credit_note, invoice, data))
        if data["status"] == "refunded":
            credited = sum(
                order.woo_credit_note_ids.filtered(lambda move: move.state == "posted").mapped(
                    "amount_total"
                )
            )
            rest = invoice.currency_id.round(invoice.amount_total - credited)
            if invoice.currency_id.compare_amounts(rest, 0) > 0:
                credit_note = self._credit_note(
                    order,
                    invoice,
                    rest,
                    _("WooCommerce order refunded: the rest of %s", invoice.name),
                )
                changes.append(self._post_and_pay_back(credit_note, invoice, data))
        return changes, warnings

    @api.model
    def _credit_note(self, order, invoice, total: float, label: str):
        """An amount-only credit note for `invoice` (WooCommerce's refund list names an amount,
        not lines), taxed as nothing: its total is exactly what was refunded. Against an
        invoice still open it is its reversal (posting it lowers what the customer owes);
        against a paid one it stands alone, paid back by a refund payment."""
        paid = invoice.payment_state != "not_paid"
        return self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "currency_id": invoice.currency_id.id,
                "journal_id": invoice.journal_id.id,
                "reversed_entry_id": False if paid else invoice.id,
                "woo_sale_order_id": order.id,
                "invoice_origin": invoice.invoice_origin,
                "ref": label,
                "invoice_line_ids": [
                    Command.create(
                        {"name": label, "quantity": 1, "price_unit": total, "tax_ids": []}
                    )
                ],
            }
        )

    @api.model
    def _post_and_pay_back(self, credit_note, invoice, data: dict) -> str:
        credit_note.action_post()
        message = _(
            "Credit note %(number)s posted: %(total)s %(currency)s.",
            number=credit_note.name,
            total=credit_note.amount_total,
            currency=credit_note.currency_id.name,
        )
        if not credit_note.reversed_entry_id and credit_note.payment_state == "not_paid":
            journal = invoice.matched_payment_ids[:1].journal_id or self._default_payment_journal()
            if journal:
                message += " " + self._register_payment(credit_note, journal, {})
        return message

    @api.model
    def _register_payment(self, invoice, journal, data: dict) -> str:
        """The payment of `invoice` (or the refund payment of a credit note), reconciled."""
        transaction = data.get("transaction_id") or ""
        paid_at = parse_utc(data.get("date_paid_gmt"))
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {"journal_id": journal.id, "communication": transaction or invoice.name}
                | ({"payment_date": paid_at.date()} if paid_at else {})
            )
        )
        payment = register._create_payments()
        return _(
            "Payment %(payment)s of %(amount)s %(currency)s registered in %(journal)s "
            "(transaction %(transaction)s).",
            payment=payment.name,
            amount=payment.amount,
            currency=payment.currency_id.name,
            journal=journal.name,
            transaction=transaction or "-",
        )

    @api.model
    def _default_policy(self) -> str:
        return self.env["ir.config_parameter"].sudo().get_param(POLICY_PARAM) or "none"

    @api.model
    def _default_payment_journal(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PAYMENT_JOURNAL_PARAM)
        journal = self.env["account.journal"].browse(int(value)).exists() if value else None
        return journal or self.env["account.journal"]
