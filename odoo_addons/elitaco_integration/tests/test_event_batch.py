from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models import integration_event_batch
from .common import WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestEventBatch(WorkerCase):
    """Several events in one request (a backlog), over HTTP as the workers send them: each
    applied and answered as if it had come alone."""

    def post_batch(self, messages, key=None):
        headers = {"Authorization": f"Bearer {key or self.api_key}"}
        return self.make_jsonrpc_request(
            "/elitaco/v1/events/batch", {"envelopes": messages}, headers=headers
        )["answers"]

    def ledger(self, message):
        return self.env["integration.event"].search(
            [("idempotency_key", "=", message["idempotency_key"])]
        )

    def test_each_event_keeps_its_own_outcome_ledger_row_and_timeline(self):
        first = envelope("woo.order.created", id=5001, number="5001")
        refused = envelope("woo.order.created", id=5002, number="5002", currency="XYZ")
        last = envelope("woo.order.created", id=5003, number="5003")
        answers = self.post_batch([first, refused, last, dict(first)])

        self.assertEqual(
            [answer["status"] for answer in answers],
            ["processed", "failed", "processed", "duplicate"],
        )
        self.assertEqual(answers[1]["error"]["code"], "rejected")
        self.assertFalse(answers[1]["error"]["retryable"])
        self.assertEqual(
            [answer["event_id"] for answer in answers[:3]],
            [first["event_id"], refused["event_id"], last["event_id"]],
        )
        for message, state in ((first, "done"), (refused, "failed"), (last, "done")):
            self.assertEqual(self.ledger(message).state, state, message["data"]["id"])
        orders = self.env["sale.order"].search([("woo_order_id", "in", [5001, 5003])])
        self.assertEqual(len(orders), 2)
        for order in orders:
            self.assertIn("processed", self.kinds(order))
            self.assertEqual(order.create_uid, self.worker)
        self.assertFalse(self.env["sale.order"].search([("woo_order_id", "=", 5002)]))
        self.assertEqual(self.ledger(refused).message, answers[1]["error"]["message"])

    def kinds(self, order):
        timeline = self.env["integration.timeline"].search([("sale_order_id", "=", order.id)])
        return timeline.mapped("kind")

    def test_an_event_that_raises_or_meets_a_concurrent_transaction_is_left_to_its_own_request(
        self,
    ):
        """Its neighbours are applied and kept; the workers send the one answered None alone."""
        conflict = envelope("woo.order.created", id=5011, number="5011")
        broken = envelope("woo.order.created", id=5012, number="5012")
        fine = envelope("woo.order.created", id=5013, number="5013")
        events = type(self.env["integration.event"])
        original = events.process_envelope

        def process(model, message):
            if message["event_id"] == conflict["event_id"]:
                model.env["integration.event"]._claim(message)  # written, then rolled back
                raise SerializationFailure("could not serialize access")
            if message["event_id"] == broken["event_id"]:
                raise RuntimeError("a bug")
            return original(model, message)

        with (
            patch.object(events, "process_envelope", process),
            mute_logger("odoo.addons.elitaco_integration.models.integration_event_batch"),
        ):
            answers = self.post_batch([conflict, broken, fine])
        self.assertEqual(answers[:2], [None, None])
        self.assertEqual(answers[2]["status"], "processed")
        self.assertFalse(self.ledger(conflict))
        self.assertFalse(self.ledger(broken))
        self.assertEqual(self.ledger(fine).state, "done")
        # Sent alone, as the workers then do, it is applied.
        self.assertEqual(self.post_event(conflict, self.api_key)["status"], "processed")

    def test_once_the_time_budget_is_spent_the_rest_is_left_but_one_is_always_applied(self):
        messages = [
            envelope("woo.order.created", id=woo_id, number=str(woo_id))
            for woo_id in (5021, 5022, 5023)
        ]
        with patch.object(integration_event_batch, "TIME_BUDGET_SECONDS", 0):
            answers = self.post_batch(messages)
        self.assertEqual(answers[0]["status"], "processed")
        self.assertEqual(answers[1:], [None, None])
        self.assertFalse(self.ledger(messages[1]))

    def test_a_batch_is_a_list_of_at_most_fifty_and_needs_the_integration_key(self):
        message = envelope("woo.customer.created")
        for wrong in ([], {"envelope": message}, [message] * 51):
            with self.assertRaisesRegex(JsonRpcException, "ValidationError"):
                self.post_batch(wrong)
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.post_batch([message], key="not-a-key")
        self.assertFalse(self.ledger(message))
        invalid = {"event_id": "not an envelope"}
        [answer] = self.post_batch([invalid])
        self.assertEqual(answer["error"]["code"], "invalid_envelope")
