"""Screenshots of the main screens at 1440×900 in headless Chromium, for the docs and for a
person to look at: `ELITACO_SCREENSHOTS=docs/screenshots bash scripts/test-odoo` writes them
there (otherwise into Odoo's screenshots folder). Each shot waits for what it must show."""

import base64
import json
import os
import struct
from pathlib import Path

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import DEFAULT_SUCCESS_SIGNAL, ChromeBrowser
from odoo.tools import config

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import order_with_a_dead_update

OPEN_INTEGRATION_TAB = """(() => {
    const tab = [...document.querySelectorAll('.o_notebook_headers a')]
        .find((link) => link.textContent.trim() === 'Integration');
    if (tab && !tab.classList.contains('active')) tab.click();
    const timeline = document.querySelector('div[name="integration_timeline_ids"]');
    if (!timeline?.querySelector('.o_data_row')) return false;
    timeline.scrollIntoView({block: 'center'});
    return true;
})()"""


def shown(selector: str) -> str:
    return f"!!document.querySelector({json.dumps(selector)})"


@tagged("-at_install", "post_install")
class TestScreenshots(HttpCase):
    browser_size = "1440x900"
    PROBLEM = ".o_elitaco_integration_problem button[name='action_replay_integration_problems']"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        cls.order, cls.dead = order_with_a_dead_update(env)
        # Sales lists open on "My quotations": the admin sells these two.
        env["sale.order"].search([("woo_order_id", "!=", 0)]).user_id = env.ref("base.user_admin")

    def shoot(self, name: str, url: str, ready: str, login: str = "admin") -> None:
        browser = ChromeBrowser(self, headless=True, success_signal=DEFAULT_SUCCESS_SIGNAL)
        try:
            self.authenticate(login, login, browser=browser)
            self.cr.flush()
            self.cr.clear()
            # The window's size less the browser's own bars: the page itself at 1440×900.
            browser._websocket_request(
                "Emulation.setDeviceMetricsOverride",
                params={"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False},
            )
            browser.navigate_to(self.base_url() + url, wait_stop=True)
            self.assertTrue(browser._wait_ready(ready, timeout=30), f"{name}: not shown")
            self.assertTrue(browser._wait_ready(shown("body:not(:has(.o_loading_indicator))")))
            png = base64.b64decode(browser._websocket_request("Page.captureScreenshot")["data"])
        finally:
            browser.stop()
            self._wait_remaining_requests()
        self.assertEqual(struct.unpack(">II", png[16:24]), (1440, 900), "width and height")
        folder = os.environ.get("ELITACO_SCREENSHOTS")
        target = Path(folder) if folder else Path(config["screenshots"]) / "elitaco"
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{name}.png").write_bytes(png)

    def test_the_order_says_what_failed_and_what_to_do(self):
        self.shoot(
            "order-problem",
            f"/odoo/orders/{self.order.id}",
            shown(
                ".o_elitaco_integration_problem button[name='action_open_integration_value_map']"
            ),
        )

    def test_a_salesperson_reads_the_problem_and_whom_to_ask(self):
        new_test_user(self.env, login="seller", groups="sales_team.group_sale_salesman_all_leads")
        self.shoot(
            "order-problem-salesperson",
            f"/odoo/orders/{self.order.id}",
            shown(".o_elitaco_integration_problem"),
            login="seller",
        )

    def test_the_order_tells_its_story(self):
        self.shoot("order-timeline", f"/odoo/orders/{self.order.id}", OPEN_INTEGRATION_TAB)

    def test_sales_marks_the_orders_with_a_problem(self):
        self.shoot(
            "sales-orders",
            "/odoo/action-sale.action_quotations_with_onboarding",
            shown(".o_data_row button[name='action_open_integration_problem']"),
        )

    def test_the_dead_letters(self):
        self.shoot(
            "dead-letters",
            "/odoo/action-elitaco_integration.integration_event_dead_action",
            shown(".o_list_view .o_data_row"),
        )

    def test_a_dead_letter(self):
        self.shoot(
            "dead-letter",
            f"/odoo/action-elitaco_integration.integration_event_dead_action/{self.dead.id}",
            shown(".o_form_view .alert-danger"),
        )

    def test_the_payment_methods_the_store_sent(self):
        self.env["integration.value.map"]._find_codes_sent(rescan=True)
        self.shoot(
            "payment-methods",
            "/odoo/action-elitaco_integration.integration_value_map_payment_method_action",
            shown(".o_list_view .o_data_row"),
        )

    def test_the_settings(self):
        self.shoot(
            "settings",
            "/odoo/action-elitaco_integration.res_config_settings_action",
            shown(".o_setting_box, .o_settings_container, .app_settings_block"),
        )

    def test_a_store_of_a_second_company(self):
        company = self.env["res.company"].create({"name": "Elitaco Austria"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        store = self.env["integration.store"].create(
            {
                "name": "Shop AT",
                "url": "https://shop.example.at",
                "company_id": company.id,
                "warehouse_id": warehouse.id,
            }
        )
        self.env.ref("base.user_admin").company_ids = [(4, company.id)]
        self.shoot(
            "store-settings",
            f"/odoo/action-elitaco_integration.integration_store_action/{store.id}"
            f"?cids={company.id}",
            shown(".o_form_view div[name='warehouse_id'] :is(a, input)"),
        )
