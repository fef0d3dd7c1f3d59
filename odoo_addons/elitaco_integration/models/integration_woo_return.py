from collections import defaultdict

from odoo import Command, _, api, models

from ..tools import amount

RESTOCKED_META = "_restock_refunded_items"


class IntegrationWooReturn(models.AbstractModel):
    _name = "integration.woo.return"
    _description = "Goods WooCommerce restocked on a refund, back into Odoo as returns"

    @api.model
    def _return_restocked(self, store: str, order, data: dict) -> tuple[list[str], list[str]]:
        """When a refund restocked items in WooCommerce (its order lines then carry how many in
        `_restock_refunded_items`) that Odoo had delivered, a return of them is created and
        left for the warehouse to validate when the goods arrive. Counted against the returns
        the order already has, so a redelivery creates nothing twice."""
        restocked: dict = defaultdict(float)
        for item in data.get("line_items") or []:
            metas = [m for m in item.get("meta_data") or [] if m.get("key") == RESTOCKED_META]
            if not metas:
                continue
            where = _("Line %s restocked quantity", item.get("id"))
            quantity = sum(amount(meta.get("value"), where) for meta in metas)
            if quantity <= 0:
                continue
            line = self.env["integration.woo.order.line"]._order_line(
                store, order, item.get("id"), item.get("variation_id") or item.get("product_id")
            )
            if line:
                restocked[line] += quantity
        to_return: dict = {}
        for line, quantity in restocked.items():
            delivered = line.move_ids.filtered(
                lambda move: (
                    move.state == "done"
                    and move.location_dest_id.usage == "customer"
                    and not move.origin_returned_move_id
                )
            )
            returning = sum(
                line.move_ids.filtered(
                    lambda move: move.origin_returned_move_id and move.state != "cancel"
                ).mapped("product_uom_qty")
            )
            wanted = min(quantity, sum(delivered.mapped("quantity"))) - returning
            for move in delivered:
                if wanted <= 0:
                    break
                taken = min(wanted, move.quantity)
                to_return[move] = taken
                wanted -= taken
        changes = []
        for picking in {move.picking_id for move in to_return}:
            # sudo, as Odoo's procurement makes the deliveries of an order a salesperson
            # confirms: the workers create a draft for the warehouse, they validate nothing.
            wizard = (
                self.env["stock.return.picking"]
                .sudo()
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({"picking_id": picking.id})
            )
            wizard.product_return_moves = [
                Command.update(return_line.id, {"quantity": to_return.get(return_line.move_id, 0)})
                for return_line in wizard.product_return_moves
            ]
            returned = wizard._create_return()
            changes.append(
                _(
                    "Return %(return)s created for what WooCommerce restocked on a refund "
                    "(%(what)s): validate it when the goods are back.",
                    **{
                        "return": returned.name,
                        "what": ", ".join(
                            f"{move.product_uom_qty:g} x {move.product_id.display_name}"
                            for move in returned.move_ids
                        ),
                    },
                )
            )
        return changes, []
