"""18.0.1.6.0: stores are records (Integration › Configuration › Stores), which products can be
sold in. The store in Settings becomes the first one."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    url = env["ir.config_parameter"].get_param("elitaco_integration.store_url")
    env["integration.store"]._ensure(url)
