from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .integration_binding import MANAGER

KINDS = [
    ("order_missing_odoo", "Order not in Odoo"),
    ("order_missing_woo", "Order gone from WooCommerce"),
    ("order_status", "Order status"),
    ("order_total", "Order total"),
    ("order_tax", "Order tax"),
    ("stock", "Stock"),
    ("price", "Price"),
    ("product_missing_odoo", "Product not bound in Odoo"),
    ("product_missing_woo", "Product gone from WooCommerce"),
]
FIXES = [
    ("reread_order", "Re-import the order"),
    ("reread_product", "Import and bind the product"),
    ("push_stock", "Push stock"),
    ("push_price", "Push the price"),
    ("unbind", "Unbind"),
]
FIX_STATES = [
    ("open", "Open"),
    ("requested", "Fix requested"),
    ("sent", "Fix sent"),
]
# What the workers do for a fix: read the record again from WooCommerce through the pipeline.
REREADS = ("reread_order", "reread_product", "pull_price")
# A fix claimed by a worker that died before it said so: handed out again after this long.
FIX_LEASE = timedelta(minutes=5)


class IntegrationDriftLine(models.Model):
    """One difference a drift run found, with its fix: applied through the normal pipeline (a
    record read again from WooCommerce and applied as its webhook would be, or a push queued in
    the outbox), so that the ledger, the outbox and the order's timeline show it."""

    _name = "integration.drift.line"
    _description = "Drift found between WooCommerce and Odoo"
    _order = "drift_id desc, kind, woo_id"
    _rec_name = "message"

    drift_id = fields.Many2one(
        "integration.drift", required=True, ondelete="cascade", index=True, readonly=True
    )
    store = fields.Char(related="drift_id.store")
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    woo_id = fields.Integer(string="WooCommerce ID", readonly=True)
    woo_parent_id = fields.Integer(string="WooCommerce parent ID", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True, ondelete="set null")
    product_id = fields.Many2one("product.product", readonly=True, ondelete="set null")
    woo_value = fields.Char(string="In WooCommerce", readonly=True)
    odoo_value = fields.Char(string="In Odoo", readonly=True)
    message = fields.Char(readonly=True)
    fix = fields.Selection(FIXES, readonly=True)
    fix_state = fields.Selection(FIX_STATES, default="open", required=True, readonly=True)
    fix_requested = fields.Selection(FIXES + [("pull_price", "Pull the price")], readonly=True)
    fix_claimed_at = fields.Datetime(readonly=True)
    fixed_by = fields.Many2one("res.users", readonly=True)
    fixed_at = fields.Datetime(readonly=True)

    # ------------------------------------------------------------------ the buttons

    def action_fix(self):
        self._check_manager()
        for line in self.filtered(lambda line: line.fix_state == "open"):
            line._apply_fix(line.fix)
        return True

    def action_pull_price(self):
        """The price of WooCommerce into Odoo: the product read again from the store."""
        self._check_manager()
        for line in self.filtered(lambda line: line.fix_state == "open" and line.kind == "price"):
            line._apply_fix("pull_price")
        return True

    def _check_manager(self) -> None:
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only Integration Managers can fix drift."))

    def _apply_fix(self, fix: str) -> None:
        self.ensure_one()
        if fix in REREADS:
            self._done(fix, "requested")
        elif fix == "push_stock":
            self._push_stock()
        elif fix == "push_price":
            self._push_price()
        elif fix == "unbind":
            self._unbind()
        else:
            raise UserError(_("This difference has no fix: %s", self.message))

    def _push_stock(self) -> None:
        if not self.product_id:
            raise UserError(_("The product of this line is gone from Odoo."))
        self.env["integration.woo.stock"]._for_stock(self.product_id)
        self._done("push_stock", "sent")

    def _push_price(self) -> None:
        """The product pushed to WooCommerce as Odoo has it (its price among the rest)."""
        product = self.product_id
        if not product:
            raise UserError(_("The product of this line is gone from Odoo."))
        woo_product = self.env["integration.woo.product"]
        if product.product_tmpl_id._woo_is_variable():
            woo_product._for_templates(product.product_tmpl_id)
        else:
            woo_product._for_products(product)
        self._done("push_price", "sent")

    def _unbind(self) -> None:
        model = {
            "order_missing_woo": "sale.order",
        }.get(self.kind)
        domain = [("store", "=", self.store), ("external_id", "=", self.woo_id)]
        if model:
            domain.append(("model", "=", model))
        else:
            domain.append(("model", "in", ("product.product", "product.template")))
        # action_unbind is the managers' (it checks), and says it on the record and timeline.
        self.env["integration.binding"].sudo().search(domain).with_env(self.env).action_unbind()
        self._done("unbind", "sent")

    def _done(self, fix: str, state: str) -> None:
        self.write(
            {
                "fix_requested": fix,
                "fix_state": state,
                "fixed_by": self.env.user.id,
                "fixed_at": fields.Datetime.now(),
            }
        )
        self.drift_id.message_post(
            body=_(
                "%(user)s: %(fix)s for %(line)s",
                user=self.env.user.name,
                fix=dict(self._fields["fix_requested"]._description_selection(self.env))[fix],
                line=self.message,
            )
        )

    # ------------------------------------------------------------------ the workers' side

    @api.model
    def _claim_rereads(self, store: str, limit: int = 100) -> list[dict]:
        """The records to read again from WooCommerce that a person asked for."""
        now = fields.Datetime.now()
        lines = self.search(
            [
                ("store", "=", store),
                ("fix_state", "=", "requested"),
                "|",
                ("fix_claimed_at", "=", False),
                ("fix_claimed_at", "<", now - FIX_LEASE),
            ],
            limit=limit,
            order="id",
        )
        lines.write({"fix_claimed_at": now})
        return [
            {
                "line_id": line.id,
                "resource": "order" if line.fix_requested == "reread_order" else "product",
                "woo_id": line.woo_id,
            }
            for line in lines
        ]

    @api.model
    def _rereads_sent(self, line_ids: list[int]) -> int:
        lines = self.browse(line_ids).exists().filtered(lambda l: l.fix_state == "requested")
        lines.write({"fix_state": "sent"})
        return len(lines)
