from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestEventStates(WorkerCase):
    """POST /elitaco/v1/events/states: the workers ask which of RQ's dead letters Odoo has done
    meanwhile (replayed from Integration › Dead letters), over HTTP as the Integration User with
    its API key, never as superuser."""

    def states(self, references, key=None):
        return self.make_jsonrpc_request(
            "/elitaco/v1/events/states",
            {"event_ids": references},
            headers={"Authorization": f"Bearer {key or self.api_key}"},
        )["states"]

    def dead_letter(self, **changes):
        message = envelope("woo.order.created", currency="XYZ", **changes)
        self.assertEqual(self.post_event(message, self.api_key)["status"], "failed")
        self.make_jsonrpc_request(
            "/elitaco/v1/events/dead",
            {"event_id": message["event_id"], "error": "rejected"},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        return message

    def test_each_event_is_answered_by_event_id_or_idempotency_key(self):
        done = envelope("woo.order.created", id=4801, number="4801")
        self.assertEqual(self.post_event(done, self.api_key)["status"], "processed")
        dead = self.dead_letter(id=4802, number="4802")
        coupon = envelope("woo.coupon.created")
        self.assertEqual(self.post_event(coupon, self.api_key)["status"], "ignored")

        states = self.states(
            [
                done["event_id"],
                dead["idempotency_key"],
                coupon["event_id"],
                "no-such-event",
            ]
        )
        self.assertEqual(
            states[done["event_id"]],
            {
                "event_id": done["event_id"],
                "idempotency_key": done["idempotency_key"],
                "state": "done",
                "settled": True,
            },
        )
        self.assertEqual(
            (states[dead["idempotency_key"]]["state"], states[dead["idempotency_key"]]["settled"]),
            ("dead", False),
        )
        self.assertEqual(states[dead["idempotency_key"]]["event_id"], dead["event_id"])
        self.assertEqual(
            (states[coupon["event_id"]]["state"], states[coupon["event_id"]]["settled"]),
            ("ignored", True),
        )
        self.assertIsNone(states["no-such-event"])
        self.assertEqual(self.states([]), {})

    def test_a_dead_letter_replayed_in_odoo_is_settled(self):
        dead = self.dead_letter()
        self.assertFalse(self.states([dead["event_id"]])[dead["event_id"]]["settled"])

        manager = new_test_user(
            self.env,
            login="integration-manager",
            groups="elitaco_integration.group_integration_manager,sales_team.group_sale_manager",
        )
        event = self.env["integration.event"].search([("event_id", "=", dead["event_id"])])
        event.payload = dict(event.payload, data=dict(event.payload["data"], currency="EUR"))
        event.with_user(manager).action_replay()
        self.assertEqual(event.state, "done")
        answer = self.states([dead["event_id"]])[dead["event_id"]]
        self.assertEqual((answer["state"], answer["settled"]), ("done", True))

    def test_only_integration_users_may_ask(self):
        dead = self.dead_letter()
        for login, groups in (
            ("outsider", "base.group_user"),
            ("timeline-reader", "elitaco_integration.group_integration_reader"),
        ):
            with self.subTest(login=login):
                user = new_test_user(self.env, login=login, groups=groups)
                key = (
                    self.env["res.users.apikeys"]
                    .with_user(user)
                    ._generate(None, login, self.api_key_expires)
                )
                with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
                    self.states([dead["event_id"]], key)
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.states([dead["event_id"]], "not-a-key")

    def test_a_list_of_at_most_a_thousand_strings(self):
        for wrong in ("one-id", [1, 2], ["x"] * 1001):
            with (
                self.subTest(wrong=str(wrong)[:20]),
                self.assertRaisesRegex(JsonRpcException, "ValidationError"),
            ):
                self.states(wrong)
