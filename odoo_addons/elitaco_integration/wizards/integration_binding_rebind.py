from odoo import fields, models


class IntegrationBindingRebind(models.TransientModel):
    """An Integration Manager binds a WooCommerce id to another Odoo record of its kind: the
    order, customer or product it should have been."""

    _name = "integration.binding.rebind"
    _description = "Re-bind a WooCommerce id to another Odoo record"

    binding_id = fields.Many2one(
        "integration.binding", required=True, readonly=True, ondelete="cascade"
    )
    model = fields.Selection(related="binding_id.model")
    store = fields.Char(related="binding_id.store")
    external_id = fields.Integer(related="binding_id.external_id")
    current_ref = fields.Reference(related="binding_id.record_ref", string="Bound to")
    res_id = fields.Many2oneReference(string="Bind to instead", model_field="model", required=True)

    def action_rebind(self):
        self.ensure_one()
        self.binding_id._rebind(self.env[self.model].browse(self.res_id))
        return {"type": "ir.actions.act_window_close"}
