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

    def deliver_together(self, messages: list[dict]) -> tuple[list[dict], list[Exception]]:
        """Each message on a cursor of its own, all at once, as the HTTP layer runs them
        (Odoo's retry of a request that met a serialization failure included)."""
        barrier = threading.Barrier(len(messages))
        answers, errors = [], []

        def deliver(message):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, self.env.uid, {})
                    barrier.wait(timeout=10)
                    answers.append(
                        retrying(lambda: env["integration.event"].process_envelope(message), env)
                    )
            except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
                errors.append(exc)

        threads = [threading.Thread(target=deliver, args=(m,)) for m in messages]
        # The test runner holds the registry lock; worker threads need it to build their
        # environments. Odoo's own test mode (HttpCase) swaps it the same way.
        registry_lock, Registry._lock = Registry._lock, DummyRLock()
        try:
            with mute_logger("odoo.sql_db"):  # the loser's serialization failure, then retry
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=60)
        finally:
            Registry._lock = registry_lock
        return answers, errors

    def test_same_key_on_two_cursors_is_applied_once(self):
        message = envelope("woo.customer.created")
        email = message["data"]["email"] = "race.condition@example.org"
        try:
            answers, errors = self.deliver_together([message, dict(message)])
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
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                env["integration.event"].search(
                    [("idempotency_key", "=", message["idempotency_key"])]
                ).unlink()
                env["integration.binding"].search(
                    [("model", "=", "res.partner"), ("external_id", "=", 27)]
                ).unlink()
                env["res.partner"].search([("email", "=", email)]).unlink()

    def test_created_and_updated_of_a_new_order_on_two_cursors(self):
        """WooCommerce sends both, identical, for an order made over REST (here pending, so
        nothing is confirmed and the test can clean up); two workers take them at once. One
        sale order, both events processed on their first attempt, and no sale order number
        burnt (the second waits, then retries with a fresh snapshot)."""
        woo_id = 990_001
        created = envelope("woo.order.created", id=woo_id, number=str(woo_id))
        updated = envelope("woo.order.updated", created["data"])
        sequence = self.env["ir.sequence"].search([("code", "=", "sale.order")], limit=1)
        before = sequence.number_next_actual
        try:
            answers, errors = self.deliver_together([created, updated])
            self.assertFalse(errors)
            self.assertEqual([a["status"] for a in answers], ["processed", "processed"])
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                events = env["integration.event"].search([("woo_resource_id", "=", woo_id)])
                self.assertEqual(events.mapped("attempts"), [1, 1])
                self.assertEqual(set(events.mapped("state")), {"done"})
                orders = env["sale.order"].search([("woo_order_id", "=", woo_id)])
                self.assertEqual(len(orders), 1)
                self.assertFalse(
                    orders.integration_timeline_ids.filtered(lambda entry: entry.kind == "failed")
                )
                sequence = env["ir.sequence"].browse(sequence.id)
                self.assertEqual(sequence.number_next_actual, before + 1, "no number burnt")
        finally:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                env["sale.order"].search([("woo_order_id", "=", woo_id)]).unlink()
                env["integration.event"].search([("woo_resource_id", "=", woo_id)]).unlink()
                env["integration.binding"].search([]).unlink()
                env["integration.resource.lock"].search([]).unlink()
                env["product.product"].search(
                    [
                        "|",
                        ("default_code", "in", ("SHIRT-LINEN-BLU-M", "SOCKS-ORG")),
                        ("name", "=", "Gift wrapping (handmade)"),
                    ]
                ).unlink()
                partners = env["res.partner"].search([("email", "=", "zoe.mueller@example.org")])
                (partners.child_ids | partners).unlink()

    def race(self, messages: list[dict], created: list[tuple[str, str]]) -> None:
        """A first import: two workers apply two products at once that bring the same new
        records; each of `created` (model, name) is made once."""
        self.set_product_master("woo")
        try:
            answers, errors = self.deliver_together(messages)
            self.assertFalse(errors)
            self.assertEqual([a["status"] for a in answers], ["processed", "processed"])
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                for model, name in created:
                    self.assertEqual(env[model].search_count([("name", "=", name)]), 1, model)
        finally:
            self.set_product_master("odoo")
            with self.registry.cursor() as cr:
                env = api.Environment(cr, self.env.uid, {})
                ids = [message["data"]["id"] for message in messages]
                for binding in env["integration.binding"].search([("external_id", "in", ids)]):
                    binding._record().with_context(active_test=False).unlink()
                for model, name in reversed(created):
                    env[model].search([("name", "=", name)]).unlink()
                env["integration.event"].search([("woo_resource_id", "in", ids)]).unlink()
                env["integration.binding"].search([]).unlink()
                env["integration.resource.lock"].search([]).unlink()

    def test_two_variable_products_bring_one_new_attribute(self):
        fabric = [{"id": 0, "name": "Race Fabric", "variation": True, "options": ["Wool", "Silk"]}]
        messages = [
            envelope(
                "woo.product.created",
                id=woo_id,
                type="variable",
                sku=f"VAR-{woo_id}",
                name=f"Variable {woo_id}",
                categories=[],
                attributes=fabric,
            )
            for woo_id in (991_001, 991_002)
        ]
        self.race(
            messages,
            [("product.attribute", "Race Fabric"), ("product.attribute.value", "Wool")],
        )

    def test_two_products_bring_one_new_category(self):
        category = {"id": 9901, "name": "Race Category", "parent": 0}
        messages = []
        for woo_id in (991_003, 991_004):
            message = envelope(
                "woo.product.created",
                id=woo_id,
                sku=f"SIMPLE-{woo_id}",
                categories=[{"id": 9901, "name": category["name"], "slug": "race"}],
            )
            message["fetched"] = {"categories": [category]}
            messages.append(message)
        self.race(messages, [("product.category", "Race Category")])

    def set_product_master(self, master: str) -> None:
        """Committed, for the workers' cursors (the ORM writes it at the flush, not at exit)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, self.env.uid, {})
            env["ir.config_parameter"].set_param("elitaco_integration.product_master", master)
            env.flush_all()
        self.registry.clear_cache()  # what this process cached of it
