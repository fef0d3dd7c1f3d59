from odoo import models

from .integration_woo_product import PRODUCT_MASTER_PARAM


class ProductCategory(models.Model):
    _inherit = "product.category"

    def write(self, vals):
        result = super().write(vals)
        if {"name", "parent_id"} & set(vals):
            self._woo_export()
        return result

    def _woo_export(self) -> None:
        """With Odoo as master of product data, a category WooCommerce has is renamed or moved
        there too (changes made while applying WooCommerce events are not echoed back)."""
        param = self.env["ir.config_parameter"].sudo().get_param(PRODUCT_MASTER_PARAM, "odoo")
        if self.env.context.get("elitaco_from_woo") or param != "odoo":
            return
        self.env["integration.woo.category"]._for_categories(self)
