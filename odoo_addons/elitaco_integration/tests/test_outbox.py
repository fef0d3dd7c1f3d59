from datetime import timedelta

from odoo import fields

from ..models.integration_outbox import MAX_ATTEMPTS
from .common import IntegrationCase


class TestOutbox(IntegrationCase):
    def setUp(self):
        super().setUp()
        self.Outbox = self.env["integration.outbox"]
        self.odoo_user_env = self.env(context={})  # a change made in Odoo, not by a Woo event

    def confirmed_order(self):
        self.process("woo.order.updated")  # processing: confirmed, delivery created
        return self.woo_order()

    def test_cancelling_in_odoo_queues_the_cancellation(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        row = self.Outbox.search([("sale_order_id", "=", order.id)])
        self.assertEqual(row.event_type, "odoo.order.cancelled")
        self.assertEqual(row.data["woo_order_id"], 4711)

    def test_a_cancellation_from_woocommerce_does_not_echo(self):
        self.confirmed_order()
        self.process(
            "woo.order.updated", status="cancelled", date_modified_gmt="2026-02-21T09:00:00"
        )
        self.assertEqual(self.woo_order().state, "cancel")
        self.assertFalse(self.Outbox.search([("event_type", "=", "odoo.order.cancelled")]))

    def test_leases_keep_workers_apart_and_expire(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        first = self.Outbox.claim("worker-a", lease_seconds=60)
        self.assertEqual(len(first), 1)
        self.assertEqual(self.Outbox.claim("worker-b"), [], "leased to worker-a")
        row = self.Outbox.search([("event_id", "=", first[0]["event_id"])])
        row.lease_until = fields.Datetime.now() - timedelta(seconds=1)  # worker-a died
        again = self.Outbox.claim("worker-b")
        self.assertEqual([e["event_id"] for e in again], [first[0]["event_id"]])
        self.assertEqual((row.leased_by, row.attempts), ("worker-b", 2))

    def test_acknowledgements_reach_the_timeline_and_failures_end_dead(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        [envelope] = self.Outbox.claim("worker-a")
        self.Outbox.acknowledge(envelope["event_id"], True, '{"status": "cancelled"}')
        row = self.Outbox.search([("event_id", "=", envelope["event_id"])])
        self.assertEqual(row.state, "done")
        self.assertEqual(self.kinds(order)[0], "outbound")
        self.assertIn("WooCommerce told: order cancelled.", order.integration_timeline_ids[0].story)

        order.action_draft()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        waits = []
        for _attempt in range(MAX_ATTEMPTS):
            [envelope] = self.Outbox.claim("worker-a")
            answer = self.Outbox.acknowledge(envelope["event_id"], False, None, "HTTP 500")
            row = self.Outbox.search([("event_id", "=", envelope["event_id"])])
            if answer["status"] == "pending":
                self.assertEqual(self.Outbox.claim("worker-a"), [], "backing off")
                waits.append(row.next_attempt_at - fields.Datetime.now())
                row.next_attempt_at = fields.Datetime.now()  # time passes
        self.assertEqual(answer["status"], "dead")
        pushes = self.env["integration.timeline"].search(
            [("sale_order_id", "=", order.id), ("outbox_id", "!=", False)]
        )
        self.assertEqual(pushes.mapped("kind"), ["dead", "outbound"], "one row per push")
        self.assertEqual(pushes[0].attempts, MAX_ATTEMPTS)
        self.assertIn("HTTP 500", pushes[0].story)
        self.assertIn("Integration › Outbox (Retry)", pushes[0].story)
        self.assertEqual(self.Outbox.claim("worker-a"), [])
        self.assertGreater(waits[1], waits[0])
        self.assertGreater(sum(waits, timedelta()), timedelta(hours=20), "about a day")

    def test_only_the_lease_holder_acknowledges(self):
        order = self.confirmed_order()
        order.with_env(self.odoo_user_env).with_context(disable_cancel_warning=True).action_cancel()
        [envelope] = self.Outbox.claim("worker-a", lease_seconds=300)
        row = self.Outbox.search([("event_id", "=", envelope["event_id"])])
        row.lease_until = fields.Datetime.now() - timedelta(seconds=1)  # worker-a stalled
        [again] = self.Outbox.claim("worker-b")
        late = self.Outbox.acknowledge(envelope["event_id"], False, None, "timeout", "worker-a")
        self.assertEqual(late["status"], "not_leased")
        self.assertEqual((row.state, row.leased_by), ("leased", "worker-b"))
        done = self.Outbox.acknowledge(again["event_id"], True, "{}", None, "worker-b")
        self.assertEqual(done["status"], "done")
