from odoo import _, api, fields, models, tools
from odoo.exceptions import ValidationError

from .integration_woo_payment import INVOICE_POLICIES

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
TARGET_FIELD = {
    "order_status": "order_action",
    "shipping_method": "delivery_product_id",
    "tax_rate": "tax_id",
    "currency": "pricelist_id",
}


class IntegrationValueMap(models.Model):
    """What a WooCommerce value means in Odoo: editable by Integration Managers."""

    _name = "integration.value.map"
    _description = "WooCommerce value map"
    _order = "kind, woo_value"
    _rec_name = "woo_value"

    kind = fields.Selection(KINDS, required=True, index=True)
    woo_value = fields.Char(
        string="WooCommerce value",
        required=True,
        help="Order status (processing), payment method id (stripe), shipping method id "
        "(flat_rate), tax rate id (1) or currency code (EUR).",
    )
    order_action = fields.Selection(ORDER_ACTIONS)
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
        help="Empty: the default in Settings > WooCommerce.",
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
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "value_uniq",
            "unique(kind, woo_value, company_id)",
            "This WooCommerce value is already mapped.",
        )
    ]

    @api.constrains(
        "kind",
        "order_action",
        "journal_id",
        "payment_journal_id",
        "invoice_policy",
        "payment_term_id",
        "delivery_product_id",
        "tax_id",
        "pricelist_id",
    )
    def _check_target(self):
        for value_map in self:
            if value_map.kind == "payment_method":
                if not (
                    value_map.journal_id
                    or value_map.payment_journal_id
                    or value_map.invoice_policy
                    or value_map.payment_term_id
                ):
                    raise ValidationError(
                        _(
                            "Say what payment method %s means in Odoo: a journal, an invoice "
                            "policy or a payment term.",
                            value_map.woo_value,
                        )
                    )
            elif not value_map[TARGET_FIELD[value_map.kind]]:
                raise ValidationError(
                    _(
                        "Say what %(value)s means in Odoo (%(kind)s).",
                        value=value_map.woo_value,
                        kind=dict(KINDS)[value_map.kind],
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _lookup_id
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _lookup(self, kind: str, woo_value):
        if woo_value in (None, ""):
            return self.browse()
        return self.browse(self._lookup_id(kind, str(woo_value), self.env.company.id))

    @api.model
    @tools.ormcache("kind", "woo_value", "company_id")
    def _lookup_id(self, kind: str, woo_value: str, company_id: int) -> int | None:
        """Every order reads four to six maps, and they change seldom: the answer is kept
        (per Odoo process, until a map is created, changed or deleted)."""
        value_map = self.search(
            [("kind", "=", kind), ("woo_value", "=", woo_value), ("company_id", "=", company_id)],
            limit=1,
        )
        return value_map.id or None
