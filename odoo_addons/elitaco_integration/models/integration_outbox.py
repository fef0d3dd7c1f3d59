import uuid
from datetime import timedelta

from odoo import _, api, fields, models

EVENT_TYPES = [
    ("odoo.stock.changed", "Stock changed"),
    ("odoo.order.shipped", "Order shipped"),
    ("odoo.order.cancelled", "Order cancelled"),
    ("odoo.order.refunded", "Refund"),
    ("odoo.import.requested", "Import requested"),
    ("odoo.product.changed", "Product changed"),
    ("odoo.category.changed", "Category changed"),
]
# The model of each resource the workers push, by event type. Each builds and binds what its
# rows push:
#   _push_data(row) -> dict: the envelope's data, read when a worker claims the row;
#   _push_answered(row, response: str | None, ok: bool) -> None: what the worker's answer
#       (WooCommerce's, as JSON) says was made there, bound; failed pushes are answered too;
#   _push_summary(row) -> str: what the row pushes, in the words of the order's timeline.
# Rows of the other types (an order shipped or cancelled, an import) push the data they were
# queued with.
PUSHES = {
    "odoo.stock.changed": "integration.woo.stock",
    "odoo.product.changed": "integration.woo.product",
    "odoo.category.changed": "integration.woo.category",
    "odoo.order.refunded": "integration.woo.payment",
}
# A failed push waits 1, 2, 4 ... minutes, then every 2 hours: WooCommerce down for a
# maintenance window is waited out; dead after 18 attempts, about a day after the first.
MAX_ATTEMPTS = 18
LONGEST_WAIT = timedelta(hours=2)


def retry_delay(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), LONGEST_WAIT)


class IntegrationOutbox(models.Model):
    """Changes to push to WooCommerce, written in the same transaction as the change itself."""

    _name = "integration.outbox"
    _inherit = ["integration.store.company"]
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
        if row.event_type in PUSHES:
            row._pusher()._push_answered(row, response, ok)
        if ok:
            row.write(
                {
                    "state": "done",
                    "done_at": fields.Datetime.now(),
                    "response": response,
                    "last_error": False,
                    "lease_until": False,
                }
            )
            row._timeline("outbound", _("WooCommerce told: %s.", row._summary()), None)
        elif row.attempts >= MAX_ATTEMPTS:
            row.write({"state": "dead", "last_error": error, "response": response})
            row._timeline(
                "dead",
                _(
                    "WooCommerce could not be told: %(what)s (%(n)s attempts).",
                    n=row.attempts,
                    what=row._summary(),
                ),
                _(
                    "%(error)s\nAn Integration Manager can send it again from Integration › "
                    "Outbox (Retry).",
                    error=error,
                ),
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
                    "Not yet told to WooCommerce: %(what)s (attempt %(n)s failed; next at "
                    "%(next)s UTC).",
                    what=row._summary(),
                    n=row.attempts,
                    next=fields.Datetime.to_string(next_attempt),
                ),
                error,
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
        if self.event_type in PUSHES:
            data = self._pusher()._push_data(self)
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "source": "odoo",
            "occurred_at": fields.Datetime.to_string(self.create_date).replace(" ", "T") + "Z",
            "idempotency_key": self.idempotency_key,
            "trace_id": self.trace_id,
            "data": data,
        }

    def _pusher(self):
        """The model of the resource this row pushes (PUSHES)."""
        return self.env[PUSHES[self.event_type]]

    def _summary(self) -> str:
        if self.event_type in PUSHES:
            return self._pusher()._push_summary(self)
        if self.event_type == "odoo.order.shipped" and (self.data or {}).get("delivery"):
            return self._shipment_summary()
        return dict(EVENT_TYPES)[self.event_type].lower()

    def _timeline(self, kind: str, message: str, details: str | None) -> None:
        self.env["integration.timeline"]._record_push(self, kind, message, details)

    def _shipment_summary(self) -> str:
        data = self.data
        reference = ", ".join(filter(None, (data.get("tracking_ref"), data.get("carrier"))))
        tracking = _(" (tracking %s)", reference) if data.get("tracking_ref") else ""
        if data.get("complete", True):
            return _(
                "%(delivery)s shipped%(tracking)s; the order is complete",
                delivery=data["delivery"],
                tracking=tracking,
            )
        return _(
            "%(delivery)s shipped%(tracking)s; the rest follows",
            delivery=data["delivery"],
            tracking=tracking,
        )
