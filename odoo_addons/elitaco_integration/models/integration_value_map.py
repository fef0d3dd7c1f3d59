import logging

from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .integration_event import ORDER_EVENTS
from .integration_woo_payment import INVOICE_POLICIES

_logger = logging.getLogger(__name__)

KINDS = [
    ("order_status", "Order status"),
    ("payment_method", "Payment method"),
    ("shipping_method", "Shipping method"),
    ("tax_rate", "Tax rate"),
    ("currency", "Currency"),
]
ORDER_ACTIONS = [
    ("confirm", "Confirm the order"),
    ("cancel", "Cancel the order"),
    ("quotation", "Keep as quotation"),
    ("ignore", "Ignore the order"),
]
STATES = [("not_mapped", "Not mapped"), ("mapped", "Mapped")]
# What a row of each kind maps to: set, the row is mapped.
TARGET_FIELDS = {
    "order_status": ("order_action",),
    "payment_method": ("journal_id", "payment_journal_id", "invoice_policy", "payment_term_id"),
    "shipping_method": ("delivery_product_id",),
    "tax_rate": ("tax_id",),
    "currency": ("pricelist_id",),
}
ALL_TARGET_FIELDS = sorted({name for names in TARGET_FIELDS.values() for name in names})
# WooCommerce's own names of its core order statuses (order payloads carry only the code).
STATUS_TITLES = {
    "pending": "Pending payment",
    "on-hold": "On hold",
    "processing": "Processing",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
    "failed": "Failed",
    "checkout-draft": "Draft",
}
# The events scanned for codes: only those of a while ago count as scanned (a transaction
# still open may hold an event of a lower id than the highest one committed).
SCANNED_PARAM = "elitaco_integration.value_map_scanned_event_id"
SCANNED_UP_TO = """
    SELECT max(id) FROM integration_event
     WHERE create_date < now() at time zone 'UTC' - interval '1 hour'
"""
# (kind, code, title, rate percent) of each code in the stored order envelopes, the title
# the store sent last.
CODES_SENT = """
    WITH events AS (
        SELECT id, payload->'data' AS data FROM integration_event
         WHERE payload IS NOT NULL AND event_type IN %(types)s AND id > %(after)s
    ), shipping AS (
        SELECT events.id, line FROM events, jsonb_array_elements(
            CASE jsonb_typeof(data->'shipping_lines') WHEN 'array'
                 THEN data->'shipping_lines' ELSE '[]'::jsonb END) AS line
    ), taxes AS (
        SELECT events.id, line FROM events, jsonb_array_elements(
            CASE jsonb_typeof(data->'tax_lines') WHEN 'array'
                 THEN data->'tax_lines' ELSE '[]'::jsonb END) AS line
    ), codes AS (
        SELECT 'order_status' AS kind, data->>'status' AS code, NULL AS title,
               NULL AS percent, id FROM events
        UNION ALL
        SELECT 'currency', data->>'currency', NULL, NULL, id FROM events
        UNION ALL
        SELECT 'payment_method', data->>'payment_method', data->>'payment_method_title',
               NULL, id FROM events
        UNION ALL
        SELECT 'shipping_method', line->>'method_id', line->>'method_title', NULL, id
          FROM shipping
        UNION ALL
        SELECT 'tax_rate', line->>'rate_id', line->>'label', line->>'rate_percent', id
          FROM taxes
    )
    SELECT DISTINCT ON (kind, code) kind, code, title, percent FROM codes
     WHERE coalesce(code, '') != ''
     ORDER BY kind, code, id DESC
"""


class IntegrationValueMap(models.Model):
    """What a WooCommerce value means in Odoo: editable by Integration Managers. The codes the
    store sent are listed by themselves, not mapped until someone says what they mean."""

    _name = "integration.value.map"
    _inherit = ["mail.thread", "mail.activity.mixin"]  # the To-Do of orders waiting for a rate
    _description = "WooCommerce value map"
    _order = "kind, state desc, woo_value"
    _rec_name = "woo_value"

    kind = fields.Selection(KINDS, required=True, index=True)
    woo_value = fields.Char(
        string="WooCommerce code",
        required=True,
        help="Order status (processing), payment method id (stripe), shipping method id "
        "(flat_rate), tax rate id (1) or currency code (EUR).",
    )
    woo_title = fields.Char(
        string="WooCommerce name",
        help="What the store calls it (its title in the orders it sent): Cash on delivery for cod.",
    )
    state = fields.Selection(
        STATES,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        help="Not mapped: the store sent it, nobody has said yet what it means in Odoo; the "
        "defaults apply until then.",
    )
    target_name = fields.Char(
        string="In Odoo", compute="_compute_target_name", help="What the value means in Odoo."
    )
    order_action = fields.Selection(ORDER_ACTIONS, string="What Odoo does")
    journal_id = fields.Many2one(
        "account.journal",
        string="Invoicing journal",
        domain=[("type", "=", "sale")],
        check_company=True,
    )
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Payment journal",
        domain=[("type", "in", ("bank", "cash"))],
        check_company=True,
        help="Where the payments of this method are registered (Settings' default otherwise).",
    )
    payment_method_line_id = fields.Many2one(
        "account.payment.method.line",
        string="Payment method line",
        domain="[('journal_id', '=', payment_journal_id), ('payment_type', '=', 'inbound')]",
        help="How the payments come in through the payment journal (its first incoming method "
        "otherwise), e.g. the card provider's.",
    )
    invoice_policy = fields.Selection(
        INVOICE_POLICIES,
        string="Invoices and payments",
        help="Empty: the default in Settings > Integration.",
    )
    payment_term_id = fields.Many2one("account.payment.term", check_company=True)
    delivery_product_id = fields.Many2one("product.product", string="Delivery product")
    tax_id = fields.Many2one(
        "account.tax", string="Tax", domain=[("type_tax_use", "=", "sale")], check_company=True
    )
    pricelist_id = fields.Many2one("product.pricelist", check_company=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    store_id = fields.Many2one(
        "integration.store",
        string="Store",
        index=True,
        ondelete="cascade",
        check_company=True,
        help="Empty: every store's (the shared map). A store's own row comes before the shared "
        "one of the same code, in that store's orders only.",
    )
    active = fields.Boolean(default=True)

    # One row per code, company and store, the shared row (no store) included (PostgreSQL 15+).
    _sql_constraints = [
        (
            "value_uniq",
            "unique nulls not distinct (kind, woo_value, company_id, store_id)",
            "This WooCommerce value is already mapped (in this store, or for every store).",
        )
    ]

    @api.depends("kind", *ALL_TARGET_FIELDS)
    def _compute_state(self):
        for value_map in self:
            targets = TARGET_FIELDS.get(value_map.kind, ())
            mapped = any(value_map[name] for name in targets)
            value_map.state = "mapped" if mapped else "not_mapped"

    @api.depends("woo_title", "woo_value")
    def _compute_display_name(self):
        for value_map in self:
            title, code = value_map.woo_title, value_map.woo_value
            value_map.display_name = f"{title} ({code})" if title and code else title or code

    @api.depends("kind", *ALL_TARGET_FIELDS)
    def _compute_target_name(self):
        for value_map in self:
            names = []
            for name in TARGET_FIELDS.get(value_map.kind, ()):
                value = value_map[name]
                field = value_map._fields[name]
                if field.type == "selection" and value:
                    names.append(dict(field._description_selection(self.env))[value])
                elif value:
                    names.append(value.display_name)
            value_map.target_name = ", ".join(names)

    @api.constrains("kind", "invoice_policy", "payment_journal_id", "store_id")
    def _check_payment_journal(self):
        """A method invoiced and paid needs a journal to register its payments in."""
        stores = self.env["integration.store"]
        for value_map in self:
            store = value_map.store_id or stores._for_key(None)
            if (
                not store.payment_journal_id
                and value_map.kind == "payment_method"
                and value_map.invoice_policy == "paid"
                and not value_map.payment_journal_id
            ):
                raise ValidationError(
                    _(
                        "Payment method %s registers its payments: give it a Payment journal, "
                        "or set a Default payment journal in Settings > Integration.",
                        value_map.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _lookup_id
        value_maps = super().create(vals_list)
        self.env["integration.tax.map.wait"]._mapped(value_maps)
        return value_maps

    def write(self, vals):
        self.env.registry.clear_cache()
        result = super().write(vals)
        if "tax_id" in vals:
            self.env["integration.tax.map.wait"]._mapped(self)
        return result

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _lookup(self, kind: str, woo_value, store: str | None = None):
        """The mapped row of a WooCommerce value in store `store` (a store key; none: the
        default store): the store's own row, else the shared one (rows not mapped yet count
        as none)."""
        if woo_value in (None, ""):
            return self.browse()
        # The store's id is all it needs, not its settings (_for_key): fewer reads per order.
        default = self.env["integration.event"]._default_store()
        store_id = self.env["integration.store"]._by_key(store).id if default else 0
        return self.browse(self._lookup_id(kind, str(woo_value), self.env.company.id, store_id))

    @api.model
    @tools.ormcache("kind", "woo_value", "company_id", "store_id")
    def _lookup_id(self, kind: str, woo_value: str, company_id: int, store_id: int) -> int | None:
        """Every order reads four to six maps, and they change seldom: the answer is kept
        (per Odoo process, until a map is created, changed or deleted)."""
        value_maps = self.search(
            [
                ("kind", "=", kind),
                ("woo_value", "=", woo_value),
                ("company_id", "=", company_id),
                ("store_id", "in", [store_id or False, False]),
                ("state", "=", "mapped"),
            ],
        )
        return (value_maps.filtered("store_id") or value_maps)[:1].id or None

    @api.model
    def _give_order_statuses(self, companies) -> None:
        """Each of `companies` (those stores sell for) gets the order status maps it lacks, as
        the module made them for the first company: without them a second company's orders
        would all stay quotations."""
        made = (
            self.env["ir.model.data"]
            .sudo()
            .search(
                [
                    ("module", "=", "elitaco_integration"),
                    ("model", "=", self._name),
                    ("name", "=like", "value_map_status_%"),
                ]
            )
        )
        defaults = self.sudo().browse(made.mapped("res_id")).exists()
        rows = self.sudo().with_context(active_test=False)
        for company in companies:
            for default in defaults.filtered(lambda row, c=company: row.company_id != c):
                if not rows.search_count(
                    [
                        ("kind", "=", default.kind),
                        ("woo_value", "=", default.woo_value),
                        ("company_id", "=", company.id),
                        ("store_id", "=", False),
                    ]
                ):
                    default.copy({"company_id": company.id})

    # ------------------------------------------------------------------ codes the store sent

    @api.model
    def _note_code(self, kind: str, code: str, title: str | None = None) -> bool:
        """List a code the store sent (not mapped) unless it is listed already, archived rows
        included; a row without a name gets the store's. True when a row was made. The order
        importer may call it for each code it reads, to list it at once."""
        code = (code or "").strip()
        if not code:
            return False
        title = (title or "").strip() or self._default_title(kind, code)
        existing = self.with_context(active_test=False).search(
            [
                ("kind", "=", kind),
                ("woo_value", "=", code),
                ("company_id", "=", self.env.company.id),
                ("store_id", "=", False),
            ],
            limit=1,
        )
        if existing:
            if title and not existing.woo_title:
                existing.woo_title = title
            return False
        self.create({"kind": kind, "woo_value": code, "woo_title": title or False})
        return True

    @api.model
    def _default_title(self, kind: str, code: str) -> str:
        if kind == "order_status":  # a plugin's status: its code, as words
            return STATUS_TITLES.get(code) or code.replace("-", " ").replace("_", " ").capitalize()
        if kind == "currency":
            currency = (
                self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "=", code.upper())], limit=1)
            )
            return currency.full_name or ""
        return ""

    @api.model
    def _find_codes_sent(self, rescan: bool = False) -> int:
        """List every code in the stored order envelopes (payment and shipping methods, tax
        rates, statuses, currencies), failed and dead ones included; how many were new. Runs
        by itself (scheduled), from where the last run stopped; `rescan`: all the ledger."""
        params = self.env["ir.config_parameter"].sudo()
        after = 0 if rescan else int(params.get_param(SCANNED_PARAM) or 0)
        self.env.flush_all()
        self.env.cr.execute(SCANNED_UP_TO)
        scanned = max(self.env.cr.fetchone()[0] or 0, after)
        self.env.cr.execute(CODES_SENT, {"types": ORDER_EVENTS, "after": after})
        made = 0
        for kind, code, title, percent in self.env.cr.fetchall():
            if kind == "tax_rate" and title and percent not in (None, ""):
                title = f"{title} ({float(percent):g} %)"
            made += self._note_code(kind, code, title)
        params.set_param(SCANNED_PARAM, str(scanned))
        _logger.info("value maps: %s new codes the store sent", made)
        return made

    def action_find_codes_sent(self):
        """The lists' button (whatever rows are selected): list at once what the store sent;
        the scheduled action does it hourly."""
        made = self._find_codes_sent(rescan=True)
        if made:
            message = _("%s new codes the store sent, listed as Not mapped.", made)
        else:
            message = _("The store sent nothing that is not listed already.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if made else "info",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
