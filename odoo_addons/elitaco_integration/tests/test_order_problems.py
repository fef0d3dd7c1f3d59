"""A WooCommerce order whose event could not be applied says so on the order itself, in words,
with the button that fixes it; a replay says how it went; a newer state applied clears it."""

import ast

from odoo.tests import new_test_user

from ..tools import explain_odoo_error
from .common import IntegrationCase, envelope
from .test_payments import PaymentsCase

PAID_LATER = "2026-02-21T09:00:00"


class TestOrderProblems(PaymentsCase, IntegrationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Invoice and pay when paid, with no default payment journal: cash on delivery, which
        # has no value map, cannot be booked.
        cls.env["ir.config_parameter"].set_param("elitaco_integration.payment_journal_id", "")

    def die(self, message: dict):
        """Processed and given up on, as a worker does after a rejection."""
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed", answer)
        self.Event.mark_dead(message["event_id"], answer["error"]["message"])
        return self.Event.search([("event_id", "=", message["event_id"])])

    def cash_on_delivery(self, modified: str = PAID_LATER) -> dict:
        return envelope(
            "woo.order.updated",
            payment_method="cod",
            payment_method_title="Cash on delivery",
            date_modified_gmt=modified,
        )

    def on_hold(self, modified: str) -> dict:
        return envelope(
            "woo.order.updated",
            status="on-hold",
            date_paid=None,
            date_paid_gmt=None,
            date_modified_gmt=modified,
        )

    def problem_notes(self, order):
        notes = order.message_ids.filtered(lambda note: "Integration problem" in (note.body or ""))
        return notes

    def test_a_dead_update_shows_on_its_order_saying_what_to_do(self):
        self.process("woo.order.created")
        order = self.woo_order()
        self.assertFalse(order.integration_problem)

        event = self.die(self.cash_on_delivery())

        self.assertEqual(event.sale_order_id, order, "linked to its order by the binding")
        self.assertTrue(order.integration_problem)
        self.assertIn("Payment method cod", order.integration_problem_message)
        self.assertIn("Map the payment method cod", order.integration_problem_action)
        self.assertEqual(self.Order.search([("integration_problem", "=", True)]), order)
        self.assertEqual(
            self.Order.search([("id", "=", order.id), ("integration_problem", "=", False)]),
            self.Order,
        )
        value_map = order.action_open_integration_value_map()
        self.assertEqual(value_map["res_model"], "integration.value.map")
        self.assertEqual(value_map["context"]["default_kind"], "payment_method")
        self.assertEqual(value_map["context"]["default_woo_value"], "cod")
        [dead] = self.env["integration.timeline"].search([("event_id", "=", event.id)])
        self.assertEqual(dead.kind, "dead")
        self.assertIn("could not be applied", dead.story)
        self.assertIn("map the payment method cod", dead.story.lower(), "what to do, in full")

        self.assertEqual(len(self.problem_notes(order)), 1, "the chatter says it once")
        self.die(self.cash_on_delivery("2026-02-21T09:05:00"))
        self.assertEqual(len(self.problem_notes(order)), 1, "the same failure again: no new note")

    def test_a_salesperson_reads_the_problem_and_whom_to_ask(self):
        self.process("woo.order.created")
        self.die(self.cash_on_delivery())
        salesman = new_test_user(
            self.env, login="seller", groups="sales_team.group_sale_salesman_all_leads"
        )
        order = self.woo_order().with_user(salesman)
        self.assertTrue(order.integration_problem)
        self.assertIn("Payment method cod", order.integration_problem_message)
        self.assertIn("Integration Manager", order.integration_problem_action)
        dead = order.integration_timeline_ids.filtered(lambda row: row.kind == "dead")
        self.assertIn("An Integration Manager must map the payment method cod", dead.story)
        manager = new_test_user(
            self.env, login="boss", groups="elitaco_integration.group_integration_manager"
        )
        self.assertIn(
            "Map the payment method cod (Open the value map), then Replay.",
            dead.with_user(manager).story,
            "said to each as they can act",
        )

    def test_a_replay_from_the_order_after_the_fix_says_how_it_went(self):
        self.process("woo.order.created")
        order = self.woo_order()
        first = self.die(self.cash_on_delivery())
        second = self.die(self.cash_on_delivery("2026-02-21T09:05:00"))
        self.env["integration.value.map"].create(
            {"kind": "payment_method", "woo_value": "cod", "payment_journal_id": self.bank.id}
        )

        result = order.action_replay_integration_problems()

        self.assertEqual((first.state, second.state), ("done", "done"))
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("2 replayed: 2 done", result["params"]["message"])
        self.assertFalse(order.integration_problem)
        self.assertEqual(order.state, "sale")
        notes = self.problem_notes(order)
        self.assertEqual(len(notes), 2, "the failure, then that it is resolved")
        self.assertIn("resolved", notes[0].body)

    def test_a_replay_that_fails_again_stays_a_dead_letter_and_says_why(self):
        self.process("woo.order.created")
        event = self.die(self.cash_on_delivery())

        result = event.action_replay()

        self.assertEqual(event.state, "dead", "nothing retries it: it still needs a person")
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("1 replayed: 0 done, 1 failed", result["params"]["message"])
        self.assertIn("Payment method cod", result["params"]["message"])
        dead_letters = self.env.ref("elitaco_integration.integration_event_dead_action")
        context = ast.literal_eval(dead_letters.context)
        self.assertEqual(context, {"search_default_dead": 1})
        self.assertIn(event, self.Event.search([("state", "=", "dead")]))
        self.assertTrue(self.woo_order().integration_problem)

    def test_a_newer_state_applied_supersedes_the_dead_letter(self):
        self.process("woo.order.created")
        dead = self.die(self.cash_on_delivery())

        self.assertEqual(self.process(self.on_hold("2026-02-21T10:00:00"))["status"], "processed")

        self.assertEqual(dead.state, "superseded")
        self.assertFalse(self.woo_order().integration_problem)
        self.assertNotIn(dead, self.Event.search([("state", "in", ("dead", "failed"))]))
        duplicate = self.process(dict(dead.payload))
        self.assertEqual(duplicate["status"], "duplicate", "a late retry applies nothing")

    def test_a_retrying_failure_superseded_was_never_a_problem_to_resolve(self):
        self.process("woo.order.created")
        retrying = self.cash_on_delivery()
        self.assertEqual(self.process(retrying)["status"], "failed")  # not dead: no note

        self.process(self.on_hold("2026-02-21T10:00:00"))

        failed = self.Event.search([("event_id", "=", retrying["event_id"])])
        self.assertEqual(failed.state, "superseded")
        self.assertFalse(self.problem_notes(self.woo_order()), "nothing said, nothing resolved")

    def test_an_older_state_applied_later_supersedes_nothing(self):
        self.process("woo.order.created")
        dead = self.die(self.cash_on_delivery())

        self.assertEqual(self.process(self.on_hold("2026-02-21T08:00:00"))["status"], "processed")

        self.assertEqual(dead.state, "dead", "the newer state is still not applied")
        self.assertTrue(self.woo_order().integration_problem)

    def test_odoo_refusals_with_a_known_cause_say_what_to_do(self):
        raw = (
            "You can not change the inventory tracking of a product that is currently reserved "
            "on a stock move. If you need to change the inventory tracking, you should first "
            "unreserve the stock move."
        )
        explained = explain_odoo_error(raw)
        self.assertIn("reserved", explained)
        self.assertIn("Replay", explained)
        self.assertIn(raw, explained, "Odoo's own words stay, after the explanation")
        self.assertEqual(explain_odoo_error("disk full"), "disk full")

    def test_a_first_event_that_died_shows_on_the_order_made_later(self):
        message = envelope("woo.order.created", currency="XYZ")
        event = self.die(message)
        self.assertFalse(self.woo_order())
        self.assertEqual(self.Event.search([("state", "=", "dead")]), event)

        self.process("woo.order.created", date_modified_gmt="2026-02-20T10:00:00", currency="EUR")

        self.assertEqual(event.sale_order_id, self.woo_order())
        self.assertEqual(event.state, "superseded", "the same state, applied: nothing to do")
