from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        deliveries = self.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.state == "done"
                and picking.sale_id.woo_order_id
            )
        )
        outbox = self.env["integration.outbox"]
        # Each delivery tells WooCommerce when it leaves (a backorder ships later, in part).
        for picking in deliveries:
            outbox._for_orders(
                picking.sale_id, "odoo.order.shipped", lambda order, p=picking: _shipment(order, p)
            )
        return result


def _shipment(order, picking) -> dict:
    """One delivery of the order as WooCommerce hears of it: its reference, its carrier and
    tracking number (stock_delivery adds those to pickings), what it holds, and whether the
    order is complete with it."""
    tracking = picking["carrier_tracking_ref"] if "carrier_tracking_ref" in picking._fields else ""
    carrier = picking.carrier_id if "carrier_id" in picking._fields else None
    return {
        "delivery": picking.name,
        "tracking_ref": tracking or None,
        "carrier": carrier.name if carrier else None,
        "shipped_at": fields.Datetime.to_string(picking.date_done).replace(" ", "T") + "Z",
        "complete": order.delivery_status == "full",
        "items": [
            {"name": move.product_id.display_name, "quantity": move.quantity}
            for move in picking.move_ids
            if move.quantity
        ],
    }
