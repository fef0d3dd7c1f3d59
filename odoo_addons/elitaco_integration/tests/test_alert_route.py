import json
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import WorkerCase

STORE_URL = "https://shop.example.com"


@tagged("-at_install", "post_install")
class TestAlertRoute(WorkerCase):
    """POST /elitaco/v1/alerts: the workers' checks raise and clear alerts, as the Integration
    User with its API key; bad input is refused with what to send."""

    def report(self, params: dict, key: str | None = None):
        headers = {"Authorization": f"Bearer {key or self.api_key}"}
        return self.make_jsonrpc_request("/elitaco/v1/alerts", params, headers=headers)

    def refusal(self, params: dict) -> str:
        """The JSON-RPC error's message, as the worker reads it."""
        response = self.url_open(
            "/elitaco/v1/alerts",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}),
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Content-Type": "application/json",
            },
        )
        error = response.json()["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.ValidationError")
        return error["message"]

    def alert(self, kind: str):
        return self.env["integration.alert"].search([("kind", "=", kind)])

    def test_a_problem_raises_one_alert_and_its_todo_and_a_fine_check_clears_it(self):
        problem = {
            "kind": "webhook",
            "ok": False,
            "message": "2 webhook problem(s): order.deleted missing; 7 points elsewhere",
            "count": 2,
        }
        answer = self.report(
            {"store": STORE_URL, "alerts": [problem], "reconciled_at": "2026-02-01T10:00:00Z"}
        )
        self.assertEqual(answer, {"store": "shop.example.com", "alerts": {"webhook": "open"}})
        self.report({"store": STORE_URL, "alerts": [problem]})
        alert = self.alert("webhook")
        self.assertEqual((len(alert), alert.count, len(alert.activity_ids)), (1, 2, 1))
        self.assertIn("order.deleted missing", str(alert.activity_ids.note))
        store = alert.store_id
        self.assertEqual(
            store.last_reconcile_at, fields.Datetime.from_string("2026-02-01 10:00:00")
        )
        self.assertTrue(store.webhooks_checked_at and store.last_report_at)
        self.assertEqual(store.webhook_problem_count, 2)

        answer = self.report(
            {
                "store": STORE_URL,
                "alerts": [{"kind": "webhook", "ok": True}, {"kind": "backlog", "ok": True}],
            }
        )
        self.assertEqual(answer["alerts"], {"webhook": "cleared", "backlog": "clear"})
        self.assertEqual(alert.state, "cleared")
        self.assertFalse(alert.activity_ids)
        self.assertFalse(self.alert("backlog"), "nothing to clear, nothing made")

    def test_bad_input_is_refused_with_what_to_send(self):
        cases = [
            (
                {"store": STORE_URL, "alerts": [{"kind": "weather", "ok": False, "message": "x"}]},
                r"params\.alerts\[0\]\.kind: 'weather' is not one of",
            ),
            (
                {"store": STORE_URL, "alerts": [{"kind": "backlog", "ok": False}]},
                r"params\.alerts\[0\]: 'message' is a required property",
            ),
            (
                {"store": STORE_URL, "alerts": "webhook"},
                r"params\.alerts: 'webhook' is not of type",
            ),
            ({"alerts": []}, r"'store' is a required property"),
            (
                {"store": STORE_URL, "alerts": [], "reconciled_at": "yesterday"},
                "reconciled_at must be a UTC date and time",
            ),
        ]
        for params, error in cases:
            with self.subTest(params=params):
                self.assertRegex(self.refusal(params), error)
        self.assertFalse(self.env["integration.alert"].search([]))

    def test_only_integration_users_report(self):
        outsider = new_test_user(self.env, login="outsider", groups="base.group_user")
        key = (
            self.env["res.users.apikeys"]
            .with_user(outsider)
            ._generate(None, "not integration", self.api_key_expires)
        )
        with self.assertRaisesRegex(JsonRpcException, "AccessDenied"):
            self.report({"store": STORE_URL, "alerts": []}, key)

    def test_workers_that_stop_reporting_are_noticed_by_odoo_itself(self):
        """A refused key cannot be reported by the workers: Odoo's cron sees the silence."""
        self.report({"store": STORE_URL, "alerts": [{"kind": "api_key", "ok": True}]})
        store = self.env["integration.store"].search([("key", "=", "shop.example.com")])
        Alert = self.env["integration.alert"]
        Alert._cron_check()
        self.assertFalse(self.alert("silent"), "heard lately")

        store.last_report_at = fields.Datetime.now() - timedelta(hours=3)
        self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.worker.id)]).write(
            {"expiration_date": fields.Datetime.now() - timedelta(hours=1)}
        )
        Alert._cron_check()
        silent = self.alert("silent")
        self.assertEqual((silent.state, len(silent.activity_ids)), ("open", 1))
        self.assertIn("API key expired", silent.message)

        store.last_report_at = fields.Datetime.now()
        Alert._cron_check()
        self.assertEqual(silent.state, "cleared")
        self.assertFalse(silent.activity_ids)
