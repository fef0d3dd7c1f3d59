"""18.0.1.7.0, the catalog made for people: what the store made is shown as Odoo shows it.

- Variable products made variants: Odoo's Product variants setting is switched on.
- With WooCommerce as master, the products it made and sells are ticked "Sell in WooCommerce".
- WooCommerce's core statuses get their names; the codes the store sent are listed in the value
  maps, not mapped.
- Value maps is a section of one menu per kind: its menu opens nothing of its own.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {"elitaco_from_woo": True})
    bindings = env["integration.binding"]
    if bindings.search_count([("model", "=", "product.template")], limit=1):
        env["integration.woo.variant"]._show_variants()
    master = env["ir.config_parameter"].get_param("elitaco_integration.product_master", "odoo")
    if master == "woo":
        env["product.template"].browse(_bound_templates(env)).exists().filtered(
            lambda template: template.active and not template.woo_publish
        ).write({"woo_publish": True})
    maps = env["integration.value.map"]
    for status in maps.search([("kind", "=", "order_status"), ("woo_title", "=", False)]):
        status.woo_title = maps._default_title("order_status", status.woo_value) or False
    maps._find_codes_sent(rescan=True)
    menu = env.ref("elitaco_integration.integration_value_map_menu", raise_if_not_found=False)
    if menu:
        menu.action = False


def _bound_templates(env) -> list[int]:
    """The templates bound in a store, themselves or through one of their variants."""
    env.cr.execute(
        """
        SELECT res_id FROM integration_binding WHERE model = 'product.template'
        UNION
        SELECT product.product_tmpl_id FROM integration_binding binding
          JOIN product_product product ON product.id = binding.res_id
         WHERE binding.model = 'product.product'
        """
    )
    return [row[0] for row in env.cr.fetchall()]
