from odoo.tests import tagged

from .common import IntegrationCase, envelope


@tagged("-at_install", "post_install")
class TestIntegrationOverview(IntegrationCase):
    """Integration › Overview: per store what waits, failed, is dead, drifts; each count
    opens its list; it is the Integration menu's first screen."""

    def test_counts_per_store_open_their_lists(self):
        store = self.env["integration.store"]._ensure("https://shop.example.com")
        other = self.env["integration.store"]._ensure("https://other.example.com")
        self.assertEqual(self.process("woo.order.created")["status"], "processed")
        failed = self.process("woo.order.created", id=4712, number="4712", currency="ZZZ")
        self.assertEqual(failed["status"], "failed")
        for woo_id in (4713, 4714):
            message = envelope("woo.order.created", id=woo_id, number=str(woo_id), currency="ZZZ")
            answer = self.Event.process_envelope(message)
            self.Event.mark_dead(message["event_id"], answer["error"]["message"])
        waiting = envelope("woo.order.created", id=4715, number="4715")
        self.Event._claim(waiting)  # received, not applied yet
        Alert = self.env["integration.alert"]
        Alert._raise(store, "drift", "5 records differ", 5)
        Alert._raise("https://other.example.com", "backlog", "the oldest waits 2 hours")

        counts = ("waiting_count", "failed_count", "dead_count", "drift_count", "alert_count")
        self.assertEqual([store[name] for name in counts], [1, 1, 2, 5, 2])
        self.assertEqual([other[name] for name in counts], [0, 0, 0, 0, 1])
        self.assertEqual(store.alert_summary, "Dead letters, Drift")

        for action, expected in (
            (store.action_open_dead(), 2),
            (store.action_open_failed(), 1),
            (store.action_open_waiting(), 1),
        ):
            self.assertEqual(self.Event.search_count(action["domain"]), expected, action["name"])
        drift = store.action_open_drift()
        self.assertEqual(Alert.search(drift["domain"]).mapped("count"), [5])

        Alert._clear(store, "drift")
        store.invalidate_recordset()
        self.assertEqual((store.drift_count, store.alert_count), (0, 1))

    def test_the_overview_is_the_first_screen_of_integration(self):
        root = self.env.ref("elitaco_integration.integration_menu_root")
        first = root.child_id.sorted(lambda menu: (menu.sequence, menu.id))[0]
        self.assertEqual(first, self.env.ref("elitaco_integration.integration_overview_menu"))
        self.assertEqual(
            first.action, self.env.ref("elitaco_integration.integration_store_overview_action")
        )
