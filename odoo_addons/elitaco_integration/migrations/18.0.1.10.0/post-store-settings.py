"""18.0.1.10.0: a store's settings are on its record (several stores in one Odoo). What Settings
› Integration held (system parameters) goes onto each store Odoo has, the store in Settings
first made when it is not a record yet: every store goes on as before."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    stores = env["integration.store"].with_context(active_test=False)
    url = env["ir.config_parameter"].get_param("elitaco_integration.store_url")
    stores._ensure(url)
    for store in stores.search([]):
        # Checked together when Settings saved them; a journal of another company is left out.
        values = stores._settings_from_parameters(store.company_id)
        store.with_context(elitaco_from_parameter=True).write(values)
