from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        deliveries = self.filtered(
            lambda picking: picking.picking_type_code == "outgoing" and picking.state == "done"
        )
        shipped = deliveries.sale_id.filtered(
            lambda order: order.woo_order_id and order.delivery_status == "full"
        )
        self.env["integration.outbox"]._for_orders(shipped, "odoo.order.shipped", _shipment)
        return result


def _shipment(order) -> dict:
    """The tracking reference and carrier of the order's deliveries (stock_delivery adds them
    to pickings; without it the delivery's reference stands in)."""
    pickings = order.picking_ids.filtered(
        lambda picking: picking.picking_type_code == "outgoing" and picking.state == "done"
    )
    references = [
        (picking["carrier_tracking_ref"] if "carrier_tracking_ref" in picking._fields else False)
        or picking.name
        for picking in pickings
    ]
    carriers = [
        picking.carrier_id.name
        for picking in pickings
        if "carrier_id" in picking._fields and picking.carrier_id
    ]
    return {"tracking_ref": ", ".join(references) or None, "carrier": ", ".join(carriers) or None}
