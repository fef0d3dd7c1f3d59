from odoo import api, models

from .integration_store_settings import STORE_PARAMETERS

SETTING_OF_PARAMETER = {param: name for name, param in STORE_PARAMETERS.items()}


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model
    def set_param(self, key, value):
        """A store's setting set as the system parameter it was before Odoo had several stores
        (scripts, `odoo shell`) is the default store's."""
        old = super().set_param(key, value)
        if key in SETTING_OF_PARAMETER and not self.env.context.get("elitaco_settings_save"):
            self.env["integration.store"]._follow_parameter(SETTING_OF_PARAMETER[key])
        return old
