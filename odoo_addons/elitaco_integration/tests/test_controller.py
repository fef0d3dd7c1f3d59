from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from ..models import res_users_apikeys
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

    def test_the_workers_user_neither_sells_nor_follows_orders_or_customers(self):
        """The salesperson is the customer's own, else the one in Settings, else none."""
        seller = new_test_user(
            self.env, login="shop-seller", groups="sales_team.group_sale_salesman"
        )
        account_manager = new_test_user(
            self.env, login="account-manager", groups="sales_team.group_sale_salesman"
        )

        def order_of(woo_id: int):
            message = envelope("woo.order.created", id=woo_id, number=str(woo_id))
            self.assertEqual(self.post_event(message, self.api_key)["status"], "processed")
            return self.env["sale.order"].search([("woo_order_id", "=", woo_id)])

        first = order_of(4711)
        self.assertFalse(first.user_id)
        self.assertNotIn(self.worker.partner_id, first.message_partner_ids)
        self.assertNotIn(self.worker.partner_id, first.partner_id.message_partner_ids)
        self.env["ir.config_parameter"].set_param("elitaco_integration.salesperson_id", seller.id)
        self.assertEqual(order_of(4712).user_id, seller)
        first.partner_id.commercial_partner_id.user_id = account_manager
        self.assertEqual(order_of(4713).user_id, account_manager)

    def test_missing_and_wrong_keys_are_refused(self):
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.post_event(envelope("woo.order.created"))
        with self.assertRaisesRegex(JsonRpcException, "Unauthorized"):
            self.post_event(envelope("woo.order.created"), "not-a-key")
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.post_event(envelope("woo.order.created"), self.outsider_key)
        self.assertFalse(self.env["integration.event"].search([]))

    def test_a_key_is_hashed_once_and_still_checked_on_each_request(self):
        """The pbkdf2 comparison is remembered; expiry, the user being active and the key's
        existence are not."""
        keys = self.env["res.users.apikeys"]
        key = keys.with_user(self.worker)._generate(None, "hashed once", self.api_key_expires)
        row = keys.sudo().search([("name", "=", "hashed once")])
        wrong = key[:8] + "0" * (len(key) - 8)  # same index: Odoo compares it with the hash
        real = res_users_apikeys.KEY_CRYPT_CONTEXT
        with patch.object(res_users_apikeys, "KEY_CRYPT_CONTEXT") as context:
            verify = context.verify
            verify.side_effect = real.verify
            self.assertEqual(keys._check_credentials(scope="rpc", key=key), self.worker.id)
            self.assertEqual(keys._check_credentials(scope="rpc", key=key), self.worker.id)
            self.assertEqual(verify.call_count, 1)
            self.assertIsNone(keys._check_credentials(scope="rpc", key=wrong))
            self.assertEqual(verify.call_count, 2, "a key that does not match is compared")

            # Odoo reads the key with SQL: what the ORM wrote is flushed first, as at the end of
            # the request that wrote it. now() is the test transaction's start: a day back.
            row.write({"expiration_date": fields.Datetime.now() - timedelta(days=1)})
            self.env.flush_all()
            self.assertIsNone(keys._check_credentials(scope="rpc", key=key), "expired")
            row.write({"expiration_date": self.api_key_expires})
            self.worker.active = False
            self.env.flush_all()
            self.assertIsNone(keys._check_credentials(scope="rpc", key=key), "user archived")
            self.worker.active = True
            self.env.flush_all()
            self.assertEqual(keys._check_credentials(scope="rpc", key=key), self.worker.id)
            row.unlink()
            self.assertIsNone(keys._check_credentials(scope="rpc", key=key), "key deleted")

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

    def test_an_order_failing_the_contract_is_dead_on_its_order(self):
        """As a reconcile sends an order that fails the contract (unvalidated): dead at once,
        and found in the ledger and on the order's timeline by its WooCommerce id and store."""
        created = self.post_event(envelope("woo.order.created"), self.api_key)
        self.assertEqual(created["status"], "processed")
        message = envelope("woo.order.updated", line_items="not a list")
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["error"]["code"], "invalid_envelope")
        dead = self.make_jsonrpc_request(
            "/elitaco/v1/events/dead",
            {"event_id": message["event_id"], "error": answer["error"]["message"]},
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        self.assertEqual(dead["status"], "dead")
        event = self.env["integration.event"].search(
            [("store", "=", "shop.example.com"), ("woo_resource_id", "=", 4711)]
        )
        event = event.filtered(lambda e: e.event_id == message["event_id"])
        self.assertEqual((event.state, event.resource, event.woo_label), ("dead", "order", "#4711"))
        order = self.env["sale.order"].search([("woo_order_id", "=", 4711)])
        self.assertEqual(event.sale_order_id, order)
        response = self.url_open(
            "/elitaco/v1/orders/4711/timeline", headers={"Authorization": f"Bearer {self.api_key}"}
        )
        self.assertEqual(response.json()["entries"][0]["kind"], "dead")

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
        [entry] = timeline["entries"]
        self.assertEqual((entry["kind"], entry["attempts"]), ("dead", 1), "one row per event")
        self.assertIn("XYZ", entry["story"])
        self.assertEqual(entry["trace_id"], message["trace_id"])

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
