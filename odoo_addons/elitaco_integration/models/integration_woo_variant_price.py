from datetime import timedelta

from odoo import _, api, models

from ..tools import write_changes

# Odoo keeps a rule's dates and the moment it prices at to the second: a variant's price rule
# ends the second before its sale starts and starts the second after it ends, so the two never
# apply together (between two rules of one variant Odoo would take the newer one).
SECOND = timedelta(seconds=1)


class IntegrationWooVariantPrice(models.AbstractModel):
    """Odoo prices a variant as its template's price plus the extras of its values; WooCommerce
    prices each variation on its own. The extras take what they can express, and a fixed-price
    rule in the default pricelist of Settings the rest."""

    _name = "integration.woo.variant.price"
    _description = "WooCommerce variation prices as Odoo variant prices"

    @api.model
    def _variation_prices(self, store: str, template) -> dict:
        """{variant: its variation's regular price} of the template's bound variants."""
        variants = template.with_context(active_test=False).product_variant_ids
        bindings = self.env["integration.binding"].search(
            [
                ("store", "=", store),
                ("model", "=", "product.product"),
                ("res_id", "in", variants.ids),
            ]
        )
        by_id = {binding.res_id: binding.woo_price for binding in bindings}
        return {variant: by_id[variant.id] for variant in variants if variant.id in by_id}

    @api.model
    def _sync_prices(self, store: str, template) -> tuple[list[str], list[str]]:
        """(changes, warnings): the template gets the lowest variation price and each value the
        least its variations cost above it, which is exact whenever the prices add up per
        attribute (a size costs more, whatever the colour). Each variant they do not price
        exactly gets its price as a rule of the default pricelist; without one, a warning."""
        prices = self._variation_prices(store, template)
        if not prices:
            return [], []
        changes = self._sync_extras(template, prices)
        pricelist = self.env["integration.store"]._for_key(store).pricelist_id
        if pricelist:
            return changes + self._sync_rules(pricelist, template, prices), []
        warnings = []
        for variant, price in prices.items():  # a loop: _() finds its env in this frame
            if template.currency_id.compare_amounts(variant.lst_price, price):
                warnings.append(
                    _(
                        "%(variant)s costs %(price)s in WooCommerce; Odoo's variant prices add up "
                        "per attribute and make it %(odoo)s: set a default pricelist in Settings "
                        "› Integration, where such a variant gets its WooCommerce price as a rule.",
                        variant=variant.display_name,
                        price=price,
                        odoo=variant.lst_price,
                    )
                )
        return changes, warnings

    @api.model
    def _sync_extras(self, template, prices: dict) -> list[str]:
        base = min(prices.values())
        changes = []
        if template.currency_id.compare_amounts(template.list_price, base):
            template.list_price = base
            changes.append(
                _("Price of %(template)s: %(price)s.", template=template.name, price=base)
            )
        for value in template.attribute_line_ids.product_template_value_ids:
            priced = [
                p for v, p in prices.items() if value in v.product_template_attribute_value_ids
            ]
            if priced and template.currency_id.compare_amounts(
                value.price_extra, min(priced) - base
            ):
                value.price_extra = min(priced) - base
        return changes

    @api.model
    def _sync_rules(self, pricelist, template, prices: dict) -> list[str]:
        """The variant-price rules of the template's variants: one per variant the extras do
        not price exactly, outside its WooCommerce sale's dates; none elsewhere (another
        pricelist, once the default), only the integration's own rules touched."""
        items = self.env["product.pricelist.item"].with_context(active_test=False)
        variants = template.with_context(active_test=False).product_variant_ids
        rules = items.search(
            [("woo_variant_price", "=", True), ("product_id", "in", variants.ids)], order="id"
        )
        sales = items.search(
            [
                ("pricelist_id", "=", pricelist.id),
                ("woo_sale", "=", True),
                ("product_id", "in", variants.ids),
            ]
        )
        gone = rules.filtered(lambda rule: rule.pricelist_id != pricelist)
        changes = []
        for variant in variants:
            own = (rules - gone).filtered(lambda rule, v=variant: rule.product_id == v)
            price = prices.get(variant)
            exact = price is None or not template.currency_id.compare_amounts(
                variant.lst_price, price
            )
            sale = sales.filtered(lambda rule, v=variant: rule.product_id == v)[:1]
            windows = [] if exact else self._outside(sale)
            changed = False
            for rule, (start, end) in zip(own, windows, strict=False):
                values = {"fixed_price": price, "date_start": start, "date_end": end}
                changed = bool(write_changes(rule, values)) or changed
            for start, end in windows[len(own) :]:
                items.create(
                    {
                        "pricelist_id": pricelist.id,
                        "applied_on": "0_product_variant",
                        "product_id": variant.id,
                        "product_tmpl_id": template.id,
                        "compute_price": "fixed",
                        "fixed_price": price,
                        "date_start": start,
                        "date_end": end,
                        "woo_variant_price": True,
                    }
                )
                changed = True
            gone |= own[len(windows) :]
            if changed:
                changes.append(
                    _(
                        "Price of %(variant)s in %(pricelist)s: %(price)s (a rule: its values' "
                        "extras make it %(odoo)s).",
                        variant=variant.display_name,
                        pricelist=pricelist.display_name,
                        price=price,
                        odoo=variant.lst_price,
                    )
                )
        if gone:
            names = ", ".join(sorted(set(gone.product_id.mapped("display_name"))))
            gone.sudo().unlink()  # only its own rules: the Integration User deletes no others
            changes.append(_("WooCommerce price rules removed: %s.", names))
        return changes

    @api.model
    def _outside(self, sale) -> list[tuple]:
        """The (start, end) dates when the variant's WooCommerce sale rule does not apply."""
        if not sale:
            return [(False, False)]
        windows = []
        if sale.date_start:
            windows.append((False, sale.date_start - SECOND))
        if sale.date_end:
            windows.append((sale.date_end + SECOND, False))
        return windows
