from odoo import api, fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    woo_timeline_ids = fields.One2many(
        "integration.timeline",
        "category_id",
        string="WooCommerce timeline",
        readonly=True,
        groups="elitaco_integration.group_integration_reader",
        help="The category's pushes to WooCommerce (renamed or moved in Odoo).",
    )
    woo_timeline_count = fields.Integer(
        compute="_compute_woo_timeline", groups="elitaco_integration.group_integration_reader"
    )
    woo_timeline_problem = fields.Text(
        compute="_compute_woo_timeline", groups="elitaco_integration.group_integration_reader"
    )
    woo_timeline_level = fields.Char(
        compute="_compute_woo_timeline", groups="elitaco_integration.group_integration_reader"
    )

    @api.depends_context("uid")
    def _compute_woo_timeline(self):
        self.env["integration.timeline"]._summarize(self, "category_id")

    def action_open_woo_timeline(self):
        return self.env["integration.timeline"]._action_of(self, "category_id")

    def action_replay_woo_timeline(self):
        return self.env["integration.timeline"]._replay_problems(self, "category_id")

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
