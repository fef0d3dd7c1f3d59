from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope
from .test_variant_prices import ADDING_UP, MASTER, PRICELIST, variable_shirt, variation

UNKNOWN_SKU = "elitaco_integration.unknown_sku"


def green_variation() -> dict:
    """Variation 146 of the shirt in a colour Odoo does not have yet."""
    return envelope(
        "woo.product.updated",
        id=146,
        parent_id=120,
        type="variation",
        sku="SHIRT-S-Green",
        name="Linen Shirt - S, Green",
        regular_price="20.00",
        price="20.00",
        date_modified_gmt="2026-03-01T00:00:00",
        manage_stock=False,
        attributes=[
            {"id": 1, "name": "Size", "option": "S"},
            {"id": 2, "name": "Color", "option": "Green"},
        ],
    )


class ProductTimeline:
    def template(self):
        return self.env["integration.binding"]._find(STORE, "product.template", 120)

    def variant(self, woo_id: int):
        return self.env["integration.binding"]._find(STORE, "product.product", woo_id)

    def row_of(self, message: dict):
        return self.env["integration.timeline"].search(
            [("event_id.event_id", "=", message["event_id"])]
        )


@tagged("-at_install", "post_install")
class TestProductTimeline(ProductTimeline, IntegrationCase):
    """A product's and its variations' events have one row each on the product, as an
    order's have on the order."""

    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        params.set_param(PRICELIST, "")
        self.assertEqual(self.process(variable_shirt())["status"], "processed")
        for woo_id, price in ADDING_UP.items():
            self.assertEqual(self.process(variation(woo_id, price))["status"], "processed")

    def test_a_variant_price_warning_is_said_on_its_product(self):
        template = self.template()
        self.assertEqual(template.woo_timeline_count, 1 + len(ADDING_UP))
        self.assertFalse(template.woo_timeline_level, "prices that add up warn of nothing")

        message = variation(143, 24, "2026-03-01T00:00:00")
        answer = self.process(message)
        self.assertEqual(answer["status"], "processed", answer)
        row = self.row_of(message)
        self.assertEqual(row.product_tmpl_id, template)
        self.assertEqual(row.product_id, self.variant(143), "the row names the variant")
        self.assertEqual(row.kind, "processed")
        self.assertIn("set a default pricelist", row.warnings)
        self.assertTrue(row.story.startswith("⚠ "), "warnings first")
        self.assertIn(row, template.woo_timeline_ids)
        template.invalidate_recordset()
        self.assertEqual(template.woo_timeline_level, "warning")
        self.assertIn("set a default pricelist", template.woo_timeline_problem)

        back = self.process(variation(143, 23, "2026-03-02T00:00:00"))
        self.assertEqual(back["warnings"], [])
        template.invalidate_recordset()
        self.assertFalse(template.woo_timeline_level, "its last event warns of nothing")
        self.assertEqual(template.woo_timeline_count, 3 + len(ADDING_UP))

    def test_a_failed_then_dead_event_needs_attention_on_its_product_until_replayed(self):
        self.env["ir.config_parameter"].set_param(UNKNOWN_SKU, "fail")
        message = green_variation()
        answer = self.process(message)
        self.assertEqual(answer["status"], "failed", answer)
        template = self.template()
        row = self.row_of(message)
        self.assertEqual((row.product_tmpl_id, row.kind), (template, "failed"))
        self.assertIn("Green", row.message)

        event = row.event_id
        self.Event.mark_dead(message["event_id"], answer["error"]["message"])
        self.assertEqual((self.row_of(message).kind, len(event.timeline_ids)), ("dead", 1))
        template.invalidate_recordset()
        self.assertEqual(template.woo_timeline_level, "danger")
        self.assertIn("update of product SHIRT-S-Green", template.woo_timeline_problem)
        self.assertIn("could not be applied", template.woo_timeline_problem)
        self.assertIn("then Replay", template.woo_timeline_problem)

        self.env["ir.config_parameter"].set_param(UNKNOWN_SKU, "create")
        template.action_replay_woo_timeline()
        row = self.row_of(message)
        self.assertEqual(len(row), 1, "one row per event, rewritten by the replay")
        self.assertEqual(row.kind, "processed")
        self.assertEqual(row.replayed_by_id, self.env.user)
        self.assertIn("Replayed by", row.story)
        self.assertEqual(row.product_id, self.variant(146))
        self.assertIn("Green", row.product_id.display_name)
        template.invalidate_recordset()
        self.assertFalse(template.woo_timeline_level)

    def test_the_same_product_event_delivered_twice_has_one_row(self):
        message = variation(140, 21, "2026-03-01T00:00:00")
        self.assertEqual(self.process(message)["status"], "processed")
        self.assertEqual(self.process(dict(message))["status"], "duplicate")
        row = self.row_of(message)
        self.assertEqual((len(row), row.repeats), (1, 1))
        self.assertIn("Delivered again once", row.story)

        # The same state under another key (a reconcile's, an import's) changed nothing either.
        again = dict(message, event_id="11111111-1111-4111-8111-111111111111")
        again["idempotency_key"] = message["idempotency_key"] + "-again"
        self.assertEqual(self.process(again)["status"], "processed")
        self.assertFalse(self.row_of(again), "no row of its own")
        self.assertEqual(self.row_of(message).repeats, 2)
        self.assertEqual(self.template().woo_timeline_count, 2 + len(ADDING_UP))

    def test_a_variation_before_its_product_joins_the_product(self):
        early = envelope(
            "woo.product.updated",
            id=161,
            parent_id=160,
            type="variation",
            sku="CAP-RED",
            name="Cap - Red",
            regular_price="9.00",
            date_modified_gmt="2026-03-01T00:00:00",
            attributes=[{"id": 2, "name": "Color", "option": "Red"}],
        )
        self.assertEqual(self.process(early)["status"], "failed")
        row = self.row_of(early)
        self.assertEqual(row.kind, "failed")
        self.assertFalse(row.product_tmpl_id, "no product yet: the ledger has it")
        cap = envelope(
            "woo.product.created",
            id=160,
            type="variable",
            sku="CAP",
            name="Cap",
            price="9.00",
            attributes=[{"id": 2, "name": "Color", "variation": True, "options": ["Red"]}],
        )
        self.assertEqual(self.process(cap)["status"], "processed")
        later = dict(early, data=dict(early["data"], date_modified_gmt="2026-03-02T00:00:00"))
        later.update(event_id="22222222-2222-4222-8222-222222222222")
        later["idempotency_key"] = early["idempotency_key"] + "-later"
        self.assertEqual(self.process(later)["status"], "processed")
        template = self.env["integration.binding"]._find(STORE, "product.template", 160)
        self.assertEqual(self.row_of(early).product_tmpl_id, template)
        self.assertEqual(self.row_of(early).kind, "ignored", "set aside by the newer state")
        self.assertEqual(self.row_of(later).product_id.product_tmpl_id, template)

    def test_only_timeline_readers_see_it(self):
        template = self.template()
        seller = new_test_user(self.env, login="seller", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            template.with_user(seller).read(["woo_timeline_ids"])
        arch = template.with_user(seller).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("woo_timeline", arch)
        groups = "base.group_user,elitaco_integration.group_integration_reader"
        reader = new_test_user(self.env, login="reader", groups=groups)
        arch = template.with_user(reader).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("woo_timeline_ids", arch)
        self.assertEqual(template.with_user(reader).woo_timeline_ids, template.woo_timeline_ids)


@tagged("-at_install", "post_install")
class TestProductTimelineAsWorker(ProductTimeline, WorkerCase):
    def test_the_workers_product_event_leaves_its_warning_on_the_product(self):
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        params.set_param(PRICELIST, "")
        self.assertEqual(self.post_event(variable_shirt(), self.api_key)["status"], "processed")
        for woo_id, price in ADDING_UP.items():
            answer = self.post_event(variation(woo_id, price), self.api_key)
            self.assertEqual(answer["status"], "processed", answer)
        message = variation(143, 24, "2026-03-01T00:00:00")
        answer = self.post_event(message, self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        self.assertTrue(answer["warnings"])
        self.assertEqual(self.post_event(dict(message), self.api_key)["status"], "duplicate")
        row = self.row_of(message)
        self.assertEqual(row.product_tmpl_id, self.template())
        self.assertEqual(row.create_uid, self.worker)
        self.assertIn("set a default pricelist", row.warnings)
        self.assertEqual(row.repeats, 1)
        self.assertEqual(self.template().woo_timeline_level, "warning")
