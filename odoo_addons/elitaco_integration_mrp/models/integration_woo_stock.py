from odoo import api, models

QUANTITIES = ("virtual_available", "qty_available", "incoming_qty", "outgoing_qty", "free_qty")


class IntegrationWooStock(models.AbstractModel):
    """Kits in the stock pushes: a kit's quantity is what its components may still sell, and a
    component's change pushes the kits made of it."""

    _inherit = "integration.woo.stock"

    @api.model
    def _for_stock(self, products):
        return super()._for_stock(products | self._kits_of(products))

    @api.model
    def _for_moves(self, moves):
        """A WooCommerce order's own moves push nothing (WooCommerce counted the product it
        sold), but the components of a kit it sold are other products: WooCommerce counted
        neither them nor the other kits made of them."""
        queued = super()._for_moves(moves)
        if not self.env.context.get("elitaco_from_woo"):
            return queued
        components = moves.filtered("bom_line_id").product_id
        sold = moves.sale_line_id.product_id
        changed = (components | self._kits_of(components)) - sold
        # Not this class's _for_stock: the kits of the components would bring the sold kit back.
        unsold = super(IntegrationWooStock, self.with_context(elitaco_from_woo=False))
        return queued | unsold._for_stock(changed)

    @api.model
    def _kits_of(self, products):
        """The kits `products` are components of, and the kits those are components of."""
        kits = products.browse()
        found = products
        while found:
            lines = (
                self.env["mrp.bom.line"]
                .sudo()
                .search(
                    [
                        ("product_id", "in", found.ids),
                        ("bom_id.type", "=", "phantom"),
                        ("bom_id.active", "=", True),
                    ]
                )
            )
            found = products.browse(self._bom_products(lines.bom_id).ids) - kits - products
            kits |= found
        return kits

    @api.model
    def _bom_products(self, boms):
        """The variants a bill of materials is for (one, or every variant of its product)."""
        variants = self.env["product.product"]
        for bom in boms.sudo():
            variants |= bom.product_id or bom.product_tmpl_id.product_variant_ids
        return variants

    @api.model
    def _free_quantity(self, product, warehouse) -> float:
        """A kit's free quantity is Odoo's (mrp's `_compute_quantities_dict`: how many kits the
        components make, by its bill of materials and units), counted from what each component
        may still sell rather than from its free quantity alone: a component promised and not
        reserved yet, or on hold in WooCommerce, makes no kit. mrp reads the components'
        quantities from its `mrp_compute_quantities` context when they are there."""
        bom = self._kit_bom(product)
        if not bom:
            return super()._free_quantity(product, warehouse)
        _boms, lines = bom.explode(product, 1)  # nested kits exploded into their components
        components = product.browse({line.product_id.id for line, _data in lines})
        sellable = {
            component.id: dict.fromkeys(QUANTITIES, self._sellable_quantity(component, warehouse))
            for component in components
        }
        quantities = product.with_context(mrp_compute_quantities=sellable)
        return quantities._compute_quantities_dict(False, False, False)[product.id]["free_qty"]

    @api.model
    def _quoted_quantity(self, product, warehouse) -> float:
        """A kit on hold in WooCommerce takes its components: counted in each component's
        quantity (so in the kit's, through them), not in the kit's own again."""
        if self._kit_bom(product):
            return 0.0
        quoted = super()._quoted_quantity(product, warehouse)
        for line in self._quotation_lines(self._kits_of(product), warehouse):
            kit = line.product_id
            bom = self._kit_bom(kit)
            if not bom:
                continue
            kits = line.product_uom._compute_quantity(line.product_uom_qty, bom.product_uom_id)
            _boms, lines = bom.explode(kit, kits)
            quoted += sum(
                bom_line.product_uom_id._compute_quantity(data["qty"], product.uom_id)
                for bom_line, data in lines
                if bom_line.product_id == product
            )
        return quoted

    @api.model
    def _kit_bom(self, product):
        """The kit bill of materials of `product`, if it is a kit."""
        return self.env["mrp.bom"].sudo()._bom_find(product, bom_type="phantom").get(product)
