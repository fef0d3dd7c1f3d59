import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

BOUND_MODELS = [
    ("sale.order", "Order"),
    ("res.partner", "Customer"),
    ("product.product", "Product or variation"),
    ("product.template", "Variable product"),
    ("product.category", "Product category"),
    ("account.move", "Refund (credit note)"),
]


class IntegrationBinding(models.Model):
    """A WooCommerce id bound to an Odoo record, per store (OCA connector's external binding)."""

    _name = "integration.binding"
    _description = "WooCommerce ↔ Odoo binding"
    _order = "model, external_id"

    store = fields.Char(required=True, index=True)
    model = fields.Selection(BOUND_MODELS, required=True, index=True)
    external_id = fields.Integer(string="WooCommerce ID", required=True, index=True)
    res_id = fields.Integer(string="Odoo record ID", required=True, index=True)
    woo_parent_id = fields.Integer(
        string="WooCommerce parent ID", help="For a variation: its variable product's id."
    )
    record_name = fields.Char(string="Odoo record", compute="_compute_record_name")
    sync_date = fields.Datetime(default=fields.Datetime.now)
    # The WooCommerce state applied last (customers and products; orders keep theirs on the
    # sale order): older ones, retried or redelivered late, are not applied over it.
    woo_date_modified = fields.Datetime(string="WooCommerce modified", readonly=True)
    woo_state_digest = fields.Char(readonly=True)
    woo_state_received_at = fields.Datetime(readonly=True)
    woo_image = fields.Char(
        string="WooCommerce image",
        readonly=True,
        help="The version (<image id>:<modified>:<address>) of the product's main image in Odoo.",
    )
    woo_price = fields.Float(
        string="WooCommerce price",
        readonly=True,
        help="A variation's regular price: its variant's price is its template's plus the extras "
        "of its values, set from the prices of all the template's variations.",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(store, model, external_id)",
            "This WooCommerce id is already bound to an Odoo record of this store.",
        )
    ]

    @api.depends("model", "res_id")
    def _compute_record_name(self):
        for binding in self:
            record = binding._record()
            binding.record_name = record.display_name if record else False

    def _record(self):
        self.ensure_one()
        record = self.env[self.model].browse(self.res_id).exists()
        return record or None

    @api.model
    def _find(self, store: str, model: str, external_id: int):
        binding = self._binding(store, model, external_id)
        return binding._record() if binding else None

    @api.model
    def _binding(self, store: str, model: str, external_id: int) -> "IntegrationBinding":
        return self.search(
            [("store", "=", store), ("model", "=", model), ("external_id", "=", external_id)],
            limit=1,
        )

    @api.model
    def _bind(
        self,
        store: str,
        record,
        external_id: int,
        parent_id: int | None = None,
        state: dict | None = None,
    ) -> None:
        """Bind `record` to the WooCommerce id; `state`: the woo_* fields of the state applied."""
        binding = self._binding(store, record._name, external_id)
        values = {"res_id": record.id, "sync_date": fields.Datetime.now()} | (state or {})
        if parent_id:
            values["woo_parent_id"] = parent_id
        if binding:
            binding.write(values)
        else:
            self.create(
                values | {"store": store, "model": record._name, "external_id": external_id}
            )

    @api.model
    def _record_binding(self, store: str, record) -> "IntegrationBinding":
        """`record`'s binding in `store`, if any."""
        return self.sudo().search(
            [("model", "=", record._name), ("res_id", "=", record.id), ("store", "=", store)],
            limit=1,
        )

    @api.model
    def _bound_stores(self, records) -> dict:
        """{record: the stores it is bound in}, every record a key."""
        stores_of = {record: set() for record in records}
        bindings = self.sudo().search(
            [("model", "=", records._name), ("res_id", "in", records.ids)]
        )
        for binding in bindings:
            stores_of[records.browse(binding.res_id)].add(binding.store)
        return stores_of

    @api.model
    def _bind_once(
        self, store: str, record, external_id: int, parent_id: int | None = None
    ) -> bool:
        """Bind unless the record or the WooCommerce id is bound already (the echo's binding
        by SKU came first, or the id is another record's: left as it is, and said)."""
        bindings = self.sudo()
        taken = bindings._binding(store, record._name, external_id)
        if bindings._record_binding(store, record) or taken:
            if taken and taken.res_id != record.id:
                _logger.warning(
                    "WooCommerce id %s is bound to %s %s already; %s not bound to it",
                    external_id,
                    record._name,
                    taken.res_id,
                    record.display_name,
                )
            return False
        bindings._bind(store, record, external_id, parent_id)
        return True

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def action_push_stock(self):
        """Queue a stock push for the selected product bindings: the first sync of a shop, or
        WooCommerce's stock set right again after someone changed it there by hand."""
        if not self.env.user.has_group("elitaco_integration.group_integration_manager"):
            raise AccessError(_("Only Integration Managers can push stock to WooCommerce."))
        product_ids = self.filtered(lambda binding: binding.model == "product.product").mapped(
            "res_id"
        )
        products = self.env["product.product"].browse(product_ids).exists()
        queued = self.env["integration.woo.stock"]._for_stock(products)
        if queued:
            message = _("%(count)s stock pushes queued (Integration › Outbox).", count=len(queued))
        else:
            message = _(
                "Nothing queued: the selected products are not tracked in inventory, or their "
                "stock push is already waiting."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"type": "success" if queued else "warning", "message": message},
        }
