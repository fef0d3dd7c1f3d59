from odoo import Command, _, api, fields, models

from ..envelope import EventRejected
from ..tools import amount, parse_utc, push_answer, text

INVOICE_POLICIES = [
    ("none", "Nothing (invoices and payments by hand)"),
    ("paid", "Invoice and register the payment when WooCommerce reports it paid"),
    ("completed", "Invoice when the order is completed (payment by hand)"),
]
# WooCommerce sets date_paid when an order reaches the status its gateway completes payment
# with: processing (completed for cash on delivery, which the shop is paid on delivery).
PAID_STATUSES = ("processing", "completed")
# The meta_data key of a refund the workers made in WooCommerce for a credit note posted in
# Odoo: its value is the credit note's id, so that the refund's echo books nothing.
CREDIT_NOTE_META = "elitaco_credit_note_id"


class RefundUnread(Exception):
    """The workers could not read a refund's details from WooCommerce: retry, book nothing."""


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
        store = order.woo_store
        value_map = self.env["integration.value.map"]._lookup(
            "payment_method", data.get("payment_method") or "", store
        )
        policy = self._policy(store, data)
        if not (
            (policy == "paid" and self._paid(data))
            or (policy == "completed" and data["status"] == "completed")
        ):
            return [], []
        journal = self._payment_journal(store, data)
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
            changes += self.env["integration.woo.invoice.tax"]._match_woo_tax(invoice, data, store)
            paid_at = parse_utc(data.get("date_paid_gmt"))
            if paid_at:
                invoice.invoice_date = fields.Date.context_today(invoice, paid_at)
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
            method_line = value_map.payment_method_line_id
            if method_line.journal_id != journal:
                method_line = method_line.browse()
            changes.append(self._register_payment(invoice, journal, data, method_line))
        return changes, warnings

    @api.model
    def _check_payment_journal(self, store: str, data: dict, action: str) -> None:
        """Before the order is made: a paid order to invoice and pay needs a journal for its
        payment. Refused there, the event makes nothing (not even a sale order number)."""
        if action == "confirm" and self._policy(store, data) == "paid" and self._paid(data):
            self._payment_journal(store, data)

    @api.model
    def _payment_journal(self, store: str, data: dict):
        """The journal the payments of the order's method go to; refused when there is none."""
        method = data.get("payment_method") or ""
        value_map = self.env["integration.value.map"]._lookup("payment_method", method, store)
        journal = value_map.payment_journal_id or self._default_payment_journal(store)
        if not journal and self._policy(store, data) == "paid":
            raise EventRejected(
                _(
                    "Payment method %(method)s: no journal to register its payments in. Give "
                    "it a Payment journal (Integration › Configuration › Value maps › Payment "
                    "methods) or set a default payment journal in Settings › Integration, then "
                    "replay.",
                    method=method or "-",
                ),
                value_map=("payment_method", method),
            )
        return journal

    @staticmethod
    def _paid(data: dict) -> bool:
        """WooCommerce says the order is paid (docs: date_paid and a paid status)."""
        return bool(data.get("date_paid_gmt")) and data["status"] in PAID_STATUSES

    @api.model
    def _book_refunds(
        self, store: str, order, data: dict, fetched: dict | None = None
    ) -> tuple[list[str], list[str]]:
        """One posted credit note per WooCommerce refund (WooCommerce has no refund webhook: a
        refund shows as an order update whose `refunds` grow), bound by the refund's id so that
        a redelivered or reordered update books nothing twice; when WooCommerce says the order
        is refunded, what its refunds leave of the invoice is credited too. Money the customer
        paid through us goes back as a refund payment in the payment journal.

        `fetched["refunds"]`: each refund's details, which the workers read from WooCommerce
        (GET /orders/<id>/refunds/<refund id>); they give the credit note its lines."""
        invoice = self.env["integration.woo.order.status"]._posted_invoices(order)[:1]
        refunds = [refund for refund in data.get("refunds") or [] if refund.get("id")]
        if not invoice or not (refunds or data["status"] == "refunded"):
            return [], []
        fetched = fetched or {}
        details = {detail.get("id"): detail for detail in fetched.get("refunds") or []}
        unread = {int(key): value for key, value in (fetched.get("refund_errors") or {}).items()}
        changes, warnings = [], []
        bindings = self.env["integration.binding"]
        for refund in refunds:
            if bindings._find(store, "account.move", refund["id"]):
                continue
            detail = details.get(refund["id"])
            own = self._credit_note_pushed_from_odoo(order, detail)
            if own:
                bindings._bind(store, own, refund["id"])
                changes.append(
                    _(
                        "WooCommerce refund %(refund)s is %(credit_note)s, made in Odoo.",
                        refund=refund["id"],
                        credit_note=own.name,
                    )
                )
                continue
            if detail is None and refund["id"] in unread:
                raise RefundUnread(
                    _(
                        "Could not read WooCommerce refund %(refund)s: %(error)s. Nothing was "
                        "booked for it; the workers read it again when the event is retried "
                        "(or replayed with `python -m relay replay`).",
                        refund=refund["id"],
                        error=unread[refund["id"]],
                    )
                )
            refunded = -amount(refund.get("total"), _("Refund %s total", refund["id"]))
            reason = (refund.get("reason") or "").strip()
            label = _("WooCommerce refund %s", refund["id"]) + (f": {reason}" if reason else "")
            credit_note = self._credit_note(
                order, invoice, refunded, label, self._refund_lines(store, order, detail)
            )
            bindings._bind(store, credit_note, refund["id"])
            if detail:
                taxes = self.env["integration.woo.invoice.tax"]
                changes += taxes._match_woo_tax(credit_note, detail, store)
            changes.append(self._post_and_pay_back(store, credit_note, invoice, detail))
        if data["status"] == "refunded":
            rest = invoice.currency_id.round(invoice.amount_total - self._credited(order))
            if invoice.currency_id.compare_amounts(rest, 0) > 0:
                credit_note = self._credit_note(
                    order,
                    invoice,
                    rest,
                    _("WooCommerce order refunded: the rest of %s", invoice.name),
                )
                changes.append(self._post_and_pay_back(store, credit_note, invoice, None))
        return changes, warnings

    @api.model
    def _credited(self, order) -> float:
        """What the order's posted credit notes give back: WooCommerce's refunds and those made
        in Odoo from its invoices."""
        credit_notes = (order.invoice_ids | order.woo_credit_note_ids).filtered(
            lambda move: move.move_type == "out_refund" and move.state == "posted"
        )
        return sum(credit_notes.mapped("amount_total"))

    @api.model
    def _credit_note_pushed_from_odoo(self, order, detail: dict | None):
        """The credit note of `order` that the refund `detail` was made for by the workers
        (its meta_data names it): that refund is the echo of a push, not a new one."""
        for meta in (detail or {}).get("meta_data") or []:
            if meta.get("key") == CREDIT_NOTE_META and str(meta.get("value") or "").isdigit():
                credit_note = self.env["account.move"].browse(int(meta["value"])).exists()
                if credit_note and credit_note.woo_sale_order_id == order:
                    return credit_note
        return self.env["account.move"]

    @api.model
    def _refund_lines(self, store: str, order, detail: dict | None) -> list[dict]:
        """The credit note lines of a refund's itemised lines, priced as the order's lines were
        (taxes, price basis); a refund that names no lines has none."""
        lines = []
        items = [
            (item, kind)
            for kind in ("line_items", "shipping_lines", "fee_lines")
            for item in (detail or {}).get(kind) or []
        ]
        for item, kind in items:
            where = _("Refund line %s", item.get("id"))
            total = -amount(item.get("total"), where + " total")
            tax = -amount(item.get("total_tax") or 0, where + " tax")
            if not total and not tax:
                continue
            sale_line = self._refunded_sale_line(store, order, item, kind)
            taxes = sale_line.tax_id
            price = total + tax if taxes and all(taxes.mapped("price_include")) else total
            quantity = abs(amount(item.get("quantity") or 0, where + " quantity")) or 1
            name = sale_line.name or text(item.get("name") or item.get("method_title"))
            currency = order.currency_id
            if currency.compare_amounts(currency.round(price / quantity) * quantity, price):
                name, quantity = f"{quantity:g} x {name}", 1  # a unit price WooCommerce never had
            lines.append(
                {
                    "product_id": sale_line.product_id.id or False,
                    "name": name or where,
                    "quantity": quantity,
                    "price_unit": price / quantity,
                    "tax_ids": [Command.set(taxes.ids)],
                }
            )
        return lines

    @api.model
    def _refunded_sale_line(self, store: str, order, item: dict, kind: str):
        """The order line a refund line gives money back for: the one its meta_data names."""
        refunded_id = next(
            (
                int(meta["value"])
                for meta in item.get("meta_data") or []
                if meta.get("key") == "_refunded_item_id" and str(meta.get("value")).isdigit()
            ),
            None,
        )
        woo_product = (
            (item.get("variation_id") or item.get("product_id")) if kind == "line_items" else None
        )
        order_lines = self.env["integration.woo.order.line"]
        return order_lines._order_line(store, order, refunded_id, woo_product)

    @api.model
    def _credit_note(self, order, invoice, total: float, label: str, lines=None):
        """A credit note for `invoice` of exactly `total`: the refund's lines where WooCommerce
        itemised it, and an untaxed line for what they leave (all of it for an amount-only
        refund). Against an invoice still open it is its reversal (posting it lowers what the
        customer owes); against a paid one it stands alone, paid back by a refund payment."""
        paid = invoice.payment_state != "not_paid"
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": invoice.partner_id.id,
                "currency_id": invoice.currency_id.id,
                "journal_id": invoice.journal_id.id,
                "reversed_entry_id": False if paid else invoice.id,
                "woo_sale_order_id": order.id,
                "invoice_origin": invoice.invoice_origin,
                "ref": label,
                "invoice_line_ids": [Command.create(line) for line in lines or []],
            }
        )
        rest = invoice.currency_id.round(total - credit_note.amount_total)
        if not invoice.currency_id.is_zero(rest):
            name = _("%s: not on its lines", label) if lines else label
            credit_note.invoice_line_ids = [
                Command.create({"name": name, "quantity": 1, "price_unit": rest, "tax_ids": []})
            ]
        return credit_note

    @api.model
    def _post_and_pay_back(self, store: str, credit_note, invoice, detail: dict | None) -> str:
        """Post the credit note of a paid invoice and register the money going back, in the
        journal the invoice was paid into, when WooCommerce's gateway paid it back
        (`refunded_payment`; a refund the workers have no details of is taken as paid back
        like the payment was). A refund the shop pays back by hand stays open for the
        accountant."""
        credit_note.action_post()
        message = _(
            "Credit note %(number)s posted: %(total)s %(currency)s.",
            number=credit_note.name,
            total=credit_note.amount_total,
            currency=credit_note.currency_id.name,
        )
        if credit_note.reversed_entry_id or credit_note.payment_state != "not_paid":
            return message
        if detail is not None and not detail.get("refunded_payment"):
            return (
                message
                + " "
                + _(
                    "Not paid back through the payment gateway in WooCommerce: register the refund "
                    "payment when the money goes back."
                )
            )
        journal = invoice.matched_payment_ids[:1].journal_id or self._default_payment_journal(store)
        if journal:
            message += " " + self._register_payment(credit_note, journal, {})
        return message

    @api.model
    def _register_payment(self, invoice, journal, data: dict, method_line=None) -> str:
        """The payment of `invoice` (or the refund payment of a credit note), reconciled."""
        transaction = data.get("transaction_id") or ""
        paid_at = parse_utc(data.get("date_paid_gmt"))
        register = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {"journal_id": journal.id, "communication": transaction or invoice.name}
                | ({"payment_date": paid_at.date()} if paid_at else {})
                | ({"payment_method_line_id": method_line.id} if method_line else {})
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
    def _policy(self, store: str, data: dict) -> str:
        """How the order's payment method is invoiced in `store`: none, paid or completed."""
        value_map = self.env["integration.value.map"]._lookup(
            "payment_method", data.get("payment_method") or "", store
        )
        store_policy = self.env["integration.store"]._for_key(store).invoice_policy
        return value_map.invoice_policy or store_policy

    @api.model
    def _default_payment_journal(self, store: str):
        return self.env["integration.store"]._for_key(store).payment_journal_id

    # ------------------------------------------------------------------ pushed to WooCommerce

    @api.model
    def _for_credit_notes(self, credit_notes) -> None:
        """A credit note posted in Odoo for a WooCommerce order (a return handled in Odoo) is a
        refund to make in WooCommerce, once. Credit notes of WooCommerce's own refunds are
        bound to them and are not pushed back."""
        bound = set(
            self.env["integration.binding"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "in", credit_notes.ids)])
            .mapped("res_id")
        )
        outbox = self.env["integration.outbox"]
        stores = self.env["integration.store"].sudo()
        # sudo: whoever may post a credit note queues its refund, whatever else they may read
        for credit_note in credit_notes.sudo().filtered(lambda move: move.id not in bound):
            order = credit_note._woo_order()
            key = f"odoo:account.move-{credit_note.id}:order.refunded:1"
            if not order or outbox.sudo().search_count([("idempotency_key", "=", key)]):
                continue  # not a WooCommerce order's, or already pushed when first posted
            if not credit_note.woo_sale_order_id:
                # so that the refund's echo is known as this credit note, and it shows on the order
                credit_note.woo_sale_order_id = order
            outbox.sudo().create(
                {
                    "event_type": "odoo.order.refunded",
                    "idempotency_key": key,
                    "store": order.woo_store,
                    "sale_order_id": order.id,
                    "credit_note_id": credit_note.id,
                    "data": self._refund_data(
                        order, credit_note, stores._for_key(order.woo_store).gateway_refunds
                    ),
                }
            )

    @api.model
    def _refund_data(self, order, credit_note, gateway: bool) -> dict:
        currency = credit_note.currency_id

        def money(value: float) -> str:
            return f"{currency.round(value):.{currency.decimal_places}f}"

        lines = []
        for line in credit_note.invoice_line_ids.filtered(lambda l: l.display_type == "product"):
            sale_line = line.sale_line_ids.filtered("woo_line_id")[:1]
            if sale_line:
                lines.append(
                    {
                        "woo_line_id": sale_line.woo_line_id,
                        "quantity": line.quantity,
                        "total": money(line.price_subtotal),
                        "total_tax": money(line.price_total - line.price_subtotal),
                    }
                )
        reason = _("Odoo credit note %s", credit_note.name)
        if credit_note.ref:
            reason += f": {credit_note.ref}"
        return {
            "woo_order_id": order.woo_order_id,
            "odoo_order": order.name,
            "credit_note": credit_note.name,
            "credit_note_id": credit_note.id,
            "amount": money(credit_note.amount_total),
            "currency": currency.name,
            "reason": reason,
            "api_refund": gateway,
            "lines": lines,
            # WooCommerce keeps it on the refund: the workers find a refund an attempt whose
            # answer was lost already made, and the refund's echo is known as this credit note.
            "meta_data": [{"key": CREDIT_NOTE_META, "value": str(credit_note.id)}],
        }

    @api.model
    def _push_data(self, row) -> dict:
        return dict(row.data or {})  # the refund as the credit note was posted

    @api.model
    def _push_answered(self, row, response: str | None, ok: bool) -> None:
        if ok:
            self._bind_refund(row, response)

    @api.model
    def _push_summary(self, row) -> str:
        return _(
            "refund of %(amount)s %(currency)s for credit note %(credit_note)s",
            amount=row.data.get("amount"),
            currency=row.data.get("currency"),
            credit_note=row.data.get("credit_note"),
        )

    @api.model
    def _bind_refund(self, row, response: str | None) -> None:
        """The refund WooCommerce made for the credit note is bound to it, so that the order
        update it causes books nothing again (the update may come first: then it bound it)."""
        refund_id = push_answer(response).get("id")
        bindings = self.env["integration.binding"].sudo()
        if isinstance(refund_id, int) and not bindings._find(row.store, "account.move", refund_id):
            bindings._bind(row.store, row.credit_note_id, refund_id)
