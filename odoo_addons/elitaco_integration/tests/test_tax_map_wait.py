from odoo.tests import new_test_user, tagged

from .common import IntegrationCase, WorkerCase, envelope, woo_taxes

SHOP = "https://shop.example.com"


def without_rate_1(env):
    """Rate 1 (MwSt. 21 %) of the example orders has neither a value map nor an Odoo tax of
    its percentage; a 21 % tax for the map to name, made afterwards."""
    env["integration.value.map"].search([("kind", "=", "tax_rate")]).unlink()
    env["account.tax"].search([("amount", "=", 21)]).write({"active": False})


def new_21(env):
    tax_21 = env["account.tax"].with_context(active_test=False).search([("amount", "=", 21)])[:1]
    return tax_21.copy({"name": "USt 21%", "active": True})


def waiting_activities(env):
    return env["mail.activity"].search(
        [("res_model", "=", "integration.value.map"), ("summary", "ilike", "tax rate 1")]
    )


class TestTaxMapWait(IntegrationCase):
    """An order charged a tax Odoo cannot book waits as a quotation for its tax map, and is
    completed by itself once the map exists."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="tax-manager", groups="elitaco_integration.group_integration_manager"
        )
        without_rate_1(cls.env)

    def wait(self, woo_id: int) -> dict:
        message = envelope("woo.order.updated", id=woo_id, number=str(woo_id))
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed", answer)
        self.assertFalse(answer["error"]["retryable"])
        self.Event.mark_dead(message["event_id"], answer["error"]["message"])  # as the relay does
        return answer

    def test_an_order_with_an_unknown_tax_rate_waits_as_a_quotation_and_says_why(self):
        answer = self.wait(4711)
        self.assertIn("tax rate 1 (MwSt. 21", answer["error"]["message"])
        self.assertIn("56.75 instead of 67.55 EUR", answer["error"]["message"])
        order = self.woo_order()
        self.assertEqual(order.state, "draft", "not confirmed at its net total")
        self.assertTrue(order.integration_problem)
        self.assertIn("kept as a quotation", order.integration_problem_message)
        self.assertIn("Map the tax rate 1", order.integration_problem_action)
        self.assertEqual(order.woo_tax_map_wait_ids.mapped("woo_value"), ["1"])
        self.assertEqual(self.Order.search([("woo_tax_map_wait_ids", "!=", False)]), order)
        [activity] = waiting_activities(self.env)
        self.assertTrue(activity.user_id.has_group("elitaco_integration.group_integration_manager"))
        self.assertIn("1 WooCommerce order", activity.note)

    def test_the_map_completes_every_waiting_order_and_closes_the_one_activity(self):
        self.wait(4711)
        self.wait(4712)
        [activity] = waiting_activities(self.env)
        self.assertIn("2 WooCommerce orders", activity.note)
        # What the banner's "Open the value map" opens: the rate's row, listed as Not mapped.
        opened = self.woo_order().with_user(self.manager).action_open_integration_value_map()
        value_map = self.env["integration.value.map"].with_user(self.manager)
        self.assertEqual(opened["res_id"], activity.res_id)
        value_map.browse(opened["res_id"]).write({"tax_id": new_21(self.env).id})
        for woo_id in (4711, 4712):
            order = self.woo_order(woo_id)
            self.assertEqual(order.state, "sale")
            self.assertEqual(order.currency_id.compare_amounts(order.amount_total, 67.55), 0)
            self.assertFalse(order.integration_problem)
            self.assertFalse(order.woo_tax_map_wait_ids)
        self.assertFalse(waiting_activities(self.env), "marked done")


@tagged("-at_install", "post_install")
class TestTaxMapWaitAsIntegrationUser(WorkerCase):
    """The workers' path: the Integration User's key, the dead letter, an import's report."""

    def test_a_first_import_waits_for_the_tax_map_then_completes_its_orders(self):
        env = self.env
        woo_taxes(env)
        without_rate_1(env)
        manager = new_test_user(
            env, login="tax-manager", groups="elitaco_integration.group_integration_manager"
        )
        run = env["integration.import"].create({"store_url": SHOP, "import_customers": False})
        run.action_start()
        auth = {"Authorization": f"Bearer {self.api_key}"}
        self.make_jsonrpc_request("/elitaco/v1/imports/begin", {"import_id": run.id}, headers=auth)
        for woo_id in (4711, 4712):
            message = envelope("woo.order.updated", id=woo_id, number=str(woo_id))
            message["meta"] = dict(message.get("meta") or {}, import_id=run.id)
            answer = self.post_event(message, self.api_key)
            self.assertEqual(answer["status"], "failed", answer)
            dead = self.make_jsonrpc_request(
                "/elitaco/v1/events/dead",
                {"event_id": message["event_id"], "error": answer["error"]["message"]},
                headers=auth,
            )
            self.assertEqual(dead["status"], "dead")
        orders = env["sale.order"].search([("woo_order_id", "in", (4711, 4712))])
        self.assertEqual(orders.mapped("state"), ["draft", "draft"])
        self.assertEqual(orders.create_uid, self.worker)
        [activity] = waiting_activities(env)
        self.assertIn("2 WooCommerce orders", activity.note)
        self.assertEqual(run.line_ids.filtered("resource").mapped("outcome"), ["failed"] * 2)

        env["integration.value.map"].with_user(manager).search(
            [("kind", "=", "tax_rate"), ("woo_value", "=", "1")]
        ).write({"tax_id": new_21(env).id})
        self.assertEqual(orders.mapped("state"), ["sale", "sale"])
        self.assertEqual(orders.mapped("amount_total"), [67.55, 67.55])
        self.assertFalse(waiting_activities(env))
        self.assertNotIn("failed", run.line_ids.filtered("resource").mapped("outcome"))

    def test_a_worker_without_an_email_leaves_the_managers_their_to_do(self):
        woo_taxes(self.env)
        without_rate_1(self.env)
        worker = new_test_user(
            self.env,
            login="rq-worker-no-email",
            groups="elitaco_integration.group_integration_user",
            email=False,
        )
        key = (
            self.env["res.users.apikeys"]
            .with_user(worker)
            ._generate(None, "relay workers", self.api_key_expires)
        )
        answer = self.post_event(envelope("woo.order.updated"), key)
        self.assertEqual(answer["error"]["code"], "rejected", answer)
        [activity] = waiting_activities(self.env)
        self.assertIn("1 WooCommerce order waits", activity.note)
