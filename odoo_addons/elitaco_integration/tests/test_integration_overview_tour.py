from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import envelope, woo_taxes


@tagged("-at_install", "post_install")
class TestIntegrationOverviewTour(HttpCase):
    def test_the_integration_app_opens_on_the_overview_whose_counts_open_their_lists(self):
        env = self.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        woo_taxes(env)
        events = env["integration.event"].with_context(elitaco_from_woo=True)
        for woo_id in (4713, 4714):
            message = envelope("woo.order.created", id=woo_id, number=str(woo_id), currency="ZZZ")
            answer = events.process_envelope(message)
            events.mark_dead(message["event_id"], answer["error"]["message"])
        env["integration.alert"]._raise(
            "https://shop.example.com", "webhook", "no webhook sends order.created", 1
        )
        env["integration.store"].search([("key", "=", "shop.example.com")]).write(
            {"webhooks_checked_at": "2026-02-01 10:00:00"}
        )
        self.start_tour("/odoo", "elitaco_integration_overview", login="admin")
