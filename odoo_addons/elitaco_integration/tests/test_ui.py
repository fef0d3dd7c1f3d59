from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.tests.common import DISABLED_MAIL_CONTEXT

from .common import envelope, woo_taxes


@tagged("-at_install", "post_install")
class TestOrderFormUI(HttpCase):
    def test_a_salesperson_reads_the_orders_story_on_its_integration_tab(self):
        """Tour elitaco_order_timeline_salesperson (static/tests/tours/order_timeline_tour.js)."""
        env = self.env["base"].with_context(**DISABLED_MAIL_CONTEXT).env
        if not env.company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company=env.company, install_demo=False
            )
        woo_taxes(env)
        bank = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1
        )
        params = env["ir.config_parameter"]
        params.set_param("elitaco_integration.unknown_sku", "create")
        params.set_param("elitaco_integration.invoice_policy", "paid")
        params.set_param("elitaco_integration.payment_journal_id", str(bank.id))
        seller = new_test_user(env, login="seller", groups="sales_team.group_sale_salesman")
        message = envelope("woo.order.updated")  # processing, paid by card
        events = env["integration.event"].with_context(elitaco_from_woo=True)
        self.assertEqual(events.process_envelope(message)["status"], "processed")
        self.assertEqual(events.process_envelope(dict(message))["status"], "duplicate")
        order = env["sale.order"].search([("woo_order_id", "=", 4711)])
        order.user_id = seller
        order.invoice_ids.invoice_user_id = seller
        self.start_tour(
            f"/odoo/orders/{order.id}", "elitaco_order_timeline_salesperson", login="seller"
        )


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
