from odoo import _, api, models


class IntegrationWooOrderStatus(models.AbstractModel):
    """A WooCommerce order's status as the sale order's state (value maps of order statuses):
    confirmed, cancelled with its invoices reversed, or back to a quotation."""

    _name = "integration.woo.order.status"
    _description = "WooCommerce order statuses into Odoo sale order states"

    @api.model
    def _status_action(self, status: str, store: str = "") -> tuple[str, list[str]]:
        value_map = self.env["integration.value.map"]._lookup("order_status", status, store)
        if value_map:
            return value_map.order_action, []
        return "quotation", [
            _(
                "Status %s has no mapping (Integration › Configuration › Value maps › Order "
                "statuses); the order is kept as a quotation.",
                status,
            )
        ]

    @api.model
    def _apply_status(self, order, action: str, status: str) -> list[str]:
        if action == "confirm" and order.state in ("draft", "sent", "cancel"):
            if order.state == "cancel":
                order.action_draft()
            order.action_confirm()
            return [_("Confirmed (WooCommerce status %s).", status)]
        if action == "cancel" and order.state != "cancel":
            kept = self._kept_from_cancel(order, status)
            if kept:
                return [kept]
            reversed_invoices = self._reverse_invoices(order, status)
            # Odoo refusing is a failed event (retried or dead, and replayable), never a note.
            order.with_context(disable_cancel_warning=True).action_cancel()
            return [_("Cancelled (WooCommerce status %s).", status)] + reversed_invoices
        if action == "quotation" and order.state == "cancel":
            order.action_draft()
            return [_("Back to quotation (WooCommerce status %s).", status)]
        return []

    @api.model
    def _kept_from_cancel(self, order, status: str) -> str | None:
        """Why an order WooCommerce cancels, refunds or trashes stays as it is: what shipped is
        taken back with a return and credited, never cancelled; a refunded invoice gets credit
        notes (integration.woo.payment)."""
        shipped = order.picking_ids.filtered(
            lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing"
        )
        if shipped:
            return _(
                "Not cancelled (WooCommerce status %(status)s): %(pickings)s shipped. A refund "
                "is a credit note and a return, never a cancellation of what shipped.",
                status=status,
                pickings=", ".join(shipped.mapped("name")),
            )
        if status == "refunded" and self._posted_invoices(order):
            return _(
                "Not cancelled (WooCommerce status refunded): it is invoiced, and the refunds "
                "are booked as credit notes."
            )
        return None

    @api.model
    def _reverse_invoices(self, order, status: str) -> list[str]:
        """A cancelled order leaves no invoice open: each posted one is reversed in full."""
        changes = []
        for invoice in self._posted_invoices(order):
            credit_note = invoice._reverse_moves(
                [
                    {
                        "ref": _(
                            "WooCommerce status %(status)s: %(invoice)s",
                            status=status,
                            invoice=invoice.name,
                        )
                    }
                ],
                cancel=True,
            )
            changes.append(
                _(
                    "Invoice %(invoice)s reversed by %(credit_note)s.",
                    invoice=invoice.name,
                    credit_note=credit_note.name,
                )
            )
        return changes

    @staticmethod
    def _posted_invoices(order):
        return order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
