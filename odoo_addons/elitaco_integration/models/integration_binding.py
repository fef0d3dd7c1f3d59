import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

BOUND_MODELS = [
    ("sale.order", "Order"),
    ("res.partner", "Customer"),
    ("product.product", "Product or variation"),
    ("product.template", "Variable product"),
    ("product.category", "Product category"),
    ("account.move", "Refund (credit note)"),
]


# What Odoo knows of the WooCommerce state applied to the bound record: a record bound in
# its place has had none of it applied, so its next event applies in full.
APPLIED_STATE = ("woo_date_modified", "woo_state_digest", "woo_state_received_at", "woo_image")
MANAGER = "elitaco_integration.group_integration_manager"
# How a sale order names its WooCommerce order (besides the binding).
ORDER_REFERENCE = ("woo_order_id", "woo_store", "woo_order_number")


class IntegrationBinding(models.Model):
    """A WooCommerce id bound to an Odoo record, per store (OCA connector's external binding).

    Only the integration writes bindings (read-only for every group, written here under sudo);
    by hand, an Integration Manager may only unbind one or re-bind it to another record, and
    that is said on the record's chatter and, for an order, on its timeline."""

    _name = "integration.binding"
    _inherit = ["integration.store.company"]
    _description = "WooCommerce ↔ Odoo binding"
    _order = "model, external_id"

    store = fields.Char(required=True, index=True)
    model = fields.Selection(BOUND_MODELS, string="Type", required=True, index=True)
    external_id = fields.Integer(string="WooCommerce ID", required=True, index=True)
    res_id = fields.Integer(string="Odoo record ID", required=True, index=True)
    woo_parent_id = fields.Integer(
        string="WooCommerce parent ID", help="For a variation: its variable product's id."
    )
    record_ref = fields.Reference(BOUND_MODELS, string="Odoo record", compute="_compute_record_ref")
    sync_date = fields.Datetime(string="Bound or updated", default=fields.Datetime.now)
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
    def _compute_record_ref(self):
        ids_of = defaultdict(list)
        for binding in self.filtered("model"):
            ids_of[binding.model].append(binding.res_id)
        existing = {  # the bound records still there, one query a model
            (model, id_)
            for model, ids in ids_of.items()
            for id_ in self.env[model].browse(ids).exists().ids
        }
        for binding in self:
            found = (binding.model, binding.res_id) in existing
            binding.record_ref = f"{binding.model},{binding.res_id}" if found else False

    @api.depends("model", "external_id")
    def _compute_display_name(self):
        labels = dict(self._fields["model"]._description_selection(self.env))
        for binding in self:
            binding.display_name = f"{labels.get(binding.model, '')} {binding.external_id}"

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
        bindings = self.sudo()  # nobody writes bindings but the integration (see the class)
        binding = bindings._binding(store, record._name, external_id)
        values = {"res_id": record.id, "sync_date": fields.Datetime.now()} | (state or {})
        if parent_id:
            values["woo_parent_id"] = parent_id
        if binding:
            binding.write(values)
        else:
            bindings.create(
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
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------ by hand (managers)

    def action_unbind(self):
        """Forget that the record is this WooCommerce id: its next event makes or finds its
        Odoo record again."""
        self._check_manager()
        for binding in self:
            record = binding._record()
            message = _(
                "%(binding)s (%(store)s) unbound by %(user)s: it was %(record)s.",
                binding=binding._woo_name(),
                store=binding.store,
                user=self.env.user.name,
                record=record.display_name if record else binding.res_id,
            )
            binding._tell(record, message)
            if record and record._name == "sale.order":
                record.sudo().write(dict.fromkeys(ORDER_REFERENCE, False))
            binding.sudo().unlink()
        return True

    def action_open_rebind(self):
        self.ensure_one()
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": _("Re-bind %s", self.display_name),
            "res_model": "integration.binding.rebind",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_binding_id": self.id},
        }

    def _rebind(self, record) -> None:
        """Bind this WooCommerce id to `record` (of the same model) instead."""
        self.ensure_one()
        self._check_manager()
        if record._name != self.model or not record.exists():
            raise UserError(_("Choose a record of the same kind to bind %s to.", self.display_name))
        old = self._record()
        if old == record:
            return
        taken = self._record_binding(self.store, record)
        if taken:
            raise UserError(
                _(
                    "%(record)s is %(binding)s already: unbind that first.",
                    record=record.display_name,
                    binding=taken._woo_name(),
                )
            )
        message = _(
            "%(binding)s (%(store)s) re-bound from %(old)s to %(new)s by %(user)s.",
            binding=self._woo_name(),
            store=self.store,
            old=old.display_name if old else self.res_id,
            new=record.display_name,
            user=self.env.user.name,
        )
        reset = dict.fromkeys(APPLIED_STATE, False)
        self.sudo().write({"res_id": record.id, "sync_date": fields.Datetime.now()} | reset)
        if record._name == "sale.order":
            # The order's own reference to the WooCommerce order moves with the binding: its
            # pushes (shipped, cancelled, refunded) go to WooCommerce from the order bound now.
            moved = {"woo_order_id": self.external_id, "woo_store": self.store}
            if old:
                moved["woo_order_number"] = old.woo_order_number
                old.sudo().write(dict.fromkeys(ORDER_REFERENCE, False))
            record.sudo().write(moved)
        self._tell(old, message)
        self._tell(record, message)

    def _tell(self, record, message: str) -> None:
        """Say a change made by hand where the record's people look: its chatter, and the
        timeline of an order."""
        if not record:
            return
        if record._name == "sale.order":
            self.env["integration.timeline"]._record_note(
                record, self.external_id, self.store, message
            )
        if hasattr(record, "message_post"):
            record.sudo().message_post(body=message, subtype_xmlid="mail.mt_note")

    def _woo_name(self) -> str:
        return _("WooCommerce %s", self.display_name.lower())

    def _check_manager(self) -> None:
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only Integration Managers can unbind or re-bind records."))

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
