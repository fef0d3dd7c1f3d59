from odoo import _, api, models

from ..tools import text
from .integration_woo_customer import ADDRESS_FIELDS

VAT_KEYS_PARAM = "elitaco_integration.vat_meta_keys"
# The order (or customer) meta where the common EU VAT plugins keep the buyer's VAT number:
# WooCommerce EU VAT Number and EU VAT Assistant (vat_number, _vat_number), EU VAT Compliance
# (vat_number), Germanized (_billing_vat_id, _shipping_vat_id is the recipient's), and
# the billing field plugins' billing_vat / _billing_vat.
DEFAULT_VAT_KEYS = "_billing_vat_id,vat_number,_vat_number,_billing_vat,billing_vat,_billing_eu_vat"


class IntegrationWooBusiness(models.AbstractModel):
    """A customer who buys for a company: the company as a contact of its own, with its VAT
    number, and the person under it (Odoo's B2B shape: invoices, fiscal positions and the
    VAT check all read the company, the commercial partner)."""

    _name = "integration.woo.business"
    _description = "WooCommerce business customers: the company and its VAT number"

    @api.model
    def _attach_company(self, person, billing: dict, meta_data, warnings: list[str]):
        """Put `person` under the company its billing address names, made or found; the VAT
        number from the meta goes on the company. Returns the company, or an empty recordset
        when the billing address names none."""
        name = text(billing.get("company"))
        if not name or person.is_company or (person.parent_id and not person.parent_id.is_company):
            return self.env["res.partner"]
        vat = self._vat(meta_data)
        company = person.parent_id
        if not company:
            company = self._find_company(name, vat) or self._new_company(person, name)
            person.write({"parent_id": company.id, "company_name": False})
        if vat and company.vat != vat:
            self._set_vat(company, vat, warnings)
        return company

    @api.model
    def _vat(self, meta_data) -> str:
        keys = self.env["ir.config_parameter"].sudo().get_param(VAT_KEYS_PARAM, DEFAULT_VAT_KEYS)
        wanted = [key.strip() for key in keys.split(",") if key.strip()]
        found = {
            item.get("key"): item.get("value")
            for item in meta_data or []
            if isinstance(item, dict) and isinstance(item.get("value"), str)
        }
        for key in wanted:
            value = "".join((found.get(key) or "").split()).upper()
            if value:
                return value
        return ""

    @api.model
    def _find_company(self, name: str, vat: str):
        """By VAT number, else by name among the companies the integration made; of the
        store's company or of none."""
        partners = self.env["res.partner"]
        ours = [("is_company", "=", True), ("company_id", "in", [False, self.env.company.id])]
        if vat:
            company = partners.search([*ours, ("vat", "=", vat)], limit=1)
            if company:
                return company
        return partners.search(
            [*ours, ("woo_customer", "=", True), ("name", "=ilike", name)], limit=1
        )

    @api.model
    def _new_company(self, person, name: str):
        address = person._convert_to_write({field: person[field] for field in ADDRESS_FIELDS})
        return (
            self.env["res.partner"]
            .with_context(mail_create_nosubscribe=True)
            .create(
                address
                | {
                    "name": name,
                    "is_company": True,
                    "woo_customer": True,
                    "company_id": self.env.company.id,  # the store's (see integration.event)
                }
            )
            .with_env(self.env)
        )

    @api.model
    def _set_vat(self, company, vat: str, warnings: list[str]) -> None:
        """The VAT number on the company, checked by Odoo's VAT validation when `base_vat` is
        installed: one it refuses is named in a warning with base_vat's reason and not set
        (its constraint would refuse the write, and the order must still be applied)."""
        # account's own test takes any number; base_vat's says False for an invalid one.
        if company._run_vat_test(vat, company.country_id, partner_is_company=True) is False:
            country = company.country_id.code and company.country_id.code.lower()
            label = _("partner [%s]", company.name)
            reason = company._build_vat_error_message(country or None, vat, label)
            warnings.append(
                _(
                    "VAT number %(vat)s not set on %(company)s: Odoo's VAT check refused it "
                    "(%(reason)s). Correct it there if the customer gave another.",
                    vat=vat,
                    company=company.display_name,
                    reason=" ".join(reason.split()),
                )
            )
            return
        company.vat = vat
