from collections import defaultdict
from datetime import timedelta

from odoo import Command, _, api, fields, models

from ..envelope import EventRejected, EventWaiting
from ..tools import amount, text

# How long an order waits for a product the store has and Odoo has not received yet, from the
# event's received_at; the relay's retries (10 s, 1 min, 5 min) outlast it.
PRODUCT_WAIT = timedelta(minutes=5)


class IntegrationWooOrderLine(models.AbstractModel):
    """A WooCommerce order's lines, taxes and total as the sale order's lines: products,
    shipping, fees and discounts, each taxed with the Odoo taxes of WooCommerce's rates."""

    _name = "integration.woo.order.line"
    _description = "WooCommerce order lines and taxes into Odoo sale order lines"

    @api.model
    def _order_lines(
        self, store: str, data: dict, received_at=None
    ) -> tuple[list[dict], list[str]]:
        tax_rates = {tax_line.get("rate_id"): tax_line for tax_line in data.get("tax_lines", [])}
        lines, warnings = [], []
        # What a line's price lost to coupons and other discounts, per set of taxes: one
        # discount line each, taxed as the lines it came off (a coupon in a mixed-rate cart
        # lowers each rate's tax as WooCommerce did).
        discounts: dict[tuple, float] = defaultdict(float)
        # A shop that enters prices with tax: its lines are priced gross with taxes that include
        # the price, so that 3 x 9.99 is 29.97 as WooCommerce charged, not 3 x 8.39 + tax.
        included = bool(data.get("prices_include_tax"))
        for item in data.get("line_items", []):
            product, product_warnings = self._line_product(store, item, received_at)
            warnings += product_warnings
            where = _("Line %s", item.get("id"))
            quantity = amount(item.get("quantity"), where + " quantity")
            total = amount(item.get("total"), where + " total")
            subtotal = (
                amount(item.get("subtotal"), where + " subtotal") if item.get("subtotal") else total
            )
            taxes, tax_warnings = self._taxes(item.get("taxes", []), tax_rates, store=store)
            if included and taxes:
                gross_taxes, gross_warnings = self._taxes(
                    item.get("taxes", []), tax_rates, True, store=store
                )
                if len(gross_taxes) == len(taxes) and not gross_warnings:
                    taxes = gross_taxes
                    subtotal += amount(item.get("subtotal_tax") or 0, where + " subtotal tax")
                    total += amount(item.get("total_tax") or 0, where + " total tax")
                else:  # the net price with net taxes: WooCommerce's rounding may differ
                    tax_warnings += gross_warnings
            warnings += tax_warnings
            if subtotal != total:
                discounts[tuple(taxes.ids)] += subtotal - total
            lines.append(
                self._line(
                    product,
                    text(item.get("name")),
                    quantity,
                    subtotal / quantity if quantity else 0.0,
                    taxes,
                    item.get("id"),
                )
            )
        for shipping in data.get("shipping_lines", []):
            method = self.env["integration.value.map"]._lookup(
                "shipping_method", shipping.get("method_id"), store
            )
            product = method.delivery_product_id or self.env.ref(
                "elitaco_integration.product_woo_shipping"
            )
            taxes, tax_warnings = self._taxes(shipping.get("taxes", []), tax_rates, store=store)
            warnings += tax_warnings
            lines.append(
                self._line(
                    product,
                    text(shipping.get("method_title")) or product.name,
                    1,
                    amount(shipping.get("total"), _("Shipping line %s total", shipping.get("id"))),
                    taxes,
                    shipping.get("id"),
                )
            )
        for fee in data.get("fee_lines", []):
            taxes, tax_warnings = self._taxes(fee.get("taxes", []), tax_rates, store=store)
            warnings += tax_warnings
            lines.append(
                self._line(
                    self.env.ref("elitaco_integration.product_woo_fee"),
                    text(fee.get("name")),
                    1,
                    amount(fee.get("total"), _("Fee line %s total", fee.get("id"))),
                    taxes,
                    fee.get("id"),
                )
            )
        codes = [coupon.get("code") or "?" for coupon in data.get("coupon_lines", [])]
        label = _("Coupon %s", ", ".join(codes)) if codes else _("Discount")
        for tax_ids, discount in discounts.items():
            taxes = self.env["account.tax"].browse(tax_ids)
            name = label
            if len(discounts) > 1:
                name += " (%s)" % (", ".join(taxes.mapped("name")) or _("untaxed"))
            lines.append(
                self._line(
                    self.env.ref("elitaco_integration.product_woo_discount"),
                    name,
                    1,
                    -round(discount, 6),
                    taxes,
                )
            )
        return lines, list(dict.fromkeys(warnings))

    @api.model
    def _line_product(self, store: str, line: dict, received_at=None):
        """An order line's product: the binding of what was sold (the variation for a variable
        product, never its parent), then the SKU; a product the store has and Odoo has not
        received yet is waited for until PRODUCT_WAIT after the order event's `received_at`,
        then the unknown-SKU policy applies."""
        bindings = self.env["integration.binding"]
        products = self.env["integration.woo.product"]
        woo_id = line.get("variation_id") or line.get("product_id")
        if woo_id:
            product = bindings._find(store, "product.product", woo_id)
            if product:
                return product, []
        sku = (line.get("sku") or "").strip()
        if sku:
            product = products._by_sku(sku)
            if product:
                if woo_id:
                    bindings._bind(store, product, woo_id, self._line_parent(line))
                return product, []
        name = text(line.get("name"))
        self._wait_for_product(store, line, woo_id, received_at)
        if self.env["integration.store"]._for_key(store).unknown_sku != "create":
            raise EventRejected(
                _(
                    "Line %(line)s '%(name)s': no Odoo product with SKU '%(sku)s' and no "
                    "binding for WooCommerce product %(woo)s. Give the product that SKU as its "
                    "Internal Reference (or create it), or set Unknown SKU to 'Create the "
                    "product' in Settings › Integration (another store: on the store, under "
                    "Integration › Configuration › Stores), then replay.",
                    line=line.get("id"),
                    name=name,
                    sku=sku,
                    woo=woo_id or "-",
                )
            )
        # Two orders with the same new product create it once: the second waits, then retries.
        self.env["integration.resource.lock"]._acquire(
            f"product:{store}:{woo_id}" if woo_id else f"product-sku:{sku}"
        )
        quantity = amount(line.get("quantity"), name) or 1
        product = self.env["product.product"].create(
            {
                "name": text(line.get("parent_name")) or name or _("WooCommerce product"),
                "default_code": sku or False,
                "list_price": amount(line.get("subtotal"), name) / quantity if quantity else 0.0,
                "type": "consu",
            }
        )
        if woo_id:
            bindings._bind(store, product, woo_id, self._line_parent(line))
        warning = _(
            "Line %(line)s '%(name)s': product %(product)s created (unknown SKU '%(sku)s').",
            line=line.get("id"),
            name=name,
            product=product.display_name,
            sku=sku,
        )
        return product, [warning]

    @api.model
    def _wait_for_product(self, store: str, line: dict, woo_id, received_at) -> None:
        """Webhooks are not ordered and an import runs beside them: a line selling a product
        the store has (its id) may arrive before the product's own event. The order waits for
        it (retried) rather than making a stand-in, for a bounded time; only where product
        events create products (WooCommerce master of product data)."""
        woo_master = self.env["integration.woo.product"]._woo_is_master(store)
        if not (woo_id and received_at and woo_master):
            return
        until = received_at + PRODUCT_WAIT
        if fields.Datetime.now() >= until:
            return
        raise EventWaiting(
            _(
                "Line %(line)s '%(name)s' waits for WooCommerce product %(woo)s (SKU '%(sku)s'), "
                "which Odoo has not received yet: retried until %(until)s UTC, then the Unknown "
                "SKU setting applies.",
                line=line.get("id"),
                name=text(line.get("name")),
                woo=woo_id,
                sku=(line.get("sku") or "").strip(),
                until=fields.Datetime.to_string(until),
            )
        )

    @staticmethod
    def _line_parent(line: dict) -> int | None:
        return line.get("product_id") if line.get("variation_id") else None

    @api.model
    def _line(
        self, product, name: str, quantity: float, price_unit: float, taxes, woo_line_id=None
    ) -> dict:
        return {
            "woo_line_id": woo_line_id or 0,
            "product_id": product.id,
            "name": name or product.display_name,
            "product_uom_qty": quantity,
            "price_unit": price_unit,
            "discount": 0.0,
            "tax_id": [Command.set(taxes.ids)],
        }

    @api.model
    def _taxes(
        self, woo_taxes: list[dict], tax_rates: dict, included: bool = False, store: str = ""
    ) -> tuple:
        """The Odoo taxes of a line: each WooCommerce rate through its value map, else the sale
        tax of its percentage; in the variant (price included or not) the line's price is
        given in, so that Odoo never reads a net price as a gross one."""
        taxes = self.env["account.tax"]
        warnings = []
        for woo_tax in woo_taxes:
            where = _("Tax %s", woo_tax.get("id"))
            if not amount(woo_tax.get("total"), where) and not amount(
                woo_tax.get("subtotal"), where
            ):
                continue
            rate_id = woo_tax.get("id")
            rate = tax_rates.get(rate_id) or {}
            tax, mapped = self._rate_tax(rate_id, rate, included, store)
            if tax:
                taxes |= tax
            elif mapped:
                warnings.append(
                    _(
                        "Tax rate %(id)s is mapped to %(tax)s, but WooCommerce's prices are "
                        "%(basis)s and Odoo has no such %(percent)s%% sale tax: create one, "
                        "or map the rate to it (Integration › Configuration › Value maps › "
                        "Tax rates).",
                        id=rate_id,
                        tax=mapped.name,
                        basis=_("tax included") if included else _("tax excluded"),
                        percent=mapped.amount,
                    )
                )
            else:
                warnings.append(
                    _(
                        "No Odoo tax for WooCommerce tax rate %(id)s (%(label)s): "
                        "map it under Integration › Configuration › Value maps › Tax rates.",
                        id=rate_id,
                        label=rate.get("label") or "?",
                    )
                )
        return taxes, warnings

    @api.model
    def _missing_tax_rates(self, data: dict, store: str = "") -> list[dict]:
        """The tax lines of the rates WooCommerce charged that have no Odoo tax (no value map,
        no sale tax of their percentage): Odoo cannot book the order's tax without them."""
        missing = []
        for tax_line in data.get("tax_lines") or []:
            rate_id = tax_line.get("rate_id")
            where = _("Tax rate %s", rate_id)
            charged = amount(tax_line.get("tax_total") or 0, where) + amount(
                tax_line.get("shipping_tax_total") or 0, where
            )
            if not charged:
                continue
            tax, mapped = self._rate_tax(rate_id, tax_line, False, store)
            if not (tax or mapped):
                missing.append(tax_line)
        return missing

    @api.model
    def _rate_tax(self, rate_id, rate: dict, included: bool, store: str = "") -> tuple:
        """(the Odoo sale tax of WooCommerce tax rate `rate_id` on the price basis asked, the
        tax its value map names): through the value map, else by the rate's percentage."""
        mapped = self.env["integration.value.map"]._lookup("tax_rate", rate_id, store).tax_id
        percent = rate.get("rate_percent")
        if mapped:
            percent = mapped.amount
        elif percent is not None:
            percent = amount(percent, _("Tax %s rate", rate_id))
        return self._sale_tax(mapped, percent, included), mapped

    @api.model
    def _sale_tax(self, mapped, percent: float | None, included: bool):
        """`mapped` when its price basis is the one asked, else the company's sale tax of the
        same percentage on that basis."""
        if mapped and mapped.price_include == included:
            return mapped
        if percent is None:
            return self.env["account.tax"]
        return self.env["account.tax"].search(
            [
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", percent),
                ("price_include", "=", included),
                ("company_id", "=", self.env.company.id),
            ],
            limit=1,
        )

    @api.model
    def _sync_lines(self, order, lines: list[dict], warnings: list[str]) -> list[str]:
        if self._line_signature_of_order(order) == self._line_signature(lines):
            self._number_lines(order, lines)
            return []
        if order.state not in ("draft", "sent", "cancel"):
            warnings.append(
                _(
                    "The lines changed in WooCommerce, but %s is confirmed: the "
                    "change was not applied to it. Check the order by hand.",
                    order.name,
                )
            )
            return []
        order.order_line = [Command.clear()] + [Command.create(line) for line in lines]
        return [_("Lines replaced (%s lines).", len(lines))]

    @api.model
    def _round_to_woo_total(self, order, data: dict) -> list[str]:
        """Odoo rounds each line's tax; WooCommerce rounds the tax of discounted lines after the
        discount, or a whole order's tax at once. The cent or two that leaves between the two
        totals goes on an untaxed rounding line, stated on the timeline; a quotation only (a
        confirmed order's lines are not changed). A larger difference is a mapping to fix:
        the total warning says so."""
        if order.state not in ("draft", "sent", "cancel"):
            return []
        product = self.env.ref("elitaco_integration.product_woo_rounding")
        rounding = order.order_line.filtered(lambda line: line.product_id == product)
        currency = order.currency_id
        without = order.amount_total - sum(rounding.mapped("price_total"))
        difference = currency.round(amount(data.get("total"), _("Order total")) - without)
        taxed_lines = len(order.order_line.filtered("tax_id"))
        if currency.is_zero(difference) or abs(difference) > 0.01 * max(taxed_lines, 1) + 1e-9:
            rounding.unlink()
            return []
        if rounding and currency.compare_amounts(rounding[:1].price_unit, difference) == 0:
            (rounding - rounding[:1]).unlink()
            return []
        rounding.unlink()
        order.order_line = [
            Command.create(self._line(product, product.name, 1, difference, product.taxes_id))
        ]
        return [
            _(
                "Rounding line of %(difference)s %(currency)s: WooCommerce rounds tax differently "
                "from Odoo, and its total %(total)s is the one charged.",
                difference=difference,
                currency=currency.name,
                total=data.get("total"),
            )
        ]

    @api.model
    def _total_warnings(self, order, data: dict) -> list[str]:
        woo_total = amount(data.get("total"), _("Order total"))
        if order.currency_id.compare_amounts(order.amount_total, woo_total) == 0:
            return []
        return [
            _(
                "Total mismatch: Odoo %(odoo)s, WooCommerce %(woo)s %(currency)s (check the "
                "tax and shipping mappings).",
                odoo=order.amount_total,
                woo=woo_total,
                currency=data.get("currency"),
            )
        ]

    @api.model
    def _number_lines(self, order, lines: list[dict]) -> None:
        """Give unchanged lines WooCommerce's line ids (orders made before they were kept),
        pairing the order's lines with WooCommerce's in the same sorted order."""
        rounding = self.env.ref("elitaco_integration.product_woo_rounding")
        order_lines = order.order_line.filtered(
            lambda line: not line.display_type and line.product_id != rounding
        )
        if all(order_lines.mapped("woo_line_id")):
            return
        ranked = sorted(order_lines, key=lambda line: self._line_signature_of_order(line)[0])
        wanted = sorted(lines, key=lambda line: self._line_signature([line])[0])
        for order_line, line in zip(ranked, wanted, strict=True):
            if line["woo_line_id"] and order_line.woo_line_id != line["woo_line_id"]:
                order_line.woo_line_id = line["woo_line_id"]

    @staticmethod
    def _line_signature(lines: list[dict]) -> list[tuple]:
        return sorted(
            (
                line["product_id"],
                round(line["product_uom_qty"], 4),
                round(line["price_unit"], 4),
                tuple(sorted(line["tax_id"][0][2])),
            )
            for line in lines
        )

    @staticmethod
    def _line_signature_of_order(order) -> list[tuple]:
        """`order`: a sale order, or some of its lines."""
        order_lines = order.order_line if order._name == "sale.order" else order
        rounding = order.env.ref("elitaco_integration.product_woo_rounding")
        order_lines = order_lines.filtered(lambda line: line.product_id != rounding)
        return sorted(
            (
                line.product_id.id,
                round(line.product_uom_qty, 4),
                round(line.price_unit, 4),
                tuple(sorted(line.tax_id.ids)),
            )
            for line in order_lines
            if not line.display_type
        )

    @api.model
    def _order_line(self, store: str, order, woo_line_id: int | None, woo_product_id=None):
        """`order`'s line of WooCommerce line `woo_line_id`, else (orders made before line ids
        were kept) its line of WooCommerce product `woo_product_id`."""
        lines = order.order_line.filtered(lambda line: not line.display_type)
        matched = lines.filtered(lambda line: woo_line_id and line.woo_line_id == woo_line_id)
        if matched or not woo_product_id:
            return matched[:1]
        product = self.env["integration.binding"]._find(store, "product.product", woo_product_id)
        return lines.filtered(lambda line: product and line.product_id == product)[:1]
