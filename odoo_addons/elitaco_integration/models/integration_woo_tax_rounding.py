from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# WooCommerce › Settings › Tax › Rounding, "Round tax at subtotal level, instead of rounding per
# line" (woocommerce_tax_round_at_subtotal), as Odoo's company Tax Calculation Rounding Method.
ODOO_METHOD = {True: "round_globally", False: "round_per_line"}


class IntegrationWooTaxRounding(models.AbstractModel):
    """Whether Odoo rounds tax as the store does. The workers read the store's rounding setting
    (the hourly check-tax-rounding job and `python -m relay tax-rounding`) and report it here;
    Settings › Integration says whether Odoo's company rounds the same way, with a button that
    makes it so. Where they differ the VAT of an order can differ by a cent per rate: the
    invoice and credit note then take WooCommerce's (integration.woo.invoice.tax) and the
    order's timeline says that the two settings differ."""

    _name = "integration.woo.tax.rounding"
    _description = "WooCommerce's tax rounding against Odoo's"

    @api.model
    def _report(self, url, round_at_subtotal) -> dict:
        """The workers read the store's rounding: kept on the store, compared with Odoo's."""
        if not isinstance(round_at_subtotal, bool):
            raise ValidationError(
                _("round_at_subtotal must be true or false (WooCommerce's tax rounding setting)")
            )
        # sudo: the workers report a fact of their store; Integration Users do not edit stores.
        store = self.env["integration.store"].sudo()._ensure(url)
        if not store:
            raise ValidationError(_("%s is not a store's address.", url))
        store.write(
            {
                "woo_tax_round_at_subtotal": round_at_subtotal,
                "woo_tax_rounding_read_at": fields.Datetime.now(),
            }
        )
        differs = self._difference(store)
        return {
            "store": store.key,
            "store_rounding": ODOO_METHOD[round_at_subtotal],
            "odoo_rounding": store.company_id.tax_calculation_rounding_method,
            "agree": not differs,
            "message": differs or self._agreement(store),
        }

    @api.model
    def _difference(self, store) -> str:
        """What differs between the store's tax rounding and Odoo's, or "" when they agree or
        the store's is not known yet."""
        if not store.woo_tax_rounding_read_at:
            return ""
        odoo = store.company_id.tax_calculation_rounding_method  # the store's company's
        if odoo == ODOO_METHOD[store.woo_tax_round_at_subtotal]:
            return ""
        return _(
            "WooCommerce (%(store)s) rounds tax %(woo)s, Odoo %(odoo)s: the VAT of an order can "
            "differ by a cent per rate (the invoice then takes WooCommerce's). Settings › "
            "Integration › Tax rounding makes Odoo round like the store.",
            store=store.key,
            woo=self._said(store.woo_tax_round_at_subtotal),
            odoo=self._said(odoo == "round_globally"),
        )

    @api.model
    def _agreement(self, store) -> str:
        return _(
            "WooCommerce (%(store)s) and Odoo both round tax %(how)s.",
            store=store.key,
            how=self._said(store.woo_tax_round_at_subtotal),
        )

    @api.model
    def _said(self, at_subtotal: bool) -> str:
        return _("at the subtotal") if at_subtotal else _("per line")

    @api.model
    def _difference_of_order(self, order) -> str:
        """_difference for the store of a WooCommerce sale order."""
        if not order.woo_store:
            return ""
        store = (
            self.env["integration.store"]
            .sudo()
            .with_context(active_test=False)
            .search([("key", "=", order.woo_store)], limit=1)
        )
        return self._difference(store) if store else ""

    @api.model
    def _align(self, store) -> None:
        """The store's company rounds tax as `store` does."""
        if store.woo_tax_rounding_read_at:
            method = ODOO_METHOD[store.woo_tax_round_at_subtotal]
            store.company_id.with_env(self.env).tax_calculation_rounding_method = method
