from odoo.tests import HttpCase, tagged

from .common import envelope

OPEN_INTEGRATION_TAB = """
const started = Date.now();
const openTab = () => {
    const tab = [...document.querySelectorAll('.o_form_view .o_notebook_headers a')]
        .find((link) => link.textContent.trim() === 'Integration');
    if (tab) {
        tab.click();
        check();
    } else if (Date.now() - started > 20000) {
        console.error('no Integration tab on the order form');
    } else {
        setTimeout(openTab, 200);
    }
};
const check = () => {
    const rows = document.querySelectorAll('div[name="integration_timeline_ids"] .o_data_row');
    const text = document.querySelector('div[name="integration_timeline_ids"]')?.innerText || '';
    if (rows.length >= 3 && text.includes('Duplicate delivery ignored')
            && document.querySelector('div[name="woo_order_number"]')?.innerText.includes('4711')) {
        console.log('test successful');
    } else if (Date.now() - started > 30000) {
        console.error(`timeline not shown: ${rows.length} rows: ${text}`);
    } else {
        setTimeout(check, 200);
    }
};
openTab();
"""


@tagged("-at_install", "post_install")
class TestOrderFormUI(HttpCase):
    def test_integration_tab_shows_the_timeline(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "create")
        message = envelope("woo.order.created")
        events = self.env["integration.event"].with_context(elitaco_from_woo=True)
        events.process_envelope(message)
        events.process_envelope(dict(message))
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertEqual(order.integration_event_count, 1)
        self.browser_js(f"/odoo/orders/{order.id}", OPEN_INTEGRATION_TAB, login="admin")


@tagged("-at_install", "post_install")
class TestImportFormUI(HttpCase):
    def test_the_import_shows_its_state_and_what_each_record_became(self):
        """Tour elitaco_import_report (static/tests/tours/import_report.js)."""
        params = self.env["ir.config_parameter"]
        params.set_param("elitaco_integration.product_master", "woo")
        self.env["product.product"].create({"name": "Shirt", "default_code": "SHIRT-LINEN-BLU-M"})
        run = self.env["integration.import"].create({"store_url": "https://shop.example.com"})
        run.action_start()
        run._begin(run.id)
        events = self.env["integration.event"].with_context(elitaco_from_woo=True)
        customer = envelope("woo.customer.updated")
        run._progress(
            run.id,
            "customer",
            [
                {
                    "idempotency_key": customer["idempotency_key"],
                    "woo_id": 27,
                    "event_type": "woo.customer.updated",
                }
            ],
        )
        order = envelope("woo.order.created")
        for message in (
            envelope("woo.product.updated"),  # the shirt Odoo has: matched
            envelope("woo.product.updated", id=124, parent_id=0, type="simple", sku="NEW"),
            order,  # waits for its customer, which never comes: dead
        ):
            message["meta"] = {"import_id": run.id}
            events.process_envelope(message)
        events.mark_dead(order["event_id"], "The worker gave up after 3 retries.")
        for resource in ("product", "customer", "order"):
            run._progress(run.id, resource, [], None, done=True)
        self.assertEqual(run.state, "done_errors")
        self.start_tour(
            f"/odoo/action-elitaco_integration.integration_import_action/{run.id}",
            "elitaco_import_report",
            login="admin",
        )
