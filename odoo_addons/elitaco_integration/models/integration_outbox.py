import json
import logging
import uuid
from datetime import timedelta

from odoo import _, api, fields, models

from .integration_woo_payment import CREDIT_NOTE_META
from .integration_woo_product import KG_PER, WEIGHT_UNIT

EVENT_TYPES = [
    ("odoo.stock.changed", "Stock changed"),
    ("odoo.order.shipped", "Order shipped"),
    ("odoo.order.cancelled", "Order cancelled"),
    ("odoo.order.refunded", "Refund"),
    ("odoo.import.requested", "Import requested"),
    ("odoo.product.changed", "Product changed"),
    ("odoo.category.changed", "Category changed"),
]
# A failed push waits 1, 2, 4 ... minutes, then every 2 hours: WooCommerce down for a
# maintenance window is waited out; dead after 18 attempts, about a day after the first.
_logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 18
LONGEST_WAIT = timedelta(hours=2)


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), LONGEST_WAIT)


class IntegrationOutbox(models.Model):
    """Changes to push to WooCommerce, written in the same transaction as the change itself."""

    _name = "integration.outbox"
    _description = "Integration outbox (Odoo → WooCommerce)"
    _order = "id desc"
    _rec_name = "idempotency_key"

    event_id = fields.Char(
        required=True, index=True, readonly=True, default=lambda self: str(uuid.uuid4())
    )
    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True)
    idempotency_key = fields.Char(required=True, readonly=True)
    trace_id = fields.Char(readonly=True, default=lambda self: str(uuid.uuid4()))
    store = fields.Char(readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("leased", "Being pushed"), ("done", "Done"), ("dead", "Dead")],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    attempts = fields.Integer(readonly=True)
    lease_until = fields.Datetime(readonly=True)
    next_attempt_at = fields.Datetime(
        readonly=True, help="A failed push is tried again from then on (backing off)."
    )
    leased_by = fields.Char(readonly=True)
    last_error = fields.Text(readonly=True)
    response = fields.Text(string="WooCommerce answer", readonly=True)
    data = fields.Json(readonly=True)
    sale_order_id = fields.Many2one("sale.order", index=True, ondelete="cascade", readonly=True)
    product_id = fields.Many2one("product.product", index=True, ondelete="cascade", readonly=True)
    product_tmpl_id = fields.Many2one(
        "product.template", index="btree_not_null", ondelete="cascade", readonly=True
    )
    credit_note_id = fields.Many2one(
        "account.move", index="btree_not_null", ondelete="cascade", readonly=True
    )
    category_id = fields.Many2one(
        "product.category", index="btree_not_null", ondelete="cascade", readonly=True
    )
    done_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        ("idempotency_key_uniq", "unique(idempotency_key)", "This change is already queued.")
    ]

    # ------------------------------------------------------------------ writing the outbox

    @api.model
    def _for_orders(self, orders, event_type: str, data_of) -> None:
        """Queue an order event, unless the change itself came from WooCommerce."""
        if self.env.context.get("elitaco_from_woo"):
            return
        for order in orders.filtered("woo_order_id"):
            self.sudo().create(
                {
                    "event_type": event_type,
                    # Each change made in Odoo is an event of its own.
                    "idempotency_key": f"odoo:sale.order-{order.id}:{event_type[5:]}:"
                    f"{uuid.uuid4().hex}",
                    "store": order.woo_store,
                    "sale_order_id": order.id,
                    "data": {"woo_order_id": order.woo_order_id, "odoo_order": order.name}
                    | data_of(order),
                }
            )

    @api.model
    def _for_credit_notes(self, credit_notes) -> None:
        """A credit note posted in Odoo for a WooCommerce order (a return handled in Odoo) is a
        refund to make in WooCommerce, once. Credit notes of WooCommerce's own refunds are
        bound to them and are not pushed back."""
        bound = set(
            self.env["integration.binding"]
            .sudo()
            .search([("model", "=", "account.move"), ("res_id", "in", credit_notes.ids)])
            .mapped("res_id")
        )
        gateway = (
            self.env["ir.config_parameter"].sudo().get_param("elitaco_integration.gateway_refunds")
        )
        # sudo: whoever may post a credit note queues its refund, whatever else they may read
        for credit_note in credit_notes.sudo().filtered(lambda move: move.id not in bound):
            order = credit_note._woo_order()
            key = f"odoo:account.move-{credit_note.id}:order.refunded:1"
            if not order or self.sudo().search_count([("idempotency_key", "=", key)]):
                continue  # not a WooCommerce order's, or already pushed when first posted
            if not credit_note.woo_sale_order_id:
                # so that the refund's echo is known as this credit note, and it shows on the order
                credit_note.woo_sale_order_id = order
            self.sudo().create(
                {
                    "event_type": "odoo.order.refunded",
                    "idempotency_key": key,
                    "store": order.woo_store,
                    "sale_order_id": order.id,
                    "credit_note_id": credit_note.id,
                    "data": self._refund_data(order, credit_note, bool(gateway)),
                }
            )

    @api.model
    def _refund_data(self, order, credit_note, gateway: bool) -> dict:
        currency = credit_note.currency_id

        def money(value: float) -> str:
            return f"{currency.round(value):.{currency.decimal_places}f}"

        lines = []
        for line in credit_note.invoice_line_ids.filtered(lambda l: l.display_type == "product"):
            sale_line = line.sale_line_ids.filtered("woo_line_id")[:1]
            if sale_line:
                lines.append(
                    {
                        "woo_line_id": sale_line.woo_line_id,
                        "quantity": line.quantity,
                        "total": money(line.price_subtotal),
                        "total_tax": money(line.price_total - line.price_subtotal),
                    }
                )
        reason = _("Odoo credit note %s", credit_note.name)
        if credit_note.ref:
            reason += f": {credit_note.ref}"
        return {
            "woo_order_id": order.woo_order_id,
            "odoo_order": order.name,
            "credit_note": credit_note.name,
            "credit_note_id": credit_note.id,
            "amount": money(credit_note.amount_total),
            "currency": currency.name,
            "reason": reason,
            "api_refund": gateway,
            "lines": lines,
            # WooCommerce keeps it on the refund: the workers find a refund an attempt whose
            # answer was lost already made, and the refund's echo is known as this credit note.
            "meta_data": [{"key": CREDIT_NOTE_META, "value": str(credit_note.id)}],
        }

    @api.model
    def _for_stock(self, products) -> "IntegrationOutbox":
        """Queue a stock push for bound products; one pending row per product is enough,
        since the quantity is read when a worker claims it. A row already claimed carries the
        quantity of its claim, so a change after it queues another. Products whose inventory
        Odoo does not track have no quantity to tell (it would read 0 and stop the shop
        selling them)."""
        products = products.filtered("is_storable")
        if self.env.context.get("elitaco_from_woo") or not products:
            return self.browse()
        return self._queue("odoo.stock.changed", "product_id", self._bound_stores(products))

    @api.model
    def _for_products(self, products) -> "IntegrationOutbox":
        """Queue the export of products to the store (and to any other store they are bound
        in); like stock, one pending row per product and store, read when claimed."""
        return self._for_export(products, "product_id")

    @api.model
    def _for_templates(self, templates) -> "IntegrationOutbox":
        """The same for products with variants: a variable product and its variations."""
        return self._for_export(templates, "product_tmpl_id")

    @api.model
    def _for_export(self, records, field: str) -> "IntegrationOutbox":
        stores_of = self._bound_stores(records)
        for record in records:
            template = record if record._name == "product.template" else record.product_tmpl_id
            stores_of[record] |= template._woo_target_stores()
        return self._queue("odoo.product.changed", field, stores_of)

    @api.model
    def _for_categories(self, categories) -> "IntegrationOutbox":
        """Queue the renaming or moving of categories WooCommerce has (made from Odoo or
        bound), one pending row per category and store; made there anew only with a product."""
        return self._queue("odoo.category.changed", "category_id", self._bound_stores(categories))

    @api.model
    def _bound_stores(self, records) -> dict:
        """{record: the stores it is bound in}, every record a key."""
        stores_of = {record: set() for record in records}
        bindings = (
            self.env["integration.binding"]
            .sudo()
            .search([("model", "=", records._name), ("res_id", "in", records.ids)])
        )
        for binding in bindings:
            stores_of[records.browse(binding.res_id)].add(binding.store)
        return stores_of

    @api.model
    def _queue(self, event_type: str, field: str, stores_of: dict) -> "IntegrationOutbox":
        """A pending `event_type` row for each record and store of `stores_of` that has none
        yet: rows are read when a worker claims them, so one waiting row pushes every change
        made before. `field` links the row to its record."""
        created = self.browse()
        waiting = {
            (row[field].id, row.store)
            for row in self.sudo().search(
                [
                    ("event_type", "=", event_type),
                    ("state", "=", "pending"),
                    (field, "in", [record.id for record in stores_of]),
                ]
            )
        }
        change = event_type.removeprefix("odoo.")
        for record, stores in stores_of.items():
            for store in sorted(stores):
                if (record.id, store) in waiting:
                    continue
                waiting.add((record.id, store))
                created |= self.sudo().create(
                    {
                        "event_type": event_type,
                        "idempotency_key": f"odoo:{record._name}-{record.id}:{change}:"
                        f"{uuid.uuid4().hex}",
                        "store": store,
                        field: record.id,
                    }
                )
        return created

    # ------------------------------------------------------------------ the workers' side

    @api.model
    def claim(
        self, worker: str, limit: int = 100, lease_seconds: int = 300, store: str | None = None
    ) -> list[dict]:
        """Lease up to `limit` rows of `store` to `worker`: two workers never get the same row,
        and the lease of a worker that died expires after `lease_seconds`. Without a store
        (workers before 18.0.1.2.0), rows of every store."""
        self.flush_model()  # the raw query below must see leases written through the ORM
        self.env.cr.execute(
            """
            SELECT id FROM integration_outbox
             WHERE ((state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %s))
                    OR (state = 'leased' AND lease_until < %s))
               AND (%s IS NULL OR store = %s)
             ORDER BY id
             LIMIT %s
               FOR UPDATE SKIP LOCKED
            """,
            (fields.Datetime.now(), fields.Datetime.now(), store, store, limit),
        )
        rows = self.browse([row[0] for row in self.env.cr.fetchall()])
        for row in rows:
            row.write(
                {
                    "state": "leased",
                    "leased_by": worker,
                    "attempts": row.attempts + 1,
                    "lease_until": fields.Datetime.now() + timedelta(seconds=lease_seconds),
                }
            )
        return [row._envelope() for row in rows]

    @api.model
    def acknowledge(
        self,
        event_id: str,
        ok: bool,
        response: str | None = None,
        error: str | None = None,
        worker: str | None = None,
    ) -> dict:
        """The lease holder says how the push went. An answer from a worker whose lease ran
        out (another worker holds the row now, or finished it) changes nothing."""
        row = self.search([("event_id", "=", event_id)], limit=1)
        if not row:
            return {"status": "unknown", "event_id": event_id}
        if row.state != "leased" or (worker and row.leased_by != worker):
            return {"status": "not_leased", "event_id": event_id, "leased_by": row.leased_by}
        if row.event_type == "odoo.product.changed":
            row._bind_product(response)  # what a failed push made too: its retry updates it
        if row.event_type == "odoo.category.changed":
            row._bind_categories(_answer(response).get("categories") or {})
        if ok:
            if row.event_type == "odoo.order.refunded":
                row._bind_refund(response)

            row.write(
                {
                    "state": "done",
                    "done_at": fields.Datetime.now(),
                    "response": response,
                    "last_error": False,
                    "lease_until": False,
                }
            )
            row._timeline("outbound", _("Pushed to WooCommerce: %s.", row._summary()), response)
        elif row.attempts >= MAX_ATTEMPTS:
            row.write({"state": "dead", "last_error": error, "response": response})
            row._timeline(
                "dead",
                _(
                    "Push to WooCommerce dead after %(n)s attempts: %(what)s.",
                    n=row.attempts,
                    what=row._summary(),
                ),
                error,
            )
        else:
            next_attempt = fields.Datetime.now() + retry_delay(row.attempts)
            row.write(
                {
                    "state": "pending",
                    "last_error": error,
                    "response": response,
                    "lease_until": False,
                    "next_attempt_at": next_attempt,
                }
            )
            row._timeline(
                "failed",
                _(
                    "Push to WooCommerce failed (attempt %(n)s, next at %(next)s UTC): %(error)s",
                    n=row.attempts,
                    next=fields.Datetime.to_string(next_attempt),
                    error=error,
                ),
                response,
            )
        return {"status": row.state, "event_id": event_id}

    def action_retry(self):
        self.filtered(lambda row: row.state == "dead").write(
            {"state": "pending", "attempts": 0, "lease_until": False, "next_attempt_at": False}
        )
        return True

    def _envelope(self) -> dict:
        self.ensure_one()
        data = dict(self.data or {})
        if self.event_type == "odoo.stock.changed":
            data = {"items": [self._stock_item()]}
        if self.event_type == "odoo.product.changed":
            data = self._product_data()
        if self.event_type == "odoo.category.changed":
            data = self._category_data()
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "source": "odoo",
            "occurred_at": fields.Datetime.to_string(self.create_date).replace(" ", "T") + "Z",
            "idempotency_key": self.idempotency_key,
            "trace_id": self.trace_id,
            "data": data,
        }

    def _product_binding(self, record=None):
        record = self.product_id if record is None else record
        return (
            self.env["integration.binding"]
            .sudo()
            .search(
                [
                    ("model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("store", "=", self.store),
                ],
                limit=1,
            )
        )

    def _woo_weight(self, product) -> str:
        params = self.env["ir.config_parameter"].sudo()
        in_lbs = params.get_param("product.weight_in_lbs") == "1"
        kg = product.weight * (KG_PER["lbs"] if in_lbs else 1)
        weight = kg / KG_PER[params.get_param(WEIGHT_UNIT, "kg")]
        return f"{weight:.3f}".rstrip("0").rstrip(".") if product.weight else ""

    def _woo_categories(self, category) -> dict:
        """`category` in WooCommerce: `category_ids`, its id once bound; else `new_categories`,
        what the workers make there first, from the top down to it: the category and its
        ancestors up to the first bound one (`parent_id`) or the top (Odoo's All is
        WooCommerce's top level, where a product of All alone has no category)."""
        top = self.env.ref("product.product_category_all", raise_if_not_found=False)
        missing = self.env["product.category"]
        parent_id = None
        while category and category != top:
            binding = self._product_binding(category)
            if binding:
                parent_id = binding.external_id
                break
            missing |= category
            category = category.parent_id
        if not missing:
            return {"category_ids": [parent_id] if parent_id else []}
        return {
            "category_ids": [],
            "new_categories": [
                {
                    "odoo_id": category.id,
                    "name": category.name,
                    "parent_odoo_id": category.parent_id.id
                    if category.parent_id in missing
                    else None,
                    "parent_id": None if category.parent_id in missing else parent_id,
                }
                for category in reversed(missing)
            ],
        }

    def _variable_data(self) -> dict:
        """A product with variants as a variable product: its attributes (the values its
        variants use) and one variation per variant, read at claim."""
        template = self.product_tmpl_id.with_context(active_test=False)
        variants = template._woo_variants()
        attributes = {}
        for variant in variants:
            for value in variant.product_template_attribute_value_ids:
                options = attributes.setdefault(value.attribute_id.name, [])
                if value.name not in options:
                    options.append(value.name)
        published = template._woo_sold_in(self.store)
        return {
            "type": "variable",
            "odoo_template_id": template.id,
            "woo_product_id": self._product_binding(template).external_id or None,
            "name": template.name,
            "status": "publish" if published else "draft",
            "short_description": template.description_sale or "",
            **self._woo_categories(template.categ_id),
            "attributes": [
                {"name": name, "options": options} for name, options in attributes.items()
            ],
            "variations": [
                {
                    "odoo_product_id": variant.id,
                    "woo_variation_id": self._product_binding(variant).external_id or None,
                    "sku": variant.default_code,
                    "regular_price": f"{variant.lst_price:.2f}",
                    "status": "publish" if published and variant.active else "private",
                    "weight": self._woo_weight(variant),
                    "manage_stock": template.is_storable,
                    **self._initial_stock(variant),
                    "attributes": [
                        {"name": value.attribute_id.name, "option": value.name}
                        for value in variant.product_template_attribute_value_ids
                    ],
                }
                for variant in variants
            ],
        }

    def _product_data(self) -> dict:
        """The product as WooCommerce shows it, read at claim: the latest state is pushed."""
        if self.product_tmpl_id:
            return self._variable_data()
        product = self.product_id.with_context(active_test=False)
        template = product.product_tmpl_id
        return {
            "odoo_product_id": product.id,
            "woo_product_id": self._product_binding().external_id or None,
            "sku": product.default_code or "",
            "name": template.name,
            "regular_price": f"{template.list_price:.2f}",
            "status": "publish" if template._woo_sold_in(self.store) else "draft",
            "short_description": template.description_sale or "",
            "weight": self._woo_weight(product),
            **self._woo_categories(template.categ_id),
            "manage_stock": template.is_storable,
            **self._initial_stock(product),
        }

    def _initial_stock(self, product) -> dict:
        """What a product made in WooCommerce starts with, so that it is not out of stock
        there until its stock row is pushed (updates leave stock to those rows)."""
        if not product.is_storable or self._product_binding(product):
            return {}
        warehouse = self.env["res.config.settings"]._elitaco_default("warehouse")
        return {"stock_quantity": max(self._sellable_quantity(product, warehouse), 0.0)}

    def _category_data(self) -> dict:
        """A category WooCommerce has, renamed or moved in Odoo: its name and where it is now
        (`category_ids`: its parent there, none at the top; or `new_categories`: the parents to
        make first), read at claim."""
        category = self.category_id
        return {
            "odoo_id": category.id,
            "woo_category_id": self._product_binding(category).external_id,
            "name": category.name,
            **self._woo_categories(category.parent_id),
        }

    def _bind_product(self, response: str | None) -> None:
        """A product the push created in WooCommerce (or found there by SKU) is bound to it;
        its stock follows."""
        answer = _answer(response)
        self._bind_categories(answer.get("categories") or {})
        woo_id = answer.get("id")
        if not isinstance(woo_id, int):
            return
        # The store's own webhook for what the push made may be applied at this very moment
        # and bind it by SKU: the lock its event takes makes one of the two wait and retry.
        variation_ids = sorted((answer.get("variations") or {}).values())
        for external_id in [woo_id, *variation_ids]:
            self.env["integration.resource.lock"]._acquire(f"product:{self.store}:{external_id}")
        if self.product_tmpl_id:
            self._bind_once(self.product_tmpl_id, woo_id)
            variants = self.env["product.product"].with_context(active_test=False)
            bound = variants.browse()
            for odoo_id, variation_id in (answer.get("variations") or {}).items():
                variant = variants.browse(int(odoo_id)).exists()
                if variant and self._bind_once(variant, variation_id, woo_id):
                    bound |= variant
            self._for_stock(bound)
        elif self._bind_once(self.product_id, woo_id):
            self._for_stock(self.product_id)

    def _bind_categories(self, made: dict) -> None:
        """The categories the push made in WooCommerce (or found there by name): bound, so that
        the next push of any product in them uses their ids."""
        categories = self.env["product.category"]
        locks = self.env["integration.resource.lock"]
        for odoo_id, woo_id in sorted(made.items()):
            category = categories.browse(int(odoo_id)).exists()
            if category and isinstance(woo_id, int):
                # Two workers pushing products of one new category at once both made it.
                locks._acquire(f"product-category:{self.store}:{woo_id}")
                locks._acquire(f"odoo-product-category:{self.store}:{category.id}")
                self._bind_once(category, woo_id)

    def _bind_once(self, record, external_id: int, parent_id: int | None = None) -> bool:
        """Bind unless the record or the WooCommerce id is bound already (the echo's binding
        by SKU came first, or the id is another record's: left as it is, and said)."""
        bindings = self.env["integration.binding"].sudo()
        taken = bindings._binding(self.store, record._name, external_id)
        if self._product_binding(record) or taken:
            if taken and taken.res_id != record.id:
                _logger.warning(
                    "WooCommerce id %s is bound to %s %s already; %s not bound to it",
                    external_id,
                    record._name,
                    taken.res_id,
                    record.display_name,
                )
            return False
        bindings._bind(self.store, record, external_id, parent_id)
        return True

    def _stock_item(self) -> dict:
        binding = self._product_binding()
        warehouse = self.env["res.config.settings"]._elitaco_default("warehouse")
        product = self.product_id
        return {
            "woo_product_id": binding.external_id,
            "woo_parent_id": binding.woo_parent_id or None,
            "odoo_product_id": product.id,
            "sku": product.default_code or None,
            "stock_quantity": max(self._sellable_quantity(product, warehouse), 0.0),
        }

    @api.model
    def _sellable_quantity(self, product, warehouse) -> float:
        """What WooCommerce may still sell: Odoo's free quantity (on hand less what is reserved)
        less what is promised and not reserved yet, which a push would otherwise hand back to
        the shop: deliveries confirmed but waiting for their reservation, and WooCommerce orders
        that are still quotations in Odoo (on hold: WooCommerce has counted them, Odoo not)."""
        product = product.sudo().with_context(warehouse_id=warehouse.id or False)
        stock_locations = (
            warehouse.lot_stock_id
            if warehouse
            else self.env["stock.warehouse"].sudo().search([]).lot_stock_id
        )
        waiting = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("state", "in", ("confirmed", "waiting", "partially_available")),
                    # The move that takes it out of stock; a later step (output to customer) of
                    # a two- or three-step delivery is the same demand again.
                    ("location_id", "child_of", stock_locations.ids),
                    "!",
                    ("location_dest_id", "child_of", stock_locations.ids),
                ]
            )
        )
        unreserved = sum(
            move.product_qty - move.product_uom._compute_quantity(move.quantity, product.uom_id)
            for move in waiting
        )
        quotation_lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("order_id.state", "in", ("draft", "sent")),
                    ("order_id.woo_order_id", "!=", 0),
                ]
                + ([("order_id.warehouse_id", "=", warehouse.id)] if warehouse else [])
            )
        )
        quoted = sum(
            line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id)
            for line in quotation_lines
        )
        return product.free_qty - unreserved - quoted

    def _bind_refund(self, response: str | None) -> None:
        """The refund WooCommerce made for the credit note is bound to it, so that the order
        update it causes books nothing again (the update may come first: then it bound it)."""
        try:
            refund_id = json.loads(response or "{}").get("id")
        except ValueError:
            refund_id = None
        bindings = self.env["integration.binding"].sudo()
        if isinstance(refund_id, int) and not bindings._find(self.store, "account.move", refund_id):
            bindings._bind(self.store, self.credit_note_id, refund_id)

    def _summary(self) -> str:
        if self.event_type == "odoo.category.changed":
            return _("category %s", self.category_id.display_name)
        if self.event_type == "odoo.stock.changed":
            return _("stock of %s", self.product_id.display_name)
        if self.event_type == "odoo.product.changed":
            return _("product %s", (self.product_id or self.product_tmpl_id).display_name)
        if self.event_type == "odoo.order.refunded":
            return _(
                "refund of %(amount)s %(currency)s for credit note %(credit_note)s",
                amount=self.data.get("amount"),
                currency=self.data.get("currency"),
                credit_note=self.data.get("credit_note"),
            )
        return dict(EVENT_TYPES)[self.event_type].lower()

    def _timeline(self, kind: str, message: str, details: str | None) -> None:
        if not self.sale_order_id:
            return
        self.env["integration.timeline"].sudo().create(
            {
                "sale_order_id": self.sale_order_id.id,
                "woo_order_id": self.sale_order_id.woo_order_id,
                "store": self.store,
                "kind": kind,
                "message": message,
                "details": details,
            }
        )


def _answer(response: str | None) -> dict:
    """A worker's answer (JSON): what WooCommerce made; {} when it is not an object."""
    try:
        answer = json.loads(response or "{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
