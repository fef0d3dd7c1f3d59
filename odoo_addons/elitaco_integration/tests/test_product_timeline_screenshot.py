import json

from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import STORE, envelope
from .test_product_timeline import green_variation
from .test_screenshots import TestScreenshots
from .test_variant_prices import ADDING_UP, MASTER, PRICELIST, variable_shirt, variation

OPEN_WOOCOMMERCE_TAB = """((rows, banner) => {
    const tab = [...document.querySelectorAll('.o_notebook_headers a')]
        .find((link) => link.textContent.trim() === 'WooCommerce');
    if (tab && !tab.classList.contains('active')) tab.click();
    const timeline = document.querySelector('div[name="woo_timeline_ids"]');
    if (!timeline || timeline.querySelectorAll('.o_data_row').length < rows) return false;
    return !!document.querySelector(banner);
})(%s, %s)"""
DEAD_BANNER = '.o_elitaco_timeline_problem button[name="action_replay_woo_timeline"]'
WARNING_BANNER = ".o_elitaco_timeline_warning"


@tagged("-at_install", "post_install")
class TestProductTimelineScreenshot(HttpCase):
    """The product form as an Integration Manager finds it: a variation's event dead on the
    product (red banner, Replay), its timeline on the WooCommerce tab naming the variants; and
    a contact whose customer event warned (yellow banner)."""

    browser_size = TestScreenshots.browser_size
    shoot = TestScreenshots.shoot

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env["base"].with_context(**DISABLED_MAIL_CONTEXT, elitaco_from_woo=True).env
        params = env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        params.set_param(PRICELIST, "")
        events = env["integration.event"]
        events.process_envelope(variable_shirt())
        for woo_id, price in ADDING_UP.items():
            events.process_envelope(variation(woo_id, price))
        events.process_envelope(variation(143, 24, "2026-03-01T00:00:00"))
        params.set_param("elitaco_integration.unknown_sku", "fail")  # no new colour: dead
        green = green_variation()
        answer = events.process_envelope(green)
        events.mark_dead(green["event_id"], answer["error"]["message"])
        cls.template = env["integration.binding"]._find(STORE, "product.template", 120)
        # Two contacts share the customer's e-mail: the contact made says so.
        params.set_param("elitaco_integration.customer_match", "email")
        for name in ("Zoë M.", "Zoe Mueller"):
            env["res.partner"].create({"name": name, "email": "zoe.mueller@example.org"})
        events.process_envelope(envelope("woo.customer.created"))
        cls.partner = env["integration.binding"]._find(STORE, "res.partner", 27)

    def test_the_product_tells_its_story(self):
        self.shoot(
            "product-timeline",
            f"/odoo/action-product.product_template_action/{self.template.id}",
            OPEN_WOOCOMMERCE_TAB % (3, json.dumps(DEAD_BANNER)),
        )

    def test_the_contact_tells_its_story(self):
        self.shoot(
            "contact-timeline",
            f"/odoo/action-base.action_partner_form/{self.partner.id}",
            OPEN_WOOCOMMERCE_TAB % (1, json.dumps(WARNING_BANNER)),
        )
