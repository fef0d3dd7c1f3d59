from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from . import test_screenshots
from .common import envelope, woo_taxes


@tagged("-at_install", "post_install")
class TestIntegrationOverviewScreenshot(HttpCase):
    """Integration › Overview at 1440×900, written with the other screenshots."""

    browser_size = "1440x900"
    shoot = test_screenshots.TestScreenshots.shoot

    def test_the_overview_shows_each_store_and_what_needs_a_person(self):
        env = self.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        woo_taxes(env)
        events = env["integration.event"].with_context(elitaco_from_woo=True)
        events.process_envelope(envelope("woo.order.created"))
        message = envelope("woo.order.created", id=4713, number="4713", currency="ZZZ")
        answer = events.process_envelope(message)
        events.mark_dead(message["event_id"], answer["error"]["message"])
        env["integration.store"]._ensure("https://second-shop.example.com").write(
            {"name": "Second shop", "webhooks_checked_at": "2026-02-01 10:00:00"}
        )
        self.shoot(
            "integration-overview",
            "/odoo/action-elitaco_integration.integration_store_overview_action",
            test_screenshots.shown(".o_elitaco_overview .o_elitaco_dead")
            + " && "
            + test_screenshots.shown(".o_elitaco_overview .o_elitaco_all_well"),
        )
