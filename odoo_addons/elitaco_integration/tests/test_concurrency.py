import threading

from odoo import api
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.tests.common import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import envelope


@tagged("-at_install", "post_install")
class TestConcurrentDelivery(TransactionCase):
    """Two workers deliver the same key at the same moment, on two real database cursors:
    exactly one applies it. (Committed data, so it cleans up after itself.)"""

    def test_same_key_on_two_cursors_is_applied_once(self):
        message = envelope("woo.customer.created")
        email = message["data"]["email"] = "race.condition@example.org"
        barrier = threading.Barrier(2)
        answers, errors = [], []

        def deliver():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, self.env.uid, {})
                    barrier.wait(timeout=10)
                    answers.append(
                        retrying(
                            lambda: env["integration.event"].process_envelope(dict(message)), env
                        )
                    )
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=deliver) for _ in range(2)]
        # The test runner holds the registry lock; worker threads need it to build their
        # environments. Odoo's own test mode (HttpCase) swaps it the same way.
        registry_lock, Registry._lock = Registry._lock, DummyRLock()
        try:
            with mute_logger("odoo.sql_db"):  # the loser's serialization failure, then retry
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=60)
            Registry._lock = registry_lock
            self.assertFalse(errors)
            self.assertEqual(
                sorted(answer["status"] for answer in answers), ["duplicate", "processed"]
            )
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                self.assertEqual(env["res.partner"].search_count([("email", "=", email)]), 1)
                self.assertEqual(
                    env["integration.event"].search_count(
                        [("idempotency_key", "=", message["idempotency_key"])]
                    ),
                    1,
                )
        finally:
            Registry._lock = registry_lock
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                env["integration.event"].search(
                    [("idempotency_key", "=", message["idempotency_key"])]
                ).unlink()
                env["integration.binding"].search(
                    [("model", "=", "res.partner"), ("external_id", "=", 27)]
                ).unlink()
                env["res.partner"].search([("email", "=", email)]).unlink()
