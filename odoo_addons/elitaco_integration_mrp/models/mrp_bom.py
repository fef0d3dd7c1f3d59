from odoo import api, models


class MrpBom(models.Model):
    """A kit made, changed or unmade in Odoo changes what WooCommerce may sell of its product:
    its stock is pushed again."""

    _inherit = "mrp.bom"

    @api.model_create_multi
    def create(self, vals_list):
        boms = super().create(vals_list)
        boms._push_kit_stock()
        return boms

    def write(self, vals):
        kits = self._kit_products()
        result = super().write(vals)
        self.env["integration.woo.stock"]._for_stock(kits | self._kit_products())
        return result

    def unlink(self):
        kits = self._kit_products()
        result = super().unlink()
        self.env["integration.woo.stock"]._for_stock(kits)
        return result

    def _kit_products(self):
        kits = self.filtered(lambda bom: bom.type == "phantom")
        return self.env["integration.woo.stock"]._bom_products(kits)

    def _push_kit_stock(self):
        self.env["integration.woo.stock"]._for_stock(self._kit_products())
