from odoo import _, api, fields, models

MANAGER = "elitaco_integration.group_integration_manager"
KINDS = [
    ("processed", "Done"),
    ("ignored", "Ignored"),
    ("failed", "Failed"),
    ("dead", "Needs attention"),
    ("outbound", "Sent to WooCommerce"),
    ("note", "Changed by hand"),
]


class IntegrationTimeline(models.Model):
    """The story of an order, a product, a contact or a category, one row per WooCommerce
    event and per push to WooCommerce: each attempt rewrites its row with where it stands, so
    the tab reads as what happened, not as the plumbing's every step."""

    _name = "integration.timeline"
    _inherit = ["integration.store.company"]
    _description = "Integration timeline entry"
    _order = "at desc, id desc"

    sale_order_id = fields.Many2one("sale.order", index=True, ondelete="cascade")
    woo_order_id = fields.Integer(string="WooCommerce order", index=True)
    store = fields.Char()
    # Products, variations, customers and categories have their story too: a variation's on
    # its product (template), naming the variant.
    product_tmpl_id = fields.Many2one(
        "product.template", string="Product", index="btree_not_null", ondelete="cascade"
    )
    product_id = fields.Many2one(
        "product.product", string="Variant", index="btree_not_null", ondelete="set null"
    )
    partner_id = fields.Many2one(
        "res.partner", string="Contact", index="btree_not_null", ondelete="cascade"
    )
    category_id = fields.Many2one(
        "product.category", string="Category", index="btree_not_null", ondelete="cascade"
    )
    event_id = fields.Many2one("integration.event", index=True, ondelete="cascade")
    outbox_id = fields.Many2one("integration.outbox", index=True, ondelete="cascade")
    event_type = fields.Char(related="event_id.event_type")
    event_state = fields.Selection(related="event_id.state", string="Event state")
    trace_id = fields.Char(related="event_id.trace_id")
    at = fields.Datetime(string="When", default=fields.Datetime.now, required=True)
    kind = fields.Selection(KINDS, required=True)
    message = fields.Char(required=True)
    warnings = fields.Text(help="What a person should check, one per line.")
    details = fields.Text(help="What the event changed, one per line.")
    attempts = fields.Integer(default=1)
    repeats = fields.Integer(
        help="Later deliveries of a state already applied (or older than it): they changed "
        "nothing and are counted here instead of each taking a row."
    )
    replayed_by_id = fields.Many2one("res.users", string="Replayed by")
    move_ids = fields.Many2many(
        "account.move", string="Documents", help="The invoices and credit notes it made or posted."
    )
    story = fields.Text(compute="_compute_story", help="What happened, in words.")

    _sql_constraints = [
        ("event_uniq", "unique(event_id)", "An event has one row on the timeline."),
        ("outbox_uniq", "unique(outbox_id)", "A push has one row on the timeline."),
    ]

    @api.depends("kind", "message", "warnings", "details", "attempts", "repeats")
    @api.depends_context("uid")
    def _compute_story(self):
        manager = self.env.user.has_group(MANAGER)
        for entry in self:
            lines = [f"⚠ {warning}" for warning in (entry.warnings or "").splitlines()]
            lines.append(entry.message)
            lines += (entry.details or "").splitlines()
            if entry.kind == "dead" and entry.event_id:
                lines.append(entry.event_id.sudo()._problem_action(manager))
            if entry.attempts > 1 and entry.kind in ("processed", "ignored"):
                lines.append(_("Applied on attempt %s.", entry.attempts))
            if entry.replayed_by_id:
                lines.append(_("Replayed by %s.", entry.replayed_by_id.name))
            if entry.repeats:
                lines.append(
                    _("Delivered again %s times; the repeats changed nothing.", entry.repeats)
                    if entry.repeats > 1
                    else _("Delivered again once; the repeat changed nothing.")
                )
            entry.story = "\n".join(line for line in lines if line)

    # ------------------------------------------------------------------ writers

    @api.model
    def _record_event(self, event, values: dict, first_row: bool = False) -> None:
        """Write (or rewrite) the row of one event of an order, a product or a customer."""
        woo_order_id = event._woo_order_id()
        if woo_order_id or event.sale_order_id:
            links = {"sale_order_id": event.sale_order_id.id, "woo_order_id": woo_order_id}
        else:
            links = event._catalog_links()
            if links is None:
                return
        base = links | {"store": event.store, "attempts": max(event.attempts, 1)}
        self._rewrite("event_id", event.id, base | values, first_row)
        if any(links.values()):
            event._attach_catalog_history(links)

    @api.model
    def _count_repeat(self, event_id: int) -> None:
        """Another delivery of a finished event counts on the event's own row. One UPDATE: a
        redelivery reads nothing else, and two at once each count (no lost update)."""
        self.env.cr.execute(
            """UPDATE integration_timeline
                  SET repeats = COALESCE(repeats, 0) + 1, write_uid = %s,
                      write_date = now() at time zone 'UTC'
                WHERE event_id = %s""",
            (self.env.uid, event_id),
        )
        self.invalidate_model(["repeats", "write_uid", "write_date"])

    @api.model
    def _fold_repeat(self, event) -> bool:
        """A first delivery that changed nothing counts on the row it repeats: its order's (or
        its product's, variation's, customer's) latest applied event's. False when there is no
        such row."""
        if event.sale_order_id:
            domain = [
                ("sale_order_id", "=", event.sale_order_id.id),
                ("event_id", "!=", False),
                ("kind", "=", "processed"),
            ]
        elif event._has_catalog_timeline():  # the same product, variation or customer
            domain = [
                ("event_id.store", "=", event.store),
                ("event_id.resource", "=", event.resource),
                ("event_id.woo_resource_id", "=", event.woo_resource_id),
                ("event_id", "!=", event.id),
                ("kind", "=", "processed"),
            ]
        else:
            return False
        entry = self.sudo().search(domain, limit=1)
        if not entry:
            return False
        entry.repeats += 1
        return True

    @api.model
    def _record_push(self, row, kind: str, message: str, details: str | None) -> None:
        """Write (or rewrite) the row of one push to WooCommerce (integration.outbox): on its
        order, or on the product (a variant's on its template) or category it pushes."""
        links = self._push_links(row)
        if not links:
            return
        values = links | {
            "store": row.store,
            "kind": kind,
            "message": message,
            "details": details,
            "attempts": max(row.attempts, 1),
        }
        self._rewrite("outbox_id", row.id, values)

    @api.model
    def _push_links(self, row) -> dict:
        """Where a push is told: its order, its product (and variant) or its category."""
        if row.sale_order_id:
            return {
                "sale_order_id": row.sale_order_id.id,
                "woo_order_id": row.sale_order_id.woo_order_id,
            }
        variant = row.product_id.with_context(active_test=False)
        template = row.product_tmpl_id or variant.product_tmpl_id
        if template:
            named = variant if variant.product_template_attribute_value_ids else variant.browse()
            return {"product_tmpl_id": template.id, "product_id": named.id}
        if row.category_id:
            return {"category_id": row.category_id.id}
        return {}

    @api.model
    def _rewrite(self, link: str, record_id: int, values: dict, new: bool = False) -> None:
        """The one row of an event or a push (`link` names which), made or rewritten now;
        `new`: the caller knows it has none yet."""
        values = values | {"at": fields.Datetime.now()}
        entry = self.browse() if new else self.sudo().search([(link, "=", record_id)], limit=1)
        if entry:
            entry.write(values)
        else:
            self.sudo().create(values | {link: record_id})

    @api.model
    def _record_note(self, order, woo_order_id: int, store: str, message: str) -> None:
        """A change made by hand (a re-bind), said on the order's timeline."""
        self.sudo().create(
            {
                "sale_order_id": order.id,
                "woo_order_id": woo_order_id,
                "store": store,
                "kind": "note",
                "message": message,
            }
        )

    def action_open_documents(self):
        """The invoices and credit notes the row names."""
        self.ensure_one()
        moves = self.move_ids
        action = {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "name": _("Documents"),
        }
        if len(moves) == 1:
            return action | {"view_mode": "form", "views": [(False, "form")], "res_id": moves.id}
        return action | {
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", moves.ids)],
        }

    # ------------------------------------------------------------------ the timeline API

    @api.model
    def _for_woo_order(self, woo_order_id: int, store: str | None = None) -> dict | None:
        """The order's timeline as JSON, newest first; None when Odoo knows nothing of it.
        Timeline Readers (the relay's read-only key) may read the timeline and the order's
        summary below, not the events or the order themselves: hence sudo once searched."""
        domain = [("woo_order_id", "=", woo_order_id)]
        if store:
            domain.append(("store", "=", store))
        entries = self.search(domain).sudo()
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [("woo_order_id", "=", woo_order_id)]
                + ([("woo_store", "=", store)] if store else []),
                limit=1,
            )
        )
        if not entries and not orders:
            return None
        return {
            "woo_order_id": woo_order_id,
            "order": {
                "id": orders.id,
                "name": orders.name,
                "state": orders.state,
                "amount_total": orders.amount_total,
                "currency": orders.currency_id.name,
            }
            if orders
            else None,
            "entries": [
                {
                    "at": fields.Datetime.to_string(entry.at),
                    "kind": entry.kind,
                    "story": entry.story,
                    "message": entry.message,
                    "warnings": (entry.warnings or "").splitlines(),
                    "details": entry.details or None,
                    "attempts": entry.attempts,
                    "repeats": entry.repeats,
                    "documents": entry.move_ids.mapped("name"),
                    "event_id": entry.event_id.event_id or None,
                    "event_type": entry.event_type or None,
                    "event_state": entry.event_state or None,
                    "trace_id": entry.trace_id or None,
                }
                for entry in entries
            ],
        }
