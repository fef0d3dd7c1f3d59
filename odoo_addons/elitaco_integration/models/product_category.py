from odoo import fields, models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "integration.timeline.mixin"]
    _woo_timeline_link = "category_id"

    woo_timeline_ids = fields.One2many(
        "integration.timeline",
        "category_id",
        string="WooCommerce timeline",
        readonly=True,
        groups="elitaco_integration.group_integration_reader",
        help="The category's pushes to WooCommerce (renamed or moved in Odoo).",
    )

    def write(self, vals):
        result = super().write(vals)
        if {"name", "parent_id"} & set(vals):
            self._woo_export()
        return result

    def _woo_export(self) -> None:
        """With Odoo as master of product data, a category WooCommerce has is renamed or moved
        there too (changes made while applying WooCommerce events are not echoed back)."""
        if self.env.context.get("elitaco_from_woo"):
            return
        if "odoo" not in self.env["integration.store"]._product_masters():
            return
        self.env["integration.woo.category"]._for_categories(self)
