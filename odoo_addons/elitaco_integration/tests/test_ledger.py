import ast
from unittest.mock import patch

from .common import IntegrationCase, envelope, example

LINE = example("woo.order.created")["data"]["line_items"][0]


class TestLedger(IntegrationCase):
    def test_processed_then_duplicate_changes_nothing(self):
        first = envelope("woo.order.created")
        answer = self.process(first)
        self.assertEqual(answer["status"], "processed")
        self.assertEqual(answer["record"]["model"], "sale.order")
        order = self.woo_order()
        self.assertEqual(len(order), 1)
        write_date = order.write_date
        orders, partners = self.Order.search_count([]), self.env["res.partner"].search_count([])

        again = dict(first, event_id="5f0f5b7e-1d2c-4e3f-8a9b-0c1d2e3f4a5b")
        duplicate = self.process(again)
        self.assertEqual(duplicate["status"], "duplicate")
        self.assertEqual(duplicate["event_id"], first["event_id"])
        self.assertEqual(self.Order.search_count([]), orders)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(order.write_date, write_date)
        ledger = self.Event.search([("idempotency_key", "=", first["idempotency_key"])])
        self.assertEqual(len(ledger), 1)
        self.assertEqual(ledger.attempts, 1)
        [row] = order.integration_timeline_ids
        self.assertEqual((row.kind, row.repeats), ("processed", 1), "one row, the repeat counted")
        self.assertIn("Delivered again once; the repeat changed nothing.", row.story)

    def test_a_repeat_is_answered_from_the_ledger_row_alone(self):
        first = envelope("woo.order.created")
        answer = self.process(first)
        event = self.Event.search([("event_id", "=", first["event_id"])])
        expected = event._answer("duplicate")
        self.assertEqual(expected["record"], answer["record"])
        # The key names a delivery the ledger has finished: its body is not read again, so
        # a redelivery is answered even where the envelope would now fail validation.
        again = dict(first, event_id="5f0f5b7e-1d2c-4e3f-8a9b-0c1d2e3f4a5b", data={})
        with patch(
            "odoo.addons.elitaco_integration.models.integration_event.envelope_problem"
        ) as validate:
            self.assertEqual(self.process(again), expected)
            self.assertEqual(self.process(again), expected)
        validate.assert_not_called()
        [row] = self.woo_order().integration_timeline_ids
        self.assertEqual(row.repeats, 2, "each repeat counted on the event's row")
        self.assertIn("Delivered again 2 times", row.story)
        self.assertEqual(
            self.Event.search_count([("idempotency_key", "=", first["idempotency_key"])]), 1
        )

    def test_ledger_row_records_the_envelope_and_timings(self):
        message = envelope("woo.order.updated")
        self.process(message)
        event = self.Event.search([("event_id", "=", message["event_id"])])
        self.assertEqual(event.state, "done")
        self.assertEqual(event.idempotency_key, message["idempotency_key"])
        self.assertEqual(event.trace_id, message["trace_id"])
        self.assertEqual(event.store, "shop.example.com")
        self.assertEqual(event.woo_resource_id, 4711)
        self.assertEqual(event.payload, message)
        self.assertEqual(str(event.occurred_at), "2026-02-20 10:02:11")
        self.assertTrue(event.processed_at)
        self.assertGreaterEqual(event.duration_ms, 0)
        self.assertEqual(event.sale_order_id, self.woo_order())

    def test_rejected_event_rolls_back_business_changes_and_keeps_the_failure(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "fail")
        partners = self.env["res.partner"].search_count([])
        message = envelope("woo.order.created")
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed")
        self.assertFalse(answer["error"]["retryable"])
        self.assertIn("Line 313 'Gift wrapping (handmade)'", answer["error"]["message"])
        self.assertIn("SKU ''", answer["error"]["message"])
        self.assertFalse(self.woo_order())
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        event = self.Event.search([("event_id", "=", message["event_id"])])
        self.assertEqual((event.state, event.attempts), ("failed", 1))
        self.assertIn("Gift wrapping", event.last_error)
        [row] = self.env["integration.timeline"].search([("event_id", "=", event.id)])
        self.assertEqual(row.kind, "failed")
        self.assertNotIn("Traceback", row.story, "a rejection is said in words")

        self.bind_wrapping()
        event.action_replay()
        self.assertEqual((event.state, event.attempts), ("done", 2))
        order = self.woo_order()
        self.assertEqual(
            order.order_line.filtered(lambda line: line.product_id == self.wrapping).name,
            "Gift wrapping (handmade)",
        )
        [row] = order.integration_timeline_ids
        self.assertEqual(row, row.search([("event_id", "=", event.id)]), "the first attempt's")
        self.assertEqual((row.kind, row.attempts), ("processed", 2))
        self.assertEqual(row.replayed_by_id, self.env.user)
        self.assertIn("Applied on attempt 2.", row.story)
        self.assertIn(f"Replayed by {self.env.user.name}.", row.story)

    def test_an_unexpected_error_is_retryable_and_counted(self):
        message = envelope("woo.order.created")
        line_model = type(self.env["integration.woo.order.line"])
        with patch.object(line_model, "_order_lines", side_effect=RuntimeError("disk full")):
            answer = self.process(message)
            self.assertEqual(answer["status"], "failed")
            self.assertEqual(answer["error"]["code"], "processing_error")
            self.assertTrue(answer["error"]["retryable"], "it may pass the next time")
            self.assertIn("disk full", answer["error"]["message"])
            retry = self.process(dict(message))
        self.assertEqual((retry["status"], retry["attempts"]), ("failed", 2))
        event = self.Event.search([("event_id", "=", message["event_id"])])
        [row] = self.env["integration.timeline"].search([("event_id", "=", event.id)])
        self.assertEqual((row.kind, row.attempts), ("failed", 2))
        self.assertIn("disk full", row.story)
        self.assertIn("The workers try it again.", row.story)
        self.assertNotIn("Traceback", row.story, "the traceback stays in the ledger")
        self.assertEqual(self.process(dict(message))["status"], "processed")
        self.assertEqual((row.kind, row.attempts), ("processed", 3), "the same row, rewritten")

    def test_data_errors_are_rejected_at_once_naming_what_to_fix(self):
        """Sent again unchanged they would fail again: dead at once, replayed once fixed."""
        for fields, expected in [
            ({"currency": "XYZ"}, "Unknown currency XYZ"),
            (
                {"id": 4712, "line_items": [dict(LINE, id=77, subtotal="12,50")]},
                "Line 77 subtotal: '12,50' is not an amount",
            ),
            (
                {"id": 4713, "shipping_lines": [{"id": 9, "method_id": "flat_rate", "total": "x"}]},
                "Shipping line 9 total: 'x' is not an amount",
            ),
        ]:
            with self.subTest(fields=fields):
                answer = self.process(envelope("woo.order.created", **fields))
                self.assertEqual(answer["status"], "failed")
                self.assertEqual(answer["error"]["code"], "rejected")
                self.assertFalse(answer["error"]["retryable"])
                self.assertIn(expected, answer["error"]["message"])

    def test_worker_marks_an_event_dead_and_a_manager_replays_it(self):
        message = envelope("woo.order.created", currency="XYZ")
        self.process(message)
        answer = self.Event.mark_dead(message["event_id"], "gave up after 3 retries")
        self.assertEqual(answer["status"], "dead")
        event = self.Event.search([("event_id", "=", message["event_id"])])
        self.assertEqual(event.state, "dead")
        self.assertEqual(event.last_error, "gave up after 3 retries")
        dead_letters = self.env.ref("elitaco_integration.integration_event_dead_action")
        self.assertIn(event, self.Event.search(ast.literal_eval(dead_letters.domain)))

        event.payload = dict(event.payload, data=dict(event.payload["data"], currency="EUR"))
        event.action_replay()
        self.assertEqual(event.state, "done")
        self.assertEqual(self.woo_order().currency_id.name, "EUR")

    def test_mark_dead_of_an_unknown_event_says_so(self):
        answer = self.Event.mark_dead("no-such-event")
        self.assertEqual(answer["status"], "unknown")

    def test_malformed_envelope_leaves_only_a_ledger_row_saying_why(self):
        orders = self.Order.search_count([])
        answer = self.process({"event_type": "woo.order.created", "data": {"id": 5}})
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(answer["error"]["code"], "invalid_envelope")
        self.assertFalse(answer["error"]["retryable"])
        event = self.Event.search([("event_id", "=", answer["event_id"])])
        self.assertEqual(event.state, "failed")
        self.assertIn("Invalid envelope", event.last_error)
        self.assertEqual(self.Order.search_count([]), orders)

        not_an_object = self.Event.process_envelope(None)
        self.assertIn("must be a JSON object", not_an_object["error"]["message"])

    def test_one_store_however_its_address_is_written(self):
        first = envelope("woo.order.created")
        first["meta"] = dict(first["meta"], store_url="https://www.Shop.example.com/")
        self.assertEqual(self.process(first)["status"], "processed")
        update = envelope("woo.order.updated", status="completed")
        update["meta"] = dict(update["meta"], store_url="https://shop.example.com:443")
        self.assertEqual(self.process(update)["status"], "processed")
        order = self.woo_order()
        self.assertEqual(len(order), 1, "one order, not one per address")
        self.assertEqual(order.woo_store, "shop.example.com")
        events = self.Event.search([("woo_resource_id", "=", 4711)])
        self.assertEqual(set(events.mapped("store")), {"shop.example.com"})
