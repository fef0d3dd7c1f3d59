from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..envelope import store_key
from .integration_woo_payment import INVOICE_POLICIES

PREFIX = "elitaco_integration."
UNKNOWN_SKU_POLICIES = [("create", "Create the product"), ("fail", "Fail, naming the SKU and line")]
CUSTOMER_MATCHES = [
    ("woo", "Only contacts the integration made"),
    ("email", "Any contact without a login, by e-mail (unless several share it)"),
]
PRODUCT_MASTERS = [
    ("odoo", "Odoo (WooCommerce products are only bound by SKU)"),
    ("woo", "WooCommerce (products are created and updated from it)"),
]
DEFAULT_RETENTION_DAYS = 90
# A store's settings and the system parameter each was kept in when Odoo had one store (Settings
# › Integration). Scripts that set the parameter still set the default store's value.
STORE_PARAMETERS = {
    "warehouse_id": PREFIX + "warehouse_id",
    "team_id": PREFIX + "team_id",
    "salesperson_id": PREFIX + "salesperson_id",
    "pricelist_id": PREFIX + "pricelist_id",
    "invoice_policy": PREFIX + "invoice_policy",
    "gateway_refunds": PREFIX + "gateway_refunds",
    "payment_journal_id": PREFIX + "payment_journal_id",
    "product_master": PREFIX + "product_master",
    "unknown_sku": PREFIX + "unknown_sku",
    "customer_match": PREFIX + "customer_match",
    "payload_retention_days": PREFIX + "payload_retention_days",
}


class IntegrationStore(models.Model):
    """What Settings › Integration held for the one store there was: each store's own."""

    _inherit = "integration.store"
    _check_company_auto = True

    warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Warehouse",
        check_company=True,
        help="Of the store's orders, and whose stock the store is told.",
    )
    team_id = fields.Many2one("crm.team", string="Sales team", check_company=True)
    salesperson_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain=[("share", "=", False)],
        check_company=True,
        help="Of new orders whose customer has no salesperson of their own. Empty: none (the "
        "workers' user is nobody's salesperson).",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Pricelist",
        check_company=True,
        help="Of the store's orders in its currency, and where WooCommerce's sale prices and "
        "variation prices become rules.",
    )
    pricelist_ids = fields.Many2many(
        "product.pricelist",
        "integration_store_pricelist_rel",
        "store_id",
        "pricelist_id",
        string="Pricelists of other currencies",
        check_company=True,
        help="One per currency the store also sells in: an order in that currency takes it "
        "(a currency's value map comes first).",
    )
    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        string="Invoices and payments",
        required=True,
        default="none",
        help="For the payment methods without their own policy (Integration › Configuration › "
        "Value maps › Payment methods).",
    )
    gateway_refunds = fields.Boolean(
        string="Pay refunds back through the WooCommerce gateway",
        help="A credit note posted in Odoo for a WooCommerce order becomes a refund in "
        "WooCommerce; with this, WooCommerce also asks the payment gateway to pay it back "
        "(api_refund). Without, the money goes back by hand.",
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Default payment journal",
        domain=[("type", "in", ("bank", "cash"))],
        check_company=True,
    )
    product_master = fields.Selection(
        PRODUCT_MASTERS, string="Master of product data", required=True, default="odoo"
    )
    unknown_sku = fields.Selection(
        UNKNOWN_SKU_POLICIES,
        string="Unknown SKU",
        required=True,
        default="create",
        help="When an order line's product is neither bound nor found by SKU.",
    )
    customer_match = fields.Selection(
        CUSTOMER_MATCHES,
        string="Customer matching",
        required=True,
        default="woo",
        help="Which Odoo contact a WooCommerce customer not bound yet becomes. WooCommerce does "
        "not verify e-mails: match any contact only when Odoo has the shop's customers already "
        "(a first sync), since a matched contact's address is updated from WooCommerce.",
    )
    payload_retention_days = fields.Integer(
        string="Keep event payloads (days)",
        default=DEFAULT_RETENTION_DAYS,
        help="The envelopes of finished events (customers' e-mails, addresses, IP addresses) "
        "are emptied after this many days; failed and dead events keep theirs for a replay.",
    )

    @api.model
    def _for_key(self, key: str | None) -> "IntegrationStore":
        """The store whose settings apply to what came from, or goes to, store `key` (the
        `store` of an event, binding or outbox row): that store, else the default one (the
        store in Settings). Until Settings names a store, or while Odoo has no record of it
        yet, a store in memory with what the system parameters say (Odoo before stores)."""
        if self.env["integration.event"]._default_store():
            store = self._by_key(key)
            if store:
                return store
        return self.new(self._settings_from_parameters(self.env.company))

    @api.model
    def _settings_from_parameters(self, company) -> dict:
        """The settings the system parameters hold, as values of a store of `company` (records
        of another company left out)."""
        params = self.env["ir.config_parameter"].sudo()
        values = {}
        for name, param in STORE_PARAMETERS.items():
            value = params.get_param(param)
            field = self._fields[name]
            if value in (None, False, ""):
                continue
            if field.type == "many2one":
                record = self.env[field.comodel_name].sudo().browse(_number(value)).exists()
                if record and _fits_company(record, company):
                    values[name] = record.id
            elif field.type == "selection":
                if value in dict(field._description_selection(self.env)):
                    values[name] = value
            elif field.type == "integer":
                if _number(value):
                    values[name] = _number(value)
            else:
                values[name] = value not in ("0", "False", "false")
        return values

    @api.model_create_multi
    def create(self, vals_list):
        """The store in Settings starts with what the parameters say (its settings before it
        was a record), unless told otherwise."""
        default = self.env["integration.event"]._default_store()
        for vals in vals_list:
            if default and store_key(vals.get("url")) == default:
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals.update(self._settings_from_parameters(company) | vals)
        return super().create(vals_list)

    @api.constrains("invoice_policy", "payment_journal_id", "company_id")
    def _check_payments(self):
        if self.env.context.get("elitaco_from_parameter"):
            return  # one of several parameters a script sets: they were never checked together
        for store in self:
            store._check_payment_settings(store.invoice_policy, store.payment_journal_id)

    @api.constrains("pricelist_id", "pricelist_ids")
    def _check_pricelists(self):
        for store in self:
            currencies = (store.pricelist_id | store.pricelist_ids).currency_id
            if len(currencies) < len(store.pricelist_id | store.pricelist_ids):
                raise ValidationError(
                    _(
                        "Store %s has several pricelists in one currency: keep one per currency "
                        "(its pricelist, then one for each other currency it sells in).",
                        store.name,
                    )
                )

    def _check_payment_settings(self, policy: str, journal) -> None:
        """Refuse what cannot work: invoices paid by a method with no journal to register the
        payment in (every such order would fail), saying what to set."""
        if journal:
            return
        default = policy or "none"
        methods = self.env["integration.value.map"].search(
            [("kind", "=", "payment_method"), ("store_id", "in", (False, *self.ids))]
        )
        stranded = methods.filtered(
            lambda method: (
                (method.invoice_policy or default) == "paid" and not method.payment_journal_id
            )
        )
        if stranded:
            names = ", ".join(stranded.mapped("display_name"))
            raise ValidationError(
                _(
                    "These payment methods invoice and register payments but have no journal "
                    "to register them in: %(methods)s. Set a Default payment journal (Settings › "
                    "Integration › Invoices and payments), or give each a Payment journal under "
                    "Integration › Configuration › Value maps › Payment methods.",
                    methods=names,
                )
            )
        if default == "paid" and not methods:
            raise ValidationError(
                _(
                    "Invoice and register the payment needs a journal to register the payments "
                    "in: set a Default payment journal (no payment method has a journal of its "
                    "own yet)."
                )
            )

    @api.model
    def _follow_parameter(self, name: str) -> None:
        """A script set the system parameter of setting `name`: the default store takes it."""
        default = self.env["integration.event"]._default_store()
        stores = self.sudo().with_context(active_test=False, elitaco_from_parameter=True)
        store = stores.search([("key", "=", default)], limit=1) if default else stores
        if not store:
            return
        field = self._fields[name]
        value = store._settings_from_parameters(store.company_id).get(name)
        if value is None:
            value = field.default(store) if field.default else False
        store.write({name: value})

    def _pricelist_in(self, currency):
        """The store's pricelist of `currency`, or none."""
        self.ensure_one()
        pricelists = self.pricelist_id | self.pricelist_ids
        return pricelists.filtered(lambda pricelist: pricelist.currency_id == currency)[:1]

    @api.model
    def _product_masters(self) -> set[str]:
        """Who is master of product data in the stores Odoo pushes to (odoo, woo, or both)."""
        masters = {self._for_key(None).product_master}
        if self.env["integration.event"]._default_store():
            masters |= set(self.sudo().search([]).mapped("product_master"))
        return masters

    @api.model
    def _odoo_master_stores(self, keys) -> set[str]:
        """Those of the store `keys` where Odoo is master of product data."""
        return {key for key in keys if self._for_key(key).product_master == "odoo"}


def _number(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _fits_company(record, company) -> bool:
    return bool(record.filtered_domain(record._check_company_domain(company)))
