from odoo import Command, _, api, fields, models

from ..envelope import store_key
from .integration_store_settings import (
    CUSTOMER_MATCHES,
    DEFAULT_RETENTION_DAYS,
    PREFIX,
    PRODUCT_MASTERS,
    STORE_PARAMETERS,
    UNKNOWN_SKU_POLICIES,
)
from .integration_woo_business import DEFAULT_VAT_KEYS, VAT_KEYS_PARAM
from .integration_woo_payment import INVOICE_POLICIES

# The settings of the store in Settings (the default store): each field is a store's setting.
STORE_SETTINGS = {f"elitaco_{name}": name for name in STORE_PARAMETERS}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    elitaco_store_url = fields.Char(
        string="WooCommerce store URL",
        config_parameter=PREFIX + "store_url",
        help="e.g. https://shop.example.com, as WOO_STORE_URL of the relay and the workers: "
        "orders and bindings are kept per store. The REST keys are the workers' "
        "(WOO_CONSUMER_KEY, WOO_CONSUMER_SECRET), never stored in Odoo.",
    )
    # The store in Settings, whose settings the fields below are (saved on it, and as the
    # system parameters they were before Odoo had several stores).
    elitaco_store_id = fields.Many2one(
        "integration.store", string="Default store", compute="_compute_elitaco_store"
    )
    elitaco_store_company_id = fields.Many2one("res.company", compute="_compute_elitaco_store")
    elitaco_store_count = fields.Integer(compute="_compute_elitaco_store")
    elitaco_warehouse_id = fields.Many2one(
        "stock.warehouse",
        string="Default warehouse",
        domain="[('company_id', '=', elitaco_store_company_id)]",
        config_parameter=PREFIX + "warehouse_id",
    )
    elitaco_team_id = fields.Many2one(
        "crm.team",
        string="Sales team",
        domain="[('company_id', 'in', (False, elitaco_store_company_id))]",
        config_parameter=PREFIX + "team_id",
    )
    elitaco_salesperson_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False), ('company_ids', 'in', elitaco_store_company_id)]",
        config_parameter=PREFIX + "salesperson_id",
        help="Of new WooCommerce orders whose customer has no salesperson of their own. Empty: "
        "none (the workers' user is nobody's salesperson).",
    )
    elitaco_pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Default pricelist",
        domain="[('company_id', 'in', (False, elitaco_store_company_id))]",
        config_parameter=PREFIX + "pricelist_id",
    )
    elitaco_pricelist_ids = fields.Many2many(
        "product.pricelist",
        string="Pricelists of other currencies",
        domain="[('company_id', 'in', (False, elitaco_store_company_id))]",
        help="One per currency the store also sells in: an order in that currency takes it.",
    )
    elitaco_unknown_sku = fields.Selection(
        UNKNOWN_SKU_POLICIES,
        string="Unknown SKU",
        default="create",
        config_parameter=PREFIX + "unknown_sku",
    )
    elitaco_customer_match = fields.Selection(
        CUSTOMER_MATCHES,
        string="Customer matching",
        default="woo",
        config_parameter=PREFIX + "customer_match",
        help="Which Odoo contact a WooCommerce customer not bound yet becomes. WooCommerce does "
        "not verify e-mails: match any contact only when Odoo has the shop's customers already "
        "(a first sync), since a matched contact's address is updated from WooCommerce. Never "
        "matched: a user's contact (archived users' too), a vendor, and a contact person of a "
        "company that is not a WooCommerce customer.",
    )
    elitaco_vat_meta_keys = fields.Char(
        string="VAT number keys",
        default=DEFAULT_VAT_KEYS,
        config_parameter=VAT_KEYS_PARAM,
        help="The order and customer meta keys where the store's VAT plugin keeps the buyer's "
        "VAT number, comma separated, the first one found wins. It goes on the company contact "
        "made for the billing address's company (checked by Odoo when base_vat is installed).",
    )
    elitaco_product_master = fields.Selection(
        PRODUCT_MASTERS,
        string="Master of product data",
        default="odoo",
        config_parameter=PREFIX + "product_master",
    )
    elitaco_weight_unit = fields.Selection(
        [("kg", "kg"), ("g", "g"), ("lbs", "lbs"), ("oz", "oz")],
        string="WooCommerce weight unit",
        default="kg",
        config_parameter=PREFIX + "weight_unit",
        help="WooCommerce › Settings › Products › Weight unit: the unit of its products' weight.",
    )
    elitaco_dimension_unit = fields.Selection(
        [("m", "m"), ("cm", "cm"), ("mm", "mm"), ("in", "in"), ("yd", "yd")],
        string="WooCommerce dimensions unit",
        default="cm",
        config_parameter=PREFIX + "dimension_unit",
        help="WooCommerce › Settings › Products › Dimensions unit: Odoo keeps a product's volume "
        "(length × width × height).",
    )
    elitaco_invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        string="Invoices and payments",
        default="none",
        config_parameter=PREFIX + "invoice_policy",
        help="For the payment methods without their own policy (Integration › Configuration › "
        "Value maps › Payment methods).",
    )
    elitaco_gateway_refunds = fields.Boolean(
        string="Pay refunds back through the WooCommerce gateway",
        help="A credit note posted in Odoo for a WooCommerce order becomes a refund in "
        "WooCommerce; with this, WooCommerce also asks the payment gateway to pay it back "
        "(api_refund). Without, the money goes back by hand.",
        config_parameter=PREFIX + "gateway_refunds",
    )
    elitaco_payment_journal_id = fields.Many2one(
        "account.journal",
        string="Default payment journal",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', elitaco_store_company_id)]",
        config_parameter=PREFIX + "payment_journal_id",
    )
    elitaco_payload_retention_days = fields.Integer(
        string="Keep event payloads (days)",
        default=DEFAULT_RETENTION_DAYS,
        config_parameter=PREFIX + "payload_retention_days",
        help="The envelopes of finished events (customers' e-mails, addresses, IP addresses) "
        "are emptied after this many days; failed and dead events keep theirs for a replay.",
    )
    elitaco_confirm_statuses = fields.Char(
        string="Statuses that confirm an order", compute="_compute_elitaco_confirm_statuses"
    )
    # What Odoo knows of the sync's health (the workers' own state is in the RQ dashboard).
    elitaco_last_event_at = fields.Datetime(
        string="Last event received", compute="_compute_elitaco_health"
    )
    elitaco_backlog_count = fields.Integer(
        string="Events not finished", compute="_compute_elitaco_health"
    )
    elitaco_dead_count = fields.Integer(string="Dead letters", compute="_compute_elitaco_health")
    elitaco_api_key_expiry = fields.Datetime(
        string="Workers' API key expires", compute="_compute_elitaco_health"
    )
    elitaco_not_mapped_count = fields.Integer(
        string="Codes not mapped", compute="_compute_elitaco_health"
    )

    elitaco_tax_rounding = fields.Char(
        string="Tax rounding", compute="_compute_elitaco_tax_rounding"
    )
    elitaco_tax_rounding_differs = fields.Boolean(compute="_compute_elitaco_tax_rounding")

    @api.depends("company_id")
    def _compute_elitaco_confirm_statuses(self):
        maps = self.env["integration.value.map"].search(
            [("kind", "=", "order_status"), ("order_action", "=", "confirm")]
        )
        for settings in self:
            settings.elitaco_confirm_statuses = (
                ", ".join(value_map.woo_title or value_map.woo_value for value_map in maps) or "-"
            )

    @api.depends("company_id")
    def _compute_elitaco_health(self):
        events = self.env["integration.event"].sudo()
        last = events.search([], order="received_at desc", limit=1).received_at
        counts = dict(events._read_group([("state", "!=", False)], ["state"], ["__count"]))
        not_mapped = self.env["integration.value.map"].search_count([("state", "=", "not_mapped")])
        for settings in self:
            settings.elitaco_last_event_at = last
            settings.elitaco_backlog_count = sum(
                counts.get(state, 0) for state in ("received", "processing", "failed")
            )
            settings.elitaco_dead_count = counts.get("dead", 0)
            settings.elitaco_api_key_expiry = self._elitaco_api_key_expiry()
            settings.elitaco_not_mapped_count = not_mapped

    @api.model
    def _elitaco_api_key_expiry(self):
        """When the first API key of the workers' user (an Integration User who is not a
        manager) stops working; None when it has no key or its keys never expire."""
        workers = self.env.ref("elitaco_integration.group_integration_user").sudo().users
        managers = self.env.ref("elitaco_integration.group_integration_manager").sudo().users
        keys = (
            self.env["res.users.apikeys"]
            .sudo()
            .search(
                [
                    ("user_id", "in", (workers - managers).filtered("active").ids),
                    ("expiration_date", "!=", False),
                ],
                order="expiration_date",
                limit=1,
            )
        )
        return keys.expiration_date or False

    @api.depends("elitaco_store_url")
    def _compute_elitaco_store(self):
        count = self.env["integration.store"].sudo().search_count([])
        for settings in self:
            store = settings._elitaco_store()
            settings.elitaco_store_id = store
            settings.elitaco_store_company_id = store.company_id or self.env.company
            settings.elitaco_store_count = count

    @api.model
    def get_values(self):
        """The default store's settings, as saved on it (its form may have changed them)."""
        values = super().get_values()
        url = self.env["ir.config_parameter"].sudo().get_param(PREFIX + "store_url")
        store = self._elitaco_store(url or "")
        for field, name in STORE_SETTINGS.items():
            if store:
                values[field] = store[name].id if store._fields[name].relational else store[name]
        values["elitaco_pricelist_ids"] = [Command.set(store.pricelist_ids.ids)]
        return values

    def set_values(self):
        store = self._elitaco_store()
        store._check_payment_settings(self.elitaco_invoice_policy, self.elitaco_payment_journal_id)
        # Saved on the store below: not on the store of the URL before, when it changes.
        super(ResConfigSettings, self.with_context(elitaco_settings_save=True)).set_values()
        # The store in Settings is one of the stores products can be sold in.
        store = self.env["integration.store"].sudo()._ensure(self.elitaco_store_url)
        if store:
            values = {name: self[field] for field, name in STORE_SETTINGS.items()}
            store.write(values | {"pricelist_ids": [Command.set(self.elitaco_pricelist_ids.ids)]})

    @api.model
    def _elitaco_default(self, name: str):
        """The default store's warehouse / team / salesperson / pricelist (the store in
        Settings), or an empty recordset."""
        return self.env["integration.store"]._for_key(None)[f"{name}_id"]

    @api.depends("company_id", "elitaco_store_url")
    def _compute_elitaco_tax_rounding(self):
        """The store's tax rounding, as the workers last read it, against the company's."""
        rounding = self.env["integration.woo.tax.rounding"]
        for settings in self:
            store = settings._elitaco_store()
            differs = rounding._difference(store) if store else ""
            settings.elitaco_tax_rounding_differs = bool(differs)
            if differs:
                settings.elitaco_tax_rounding = differs
            elif store.woo_tax_rounding_read_at:
                settings.elitaco_tax_rounding = rounding._agreement(store)
            else:
                settings.elitaco_tax_rounding = _(
                    "Not read from the store yet: the workers read it every hour, or run "
                    "`python -m relay tax-rounding`."
                )

    def _elitaco_store(self, url: str | None = None):
        """The store of the URL in Settings (saved or being edited), or none."""
        stores = self.env["integration.store"].sudo().with_context(active_test=False)
        key = store_key(url if url is not None else self.elitaco_store_url)
        return stores.search([("key", "=", key)], limit=1) if key else stores

    def action_elitaco_align_tax_rounding(self):
        """Odoo's company rounds tax as the store in Settings does."""
        self.ensure_one()
        self.env["integration.woo.tax.rounding"]._align(self._elitaco_store())
        return {"type": "ir.actions.client", "tag": "reload"}
