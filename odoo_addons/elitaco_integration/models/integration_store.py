from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

from ..envelope import store_key


class IntegrationStore(models.Model):
    """A WooCommerce store products can be sold in. The workers of each store (WOO_STORE_URL)
    push what is queued for it; the store in Settings is the default one."""

    _name = "integration.store"
    _description = "WooCommerce store"
    _order = "name"

    name = fields.Char(required=True)
    url = fields.Char(
        string="Store URL",
        required=True,
        help="The store's address, as WOO_STORE_URL of its relay and workers.",
    )
    key = fields.Char(
        compute="_compute_key",
        store=True,
        index=True,
        help="The store's name in bindings, orders and the outbox: its address without scheme, "
        "www. or the default port.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company the store sells for: its orders, customers, invoices and payments are "
        "this company's, and only this company's users see its events.",
    )
    active = fields.Boolean(default=True)
    is_default = fields.Boolean(
        string="Default store", compute="_compute_is_default", help="The store in Settings."
    )
    product_count = fields.Integer(string="Products", compute="_compute_product_count")
    # The workers read it from the store (integration.woo.tax.rounding).
    woo_tax_round_at_subtotal = fields.Boolean(
        string="Rounds tax at subtotal",
        readonly=True,
        help="WooCommerce › Settings › Tax › Rounding: tax rounded at the subtotal, not per line "
        "(Odoo's Round Globally), as the workers last read it.",
    )
    woo_tax_rounding_read_at = fields.Datetime(string="Tax rounding read", readonly=True)

    _sql_constraints = [("key_uniq", "unique(key)", "This store is here already.")]

    @api.depends("url")
    def _compute_key(self):
        for store in self:
            store.key = store_key(store.url)

    def _compute_is_default(self):
        default = self.env["integration.event"]._default_store()
        for store in self:
            store.is_default = bool(default) and store.key == default

    def _compute_product_count(self):
        counts = {
            store.id: count
            for store, count in self.env["product.template"]._read_group(
                [("woo_store_ids", "in", self.ids)], ["woo_store_ids"], ["__count"]
            )
        }
        for store in self:
            store.product_count = counts.get(store.id, 0)

    @api.constrains("url")
    def _check_url(self):
        for store in self:
            if not store.key:
                raise ValidationError(_("%s is not a store's address.", store.url))

    @api.model_create_multi
    def create(self, vals_list):
        stores = super().create(vals_list)
        self.env.registry.clear_cache()  # _id_of_key
        self.env["integration.value.map"]._give_order_statuses(stores.company_id)
        return stores

    def write(self, vals):
        result = super().write(vals)
        if {"url", "key", "company_id"} & set(vals):
            self.env.registry.clear_cache()  # _id_of_key, _company_id_of
        if "company_id" in vals:
            self.env["integration.value.map"]._give_order_statuses(self.company_id)
        return result

    def unlink(self):
        self.env.registry.clear_cache()  # _id_of_key
        return super().unlink()

    @api.model
    def _ensure(self, url: str | None) -> "IntegrationStore":
        """The store of `url`, made when Odoo does not know it yet (archived ones included)."""
        key = store_key(url)
        if not key:
            return self.browse()
        store = self.with_context(active_test=False).search([("key", "=", key)], limit=1)
        return store or self.create({"name": key, "url": url.strip().rstrip("/")})

    @api.model
    def _by_key(self, key: str | None) -> "IntegrationStore":
        """The store of `key` (archived ones included), else the default store (Settings),
        else none."""
        store_id = self._id_of_key(key) if key else 0
        if not store_id:
            default = self.env["integration.event"]._default_store()
            store_id = self._id_of_key(default) if default else 0
        return self.browse(store_id)

    @api.model
    @tools.ormcache("key")
    def _id_of_key(self, key: str) -> int:
        """The id of the store of `key`, archived ones included; 0 for none. Each event asks
        several times (its settings, value maps, company), and stores change seldom: the
        answer is kept (per Odoo process, until a store is created, changed or deleted)."""
        stores = self.sudo().with_context(active_test=False)
        return stores.search([("key", "=", key)], limit=1).id

    @api.model
    @tools.ormcache("store_id")
    def _company_id_of(self, store_id: int) -> int:
        return self.sudo().browse(store_id).company_id.id

    @api.model
    def _company_of(self, key: str | None):
        """The company whose records a row of store `key` is: its store's, else (a store Odoo
        does not know, and no default store) the current one."""
        store = self._by_key(key)
        company_id = self._company_id_of(store.id) if store else False
        return self.env["res.company"].sudo().browse(company_id) or self.env.company

    @api.model
    def _worker_company_refusal(self, key: str | None) -> str:
        """Why the workers' user may not work for store `key` (its company is not among the
        user's Allowed companies), in words; "" when it may."""
        if self.env.su:
            return ""
        store = self._by_key(key).sudo()
        # Each event asks: both answers are kept (Odoo clears them when they change).
        if not store or self._company_id_of(store.id) in self.env.user._get_company_ids():
            return ""
        return _(
            "The Integration User %(login)s is not allowed in company %(company)s of store "
            "%(store)s: add %(company)s to the user's Allowed companies (Settings › Users).",
            login=self.env.user.login,
            company=store.company_id.name,
            store=store.key,
        )

    @api.model
    def _check_worker_company(self, key: str | None) -> None:
        """Refuse the workers' call for a store whose company their user lacks, before
        anything is written (an error of the call: the job fails and says so)."""
        refusal = self._worker_company_refusal(key)
        if refusal:
            raise AccessError(refusal)

    def action_open_products(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "product.product_template_action_all"
        )
        action["domain"] = [("woo_store_ids", "in", self.ids)]
        action["context"] = {"default_woo_store_ids": self.ids, "default_woo_publish": True}
        return action
