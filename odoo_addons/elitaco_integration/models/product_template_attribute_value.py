from odoo import models


class ProductTemplateAttributeValue(models.Model):
    _inherit = "product.template.attribute.value"

    def write(self, vals):
        result = super().write(vals)
        if "price_extra" in vals:  # a variation's price in WooCommerce
            self.product_tmpl_id.filtered("woo_publish")._woo_export()
        return result
