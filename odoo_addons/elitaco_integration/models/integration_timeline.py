from odoo import api, fields, models

KINDS = [
    ("received", "Received"),
    ("processed", "Processed"),
    ("duplicate", "Duplicate ignored"),
    ("ignored", "Ignored"),
    ("failed", "Failed"),
    ("retried", "Retried"),
    ("dead", "Dead"),
    ("replayed", "Replayed"),
    ("warning", "Warning"),
    ("outbound", "Pushed to WooCommerce"),
]


class IntegrationTimeline(models.Model):
    _name = "integration.timeline"
    _description = "Integration timeline entry of an order"
    _order = "id desc"

    sale_order_id = fields.Many2one("sale.order", index=True, ondelete="cascade")
    woo_order_id = fields.Integer(string="WooCommerce order", index=True)
    store = fields.Char()
    event_id = fields.Many2one("integration.event", index=True, ondelete="cascade")
    event_type = fields.Char(related="event_id.event_type")
    event_state = fields.Selection(related="event_id.state", string="Event state")
    trace_id = fields.Char(related="event_id.trace_id")
    kind = fields.Selection(KINDS, required=True)
    message = fields.Char(required=True)
    details = fields.Text()

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
                    "at": fields.Datetime.to_string(entry.create_date),
                    "kind": entry.kind,
                    "message": entry.message,
                    "details": entry.details or None,
                    "event_id": entry.event_id.event_id or None,
                    "event_type": entry.event_type or None,
                    "event_state": entry.event_state or None,
                    "trace_id": entry.trace_id or None,
                }
                for entry in entries
            ],
        }
