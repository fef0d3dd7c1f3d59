from lxml import etree

from odoo.tests.common import TransactionCase
from odoo.tools.safe_eval import safe_eval

# Each kind of map: its action, and the columns its list shows (company and store aside).
KINDS = {
    "order_status": ("integration_value_map_order_status_action", {"order_action"}),
    "payment_method": (
        "integration_value_map_payment_method_action",
        {
            "invoice_policy",
            "payment_journal_id",
            "payment_method_line_id",
            "journal_id",
            "payment_term_id",
        },
    ),
    "shipping_method": ("integration_value_map_shipping_method_action", {"delivery_product_id"}),
    "tax_rate": ("integration_value_map_tax_rate_action", {"tax_id"}),
    "currency": ("integration_value_map_currency_action", {"pricelist_id"}),
}
COMMON = {"woo_value", "woo_title", "state"}


class TestValueMapKinds(TransactionCase):
    """One menu per kind of map under Integration › Configuration, each list with that kind's
    columns only, opening on what is not mapped yet."""

    def columns(self, action) -> set[str]:
        context = safe_eval(action.context or "{}")
        maps = self.env["integration.value.map"].with_context(**context)
        view_id = action.view_id.id or False
        arch = maps.get_views([(view_id, "list")])["views"]["list"]["arch"]
        list_view = etree.fromstring(arch)
        return {
            field.get("name")
            for field in list_view.iterfind("field")
            if field.get("column_invisible") not in ("True", "1", "true")
        } - {"company_id", "store_id"}

    def test_each_kind_has_its_menu_and_its_own_columns(self):
        configuration = self.env.ref("elitaco_integration.integration_configuration_menu")
        for kind, (xmlid, targets) in KINDS.items():
            with self.subTest(kind=kind):
                action = self.env.ref(f"elitaco_integration.{xmlid}")
                self.assertIn(("kind", "=", kind), safe_eval(action.domain))
                context = safe_eval(action.context)
                self.assertEqual(context.get("default_kind"), kind)
                self.assertTrue(context.get("search_default_not_mapped"))
                self.assertTrue(action.help, "an empty list says what it is for")
                menu = self.env["ir.ui.menu"].search(
                    [("action", "=", f"{action._name},{action.id}")]
                )
                self.assertEqual(len(menu), 1)
                parents = self.env["ir.ui.menu"].browse(map(int, menu.parent_path.split("/")[:-1]))
                self.assertIn(configuration, parents)
                self.assertEqual(self.columns(action), COMMON | targets)

    def test_the_all_kinds_list_keeps_its_action(self):
        action = self.env.ref("elitaco_integration.integration_value_map_action")
        self.assertEqual(action.res_model, "integration.value.map")
        self.assertIn("kind", self.columns(action))
