from lxml import etree

from odoo.tests import TransactionCase


class TestOutboxScreen(TransactionCase):
    """Integration › Outbox reads as Odoo's own lists: help when empty, filters and
    group-bys for what one looks for there."""

    def test_an_empty_outbox_says_what_it_is_for(self):
        action = self.env.ref("elitaco_integration.integration_outbox_action")
        self.assertIn("o_view_nocontent_smiling_face", action.help or "")

    def test_the_outbox_filters_and_groups_by_state_type_and_store(self):
        search = self.env["integration.outbox"].get_views([(False, "search")])
        arch = etree.fromstring(search["views"]["search"]["arch"])
        filters = {node.get("name"): node for node in arch.iter("filter")}
        for name in ("pending", "done", "dead"):
            self.assertIn(name, filters)
        self.assertEqual(arch.xpath("//field/@name").count("store"), 1, "searched by store")
        group_bys = {
            node.get("context")
            for node in filters.values()
            if "group_by" in node.get("context", "")
        }
        for field in ("state", "event_type", "store"):
            self.assertIn(f"{{'group_by': '{field}'}}", group_bys)
