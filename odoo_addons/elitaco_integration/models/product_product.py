from odoo import api, models

from ..variant_cache import variant_caches_cleared_only

# A variant's own fields among those WooCommerce shows (the rest are its template's).
EXPORTED_VARIANT_FIELDS = {"default_code", "weight", "active", "lst_price"}


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("elitaco_from_woo"):
            return super().create(vals_list)
        with variant_caches_cleared_only(self.env):
            return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if EXPORTED_VARIANT_FIELDS & set(vals):
            self.product_tmpl_id.filtered("woo_publish")._woo_export()
        return result

    def action_open_woo_events(self):
        """The variant form's button: the events of its product and all its variants."""
        return self.product_tmpl_id.action_open_woo_events()

    def action_open_woo_timeline(self):
        """The variant form's buttons: its product's timeline (every variant's rows)."""
        return self.product_tmpl_id.action_open_woo_timeline()

    def action_replay_woo_timeline(self):
        return self.product_tmpl_id.action_replay_woo_timeline()
