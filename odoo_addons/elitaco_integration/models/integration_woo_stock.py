from odoo import _, api, models


class IntegrationWooStock(models.AbstractModel):
    """Odoo's stock pushed to WooCommerce: what the shop may still sell of each bound product
    whose inventory Odoo tracks. A push only: no WooCommerce stock figure is applied in Odoo."""

    _name = "integration.woo.stock"
    _description = "Odoo stock pushed to WooCommerce"

    @api.model
    def _for_stock(self, products):
        """Queue a stock push for bound products; one pending row per product is enough,
        since the quantity is read when a worker claims it. A row already claimed carries the
        quantity of its claim, so a change after it queues another. Products whose inventory
        Odoo does not track have no quantity to tell (it would read 0 and stop the shop
        selling them). Returns the outbox rows queued."""
        outbox = self.env["integration.outbox"]
        products = products.filtered("is_storable")
        if self.env.context.get("elitaco_from_woo") or not products:
            return outbox.browse()
        stores_of = self.env["integration.binding"]._bound_stores(products)
        return outbox._queue("odoo.stock.changed", "product_id", stores_of)

    @api.model
    def _for_moves(self, moves):
        """Queue the stock push of what `moves` moved, done or reserved or given back."""
        return self._for_stock(moves.product_id)

    # ------------------------------------------------------------------ the outbox's pushes

    @api.model
    def _push_data(self, row) -> dict:
        return {"items": [self._stock_item(row)]}

    @api.model
    def _push_answered(self, row, response: str | None, ok: bool) -> None:
        """A stock push makes nothing in WooCommerce: nothing to bind."""

    @api.model
    def _push_summary(self, row) -> str:
        return _("stock of %s", row.product_id.display_name)

    @api.model
    def _stock_item(self, row) -> dict:
        binding = self.env["integration.binding"]._record_binding(row.store, row.product_id)
        warehouse = self.env["integration.store"]._for_key(row.store).warehouse_id
        product = row.product_id
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
        quoted = self._quoted_quantity(product, warehouse)
        return self._free_quantity(product, warehouse) - unreserved - quoted

    @api.model
    def _quotation_lines(self, products, warehouse):
        """Lines of `products` on WooCommerce orders that are still quotations in Odoo."""
        return (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [
                    ("product_id", "in", products.ids),
                    ("order_id.state", "in", ("draft", "sent")),
                    ("order_id.woo_order_id", "!=", 0),
                ]
                + ([("order_id.warehouse_id", "=", warehouse.id)] if warehouse else [])
            )
        )

    @api.model
    def _quoted_quantity(self, product, warehouse) -> float:
        """What WooCommerce orders still quotations in Odoo take of `product`."""
        return sum(
            line.product_uom._compute_quantity(line.product_uom_qty, product.uom_id)
            for line in self._quotation_lines(product, warehouse)
        )

    @api.model
    def _free_quantity(self, product, warehouse) -> float:
        """Odoo's free quantity of `product` (read in `warehouse`'s context); the kits bridge
        (elitaco_integration_mrp) reads a kit's from what its components may still sell."""
        return product.free_qty
