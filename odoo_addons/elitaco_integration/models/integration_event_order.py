from odoo import Command, models


class IntegrationEvent(models.Model):
    """An event and the order it concerns: the order it is bound to, and its row on that
    order's timeline."""

    _inherit = "integration.event"

    def _bound_order(self):
        """The sale order an order event's WooCommerce order is bound to, if any yet."""
        woo_order_id = self._woo_order_id()
        if not woo_order_id:
            return self.env["sale.order"]
        bindings = self.env["integration.binding"]
        return bindings._find(self.store, "sale.order", woo_order_id) or self.env["sale.order"]

    def _woo_order_id(self) -> int | None:
        if self.event_type.startswith("woo.order."):
            return self.woo_resource_id or None
        return None

    def _timeline(
        self,
        kind: str,
        message: str,
        details: str | None = None,
        warnings: list[str] | None = None,
        moves=None,
        first_row: bool = False,
    ) -> None:
        """Events tell their record's timeline where they stand, one row each: an order's,
        a product's (a variation's on its product) or a contact's (integration_event_catalog);
        others (coupons, Odoo's own) live in the ledger only. `first_row`: the outcome of the
        event's first attempt, which has no row yet."""
        values = {
            "kind": kind,
            "message": message,
            "details": details,
            "warnings": "\n".join(warnings or []) or False,
        }
        if moves is not None:
            values["move_ids"] = [Command.set(moves.ids)]
        if self.env.context.get("elitaco_replayed_by"):
            values["replayed_by_id"] = self.env.context["elitaco_replayed_by"]
        self.env["integration.timeline"]._record_event(self, values, first_row)

    def _moves_written(self, order):
        """The order's invoices and credit notes this transaction made or changed."""
        if not order:
            return self.env["account.move"]
        now = self.env.cr.now()
        return order.sudo().invoice_ids.filtered(lambda move: move.write_date == now)

    def _attach_order_history(self, order) -> None:
        """Entries written before the order existed (a failed first attempt) join it now."""
        domain = [
            ("woo_order_id", "=", order.woo_order_id),
            ("store", "=", order.woo_store),
            ("sale_order_id", "=", False),
        ]
        self.env["integration.timeline"].search(domain).write({"sale_order_id": order.id})
        self.search(
            [
                ("event_type", "like", "woo.order.%"),
                ("store", "=", order.woo_store),
                ("woo_resource_id", "=", order.woo_order_id),
                ("sale_order_id", "=", False),
            ]
        ).write({"sale_order_id": order.id})
