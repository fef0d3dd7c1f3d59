from odoo import api, fields, models


class IntegrationStoreCompany(models.AbstractModel):
    """A record of one store (its `store` key): it is the store's company's, and only that
    company's users see it (security/integration_rules.xml)."""

    _name = "integration.store.company"
    _description = "A store's record, in the store's company"

    company_id = fields.Many2one(
        "res.company",
        string="Company",
        compute="_compute_company_id",
        store=True,
        precompute=True,
        index=True,
        readonly=True,
        help="The company of the record's store (Integration › Configuration › Stores).",
    )

    @api.depends("store")
    def _compute_company_id(self):
        stores = self.env["integration.store"]
        company_of = {key: stores._company_of(key) for key in set(self.mapped("store"))}
        for record in self:
            record.company_id = company_of[record.store]
