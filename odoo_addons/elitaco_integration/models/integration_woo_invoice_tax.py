from collections import defaultdict

from odoo import Command, _, api, models

from ..tools import amount


class IntegrationWooInvoiceTax(models.AbstractModel):
    """The VAT of a WooCommerce order's invoice, per tax, as WooCommerce charged it per rate;
    and of a refund's credit note, as WooCommerce refunded it per rate.

    Odoo and WooCommerce round tax differently (per line or per order, before or after a
    coupon), so with prices entered with tax the totals agree while a rate's VAT can differ by a
    cent that moves into the net. Under EU VAT the tax shown on the invoice is owed, so before
    posting each tax line is set to what WooCommerce charged, the way Odoo itself corrects a
    draft invoice's tax (account.move._inverse_tax_totals, the tax totals widget's edit; and
    _check_total_amount, which rounds the tax so that a total typed in is kept): the tax line's
    amount changes and the receivable follows it. Odoo's sale order has no such edit (its
    tax_totals is computed only), so its VAT keeps Odoo's rounding and the timeline says so."""

    _name = "integration.woo.invoice.tax"
    _description = "WooCommerce VAT per rate on the invoice"

    @api.model
    def _match_woo_tax(self, invoice, data: dict, store: str = "") -> list[str]:
        """Set the draft `invoice`'s tax lines to WooCommerce's tax per rate (the cent or two
        of rounding only; a larger difference is a mapping to fix) and keep its total with an
        untaxed rounding line. `invoice` is an invoice and `data` its order, or a credit note
        and `data` the refund's details (GET /orders/<id>/refunds/<id>: its tax_lines are per
        rate too). Returns the changes for the order's timeline."""
        wanted = self._woo_tax(invoice, data, store)
        if wanted is None:
            return []
        currency = invoice.currency_id
        sign = -1 if invoice.is_inbound() else 1
        booked: dict = defaultdict(float)
        for line in invoice.line_ids.filtered("tax_line_id"):
            booked[line.tax_line_id] += line.amount_currency * sign
        unclaimed = set(booked) - {tax for taxes in wanted for tax in taxes}
        if any(not currency.is_zero(booked[tax]) for tax in unclaimed):
            return []  # a tax WooCommerce did not charge: the total and mapping warnings tell
        deltas = {}
        for taxes, charged in wanted.items():
            delta = currency.round(charged - sum(booked[tax] for tax in taxes))
            if currency.is_zero(delta):
                continue
            based = invoice.invoice_line_ids.filtered(lambda line, t=taxes: line.tax_ids & t)
            if abs(delta) > 0.01 * max(len(based), 1) + 1e-9:
                return []  # not rounding: the total and mapping warnings tell
            # A rate booked on two taxes (gross products, net shipping): its larger tax line.
            deltas[max(taxes, key=lambda tax: abs(booked[tax]))] = delta
        if not deltas:
            return []
        rounding = self.env.ref("elitaco_integration.product_woo_rounding")
        net = currency.round(-sum(deltas.values()))
        if not currency.is_zero(net):
            invoice.invoice_line_ids = [
                Command.create(
                    {
                        "product_id": rounding.id,
                        "name": rounding.name,
                        "quantity": 1,
                        "price_unit": net,
                        "tax_ids": [Command.clear()],
                    }
                )
            ]
        # As account.move._inverse_tax_totals does: change the tax line within the sync of the
        # payment term lines, so that the receivable is the total again.
        with invoice._sync_dynamic_line(
            existing_key_fname="term_key",
            needed_vals_fname="needed_terms",
            needed_dirty_fname="needed_terms_dirty",
            line_type="payment_term",
            container={"records": invoice},
        ):
            for tax, delta in deltas.items():
                line = invoice.line_ids.filtered(lambda line, tax=tax: line.tax_line_id == tax)[:1]
                line.amount_currency += delta * sign
        invoice._compute_amount()
        described = []
        for tax, delta in deltas.items():
            odoo = currency.round(booked[tax])
            described.append(f"{tax.name} {odoo} → {currency.round(odoo + delta)}")
        order = invoice.line_ids.sale_line_ids.order_id[:1] or invoice.woo_sale_order_id
        differs = self.env["integration.woo.tax.rounding"]._difference_of_order(order)
        if invoice.move_type == "out_refund":
            return [
                _(
                    "VAT of the credit note for %(refund)s set to what WooCommerce refunded "
                    "per rate (%(taxes)s %(currency)s; Odoo rounds tax otherwise), the "
                    "%(net)s on an untaxed rounding line so the total stays %(total)s.",
                    refund=invoice.ref,
                    taxes=", ".join(described),
                    currency=currency.name,
                    net=net,
                    total=invoice.amount_total,
                )
            ] + ([differs] if differs else [])
        return [
            _(
                "VAT set to what WooCommerce charged per rate (%(taxes)s %(currency)s; Odoo "
                "rounds tax otherwise), the %(net)s on an untaxed rounding line so the total "
                "stays %(total)s. %(order)s keeps Odoo's VAT: a sale order's tax cannot be "
                "edited.",
                taxes=", ".join(described),
                currency=currency.name,
                net=net,
                total=invoice.amount_total,
                order=order.name or _("The sale order"),
            )
        ] + ([differs] if differs else [])

    @api.model
    def _woo_tax(self, invoice, data: dict, store: str = "") -> dict | None:
        """{the invoice's Odoo taxes of a rate: what WooCommerce charged for it}, None when a
        charged rate has no tax on the invoice (nothing to match it with). A refund's tax is
        negative in WooCommerce; on the credit note it is what was given back."""
        order_lines = self.env["integration.woo.order.line"]
        sign = -1 if invoice.move_type == "out_refund" else 1
        on_invoice = invoice.line_ids.tax_line_id
        wanted: dict = defaultdict(float)
        for tax_line in data.get("tax_lines") or []:
            rate_id = tax_line.get("rate_id")
            where = _("Tax rate %s", rate_id)
            charged = sign * (
                amount(tax_line.get("tax_total") or 0, where)
                + amount(tax_line.get("shipping_tax_total") or 0, where)
            )
            taxes = on_invoice.browse()
            for included in (True, False):
                taxes |= order_lines._rate_tax(rate_id, tax_line, included, store)[0]
            taxes &= on_invoice
            if not taxes:
                if invoice.currency_id.is_zero(charged):
                    continue
                return None
            wanted[taxes] += charged
        return wanted
