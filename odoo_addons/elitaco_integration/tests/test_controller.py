from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestController(WorkerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsider = new_test_user(cls.env, login="outsider", groups="base.group_user")
        cls.outsider_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.outsider)
            ._generate(None, "not integration", cls.api_key_expires)
        )

    def test_processed_then_duplicate(self):
        message = envelope("woo.order.created")
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "processed")
        self.assertEqual(answer["event_id"], message["event_id"])
        self.assertEqual(answer["record"]["model"], "sale.order")
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertEqual(order.create_uid, self.worker)
        self.assertEqual(self.post_event(dict(message), self.api_key)["status"], "duplicate")

    def test_missing_and_wrong_keys_are_refused(self):
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.post_event(envelope("woo.order.created"))
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.post_event(envelope("woo.order.created"), "not-a-key")
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.post_event(envelope("woo.order.created"), self.outsider_key)
        self.assertFalse(self.env["integration.event"].search([]))

    def test_access_tells_when_the_key_expires(self):
        access = self.make_jsonrpc_request(
            "/elitaco/v1/access", {}, headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(access["user"], "rq-worker")
        self.assertEqual(
            access["api_key_expires_at"], self.api_key_expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        # Only administrators can give a key no end; the relay then has nothing to warn about.
        forever = (
            self.env["res.users.apikeys"]
            .with_user(self.worker)
            .sudo()
            ._generate(None, "relay workers, no end", None)
        )
        access = self.make_jsonrpc_request(
            "/elitaco/v1/access", {}, headers={"Authorization": f"Bearer {forever}"}
        )
        self.assertIsNone(access["api_key_expires_at"])
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.make_jsonrpc_request(
                "/elitaco/v1/access", {}, headers={"Authorization": f"Bearer {self.outsider_key}"}
            )

    def test_malformed_envelope_gets_a_clear_error(self):
        answer = self.post_event({"event_type": "woo.order.created"}, self.api_key)
        self.assertEqual(answer["status"], "failed")
        self.assertEqual(answer["error"]["code"], "invalid_envelope")
        self.assertIn("'event_id' is a required property", answer["error"]["message"])

    def test_mark_dead_and_timeline(self):
        message = envelope("woo.order.created", currency="XYZ")
        self.assertEqual(self.post_event(message, self.api_key)["status"], "failed")
        dead = self.make_jsonrpc_request(
            "/elitaco/v1/events/dead",
            {"event_id": message["event_id"], "error": "3 retries"},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        self.assertEqual(dead["status"], "dead")

        response = self.url_open(
            "/elitaco/v1/orders/4711/timeline", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(response.status_code, 200)
        timeline = response.json()
        self.assertIsNone(timeline["order"])
        self.assertEqual([entry["kind"] for entry in timeline["entries"]][:2], ["dead", "failed"])
        self.assertEqual(timeline["entries"][0]["trace_id"], message["trace_id"])

        unknown = self.url_open(
            "/elitaco/v1/orders/999/timeline", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(unknown.json()["error"], "unknown_order")
        self.assertEqual(self.url_open("/elitaco/v1/orders/4711/timeline").status_code, 401)

    def test_the_timeline_reader_reads_timelines_and_nothing_else(self):
        """The relay's key (ODOO_READ_API_KEY): a Timeline Reader, not an Integration User."""
        self.assertEqual(
            self.post_event(envelope("woo.order.created"), self.api_key)["status"], "processed"
        )
        reader = new_test_user(
            self.env, login="relay-timeline", groups="elitaco_integration.group_integration_reader"
        )
        reader_key = (
            self.env["res.users.apikeys"]
            .with_user(reader)
            ._generate(None, "relay timeline", self.api_key_expires)
        )
        headers = {"Authorization": f"Bearer {reader_key}"}
        response = self.url_open(
            "/elitaco/v1/orders/4711/timeline?store=https://www.shop.example.com/", headers=headers
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(
            response.json()["order"]["name"],
            self.env["sale.order"].search([("woo_order_id", "=", 4711)]).name,
        )
        other_store = self.url_open(
            "/elitaco/v1/orders/4711/timeline?store=outlet.example.com", headers=headers
        )
        self.assertEqual(other_store.status_code, 404, "order 4711 of another store")
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.post_event(envelope("woo.order.created", id=4712), reader_key)
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.make_jsonrpc_request(
                "/elitaco/v1/outbox/claim", {"worker": "relay"}, headers=dict(headers)
            )
        outsider = self.url_open(
            "/elitaco/v1/orders/4711/timeline",
            headers={"Authorization": f"Bearer {self.outsider_key}"},
        )
        self.assertEqual(outsider.status_code, 403)

    def test_outbox_claim_and_acknowledge(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Buyer"}).id,
                "woo_order_id": 4711,
                "woo_store": "shop.example.com",
            }
        )
        order.with_context(disable_cancel_warning=True).action_cancel()
        headers = {"Authorization": f"Bearer {self.api_key}"}
        claimed = self.make_jsonrpc_request(
            "/elitaco/v1/outbox/claim", {"worker": "w1", "limit": 10}, headers=dict(headers)
        )
        [event] = claimed["events"]
        self.assertEqual(event["event_type"], "odoo.order.cancelled")
        self.assertEqual(event["data"]["woo_order_id"], 4711)
        again = self.make_jsonrpc_request(
            "/elitaco/v1/outbox/claim", {"worker": "w2"}, headers=dict(headers)
        )
        self.assertEqual(again["events"], [])
        acked = self.make_jsonrpc_request(
            "/elitaco/v1/outbox/ack",
            {"event_id": event["event_id"], "ok": True, "response": '{"status": "cancelled"}'},
            headers=dict(headers),
        )
        self.assertEqual(acked["status"], "done")
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.make_jsonrpc_request("/elitaco/v1/outbox/claim", {"worker": "w3"})
