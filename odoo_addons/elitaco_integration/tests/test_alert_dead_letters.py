from odoo.tests import tagged

from .common import WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestAlertDeadLetters(WorkerCase):
    """Dead letters reach a person once: one alert and one To-Do per store however many die,
    its count kept current, done once they are replayed."""

    def make_dead(self, woo_id: int) -> None:
        """As the workers do over HTTP with their key: the event fails, then is marked dead."""
        message = envelope("woo.order.created", id=woo_id, number=str(woo_id), currency="ZZZ")
        headers = {"Authorization": f"Bearer {self.api_key}"}
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "failed", answer)
        dead = self.make_jsonrpc_request(
            "/elitaco/v1/events/dead",
            {"event_id": message["event_id"], "error": answer["error"]["message"]},
            headers=headers,
        )
        self.assertEqual(dead["status"], "dead", dead)

    def map_currency(self):
        """What the manager does: ZZZ (listed by the failure, not mapped) gets a pricelist."""
        pricelist = self.env["product.pricelist"].create({"name": "ZZZ shop"})
        maps = self.env["integration.value.map"].with_context(active_test=False)
        row = maps.search([("kind", "=", "currency"), ("woo_value", "=", "ZZZ")])
        if row:
            row.write({"pricelist_id": pricelist.id, "active": True})
            return row
        return maps.create({"kind": "currency", "woo_value": "ZZZ", "pricelist_id": pricelist.id})

    def alert(self):
        return self.env["integration.alert"].search([("kind", "=", "dead_letter")])

    def test_three_dead_letters_make_one_todo_that_counts_them_and_is_done_after_replay(self):
        for woo_id in (4711, 4712, 4713):
            self.make_dead(woo_id)
            self.assertEqual(len(self.alert()), 1, "one alert per store, not one per event")
            self.assertEqual(self.alert().count, woo_id - 4710)

        alert = self.alert()
        self.assertEqual(alert.state, "open")
        self.assertEqual(alert.store_id.key, "shop.example.com")
        self.assertEqual(len(alert.activity_ids), 1, "one To-Do, updated")
        activity = alert.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("3 dead letters", activity.summary)
        self.assertIn("Unknown currency ZZZ", str(activity.note))
        manager = self.env.ref("elitaco_integration.group_integration_manager").users
        self.assertIn(activity.user_id, manager)

        # The manager maps the currency and replays the three dead letters.
        self.map_currency()
        dead = self.env["integration.event"].search([("state", "=", "dead")])
        self.assertEqual(len(dead), 3)
        dead.with_user(self.env.ref("base.user_admin")).action_replay()
        self.assertEqual(set(dead.mapped("state")), {"done"})
        self.assertEqual(alert.state, "cleared")
        self.assertFalse(alert.activity_ids, "the To-Do is done")
        bodies = [str(body) for body in alert.message_ids.mapped("body")]
        self.assertTrue(any("No dead letter left" in body for body in bodies), bodies)

    def test_a_new_dead_letter_after_clearing_opens_a_new_todo(self):
        self.make_dead(4711)
        alert = self.alert()
        value_map = self.map_currency()
        self.env["integration.event"].search([("state", "=", "dead")]).action_replay()
        self.assertEqual(alert.state, "cleared")
        value_map.pricelist_id = False
        self.make_dead(4712)
        self.assertEqual(self.alert(), alert, "the same alert, opened again")
        self.assertEqual((alert.state, alert.count, len(alert.activity_ids)), ("open", 1, 1))
