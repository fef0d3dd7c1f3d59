from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import STORE, IntegrationCase, envelope

OTHER_URL = "https://other.example.com"
OTHER = "other.example.com"
UNKNOWN_LINE = {"id": 901, "name": "Gift card", "sku": "GIFT-NEW", "product_id": 990,
                "variation_id": 0, "quantity": 1, "subtotal": "10.00", "total": "10.00",
                "taxes": []}  # fmt: skip


def of_store(message: dict, url: str) -> dict:
    message["meta"] = dict(message["meta"], store_url=url + "/")
    return message


class StoresCase(IntegrationCase):
    """Two stores in one Odoo (and one company): the default one, in Settings, and another,
    each with its own warehouse, sales team, salesperson, pricelists and unknown-SKU policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(
            "elitaco_integration.store_url", f"https://{STORE}"
        )
        Store = cls.env["integration.store"]
        cls.worker = new_test_user(
            cls.env, login="stores-worker", groups="elitaco_integration.group_integration_user"
        )
        seller = "sales_team.group_sale_salesman"
        cls.seller_a = new_test_user(cls.env, login="seller-a", groups=seller)
        cls.seller_b = new_test_user(cls.env, login="seller-b", groups=seller)
        # A shop in several currencies has pricelists (Settings would archive them otherwise).
        pricelists = cls.env.ref("product.group_product_pricelist")
        cls.env.ref("base.group_user")._apply_group(pricelists)
        eur = cls.env.ref("base.EUR")
        usd = cls.env.ref("base.USD")
        usd.active = True
        Pricelist = cls.env["product.pricelist"]
        cls.pricelist_a = Pricelist.create({"name": "Shop EUR", "currency_id": eur.id})
        cls.pricelist_b = Pricelist.create({"name": "Other EUR", "currency_id": eur.id})
        cls.pricelist_b_usd = Pricelist.create({"name": "Other USD", "currency_id": usd.id})
        cls.warehouse_a = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.warehouse_b = cls.env["stock.warehouse"].create({"name": "Other", "code": "OTH"})
        cls.team_a = cls.env["crm.team"].create({"name": "Shop team"})
        cls.team_b = cls.env["crm.team"].create({"name": "Other team"})
        cls.store_a = Store._ensure(f"https://{STORE}")
        cls.store_a.write(
            {
                "warehouse_id": cls.warehouse_a.id,
                "team_id": cls.team_a.id,
                "salesperson_id": cls.seller_a.id,
                "pricelist_id": cls.pricelist_a.id,
                "unknown_sku": "create",
            }
        )
        cls.store_b = Store.create(
            {
                "name": "Other shop",
                "url": OTHER_URL,
                "warehouse_id": cls.warehouse_b.id,
                "team_id": cls.team_b.id,
                "salesperson_id": cls.seller_b.id,
                "pricelist_id": cls.pricelist_b.id,
                "pricelist_ids": [(6, 0, cls.pricelist_b_usd.ids)],
                "unknown_sku": "fail",
            }
        )
        # The gift wrapping line has no SKU: bound in both stores, as the shirt and socks are
        # found by theirs.
        cls.env["integration.binding"]._bind(STORE, cls.wrapping, 140)
        cls.env["integration.binding"]._bind(OTHER, cls.wrapping, 140)

    def process_as_worker(self, message: dict) -> dict:
        return self.Event.with_user(self.worker).process_envelope(message)

    def process_both(self) -> None:
        """Order 4711 of each store (the other's placed a minute later: each its own event)."""
        for url, modified in ((f"https://{STORE}", "10:00"), (OTHER_URL, "10:01")):
            message = envelope("woo.order.created", date_modified_gmt=f"2026-02-20T{modified}:00")
            answer = self.process_as_worker(of_store(message, url))
            self.assertEqual(answer["status"], "processed", answer)

    def order_of(self, store: str, woo_id: int = 4711):
        return self.Order.search([("woo_store", "=", store), ("woo_order_id", "=", woo_id)])


class TestStoreSettings(StoresCase):
    def test_the_accessor_finds_the_store_of_a_key_else_the_default_one(self):
        stores = self.env["integration.store"]
        self.assertEqual(stores._for_key(OTHER), self.store_b)
        self.assertEqual(stores._for_key(STORE), self.store_a)
        self.assertEqual(stores._for_key("unknown.example.com"), self.store_a)
        self.assertEqual(stores._for_key(None), self.store_a)
        self.assertTrue(self.store_a.is_default)

    def test_each_store_s_order_lands_with_its_warehouse_team_salesperson_and_pricelist(self):
        self.process_both()
        order_a, order_b = self.order_of(STORE), self.order_of(OTHER)
        self.assertEqual(
            (order_a.warehouse_id, order_a.team_id, order_a.user_id, order_a.pricelist_id),
            (self.warehouse_a, self.team_a, self.seller_a, self.pricelist_a),
        )
        self.assertEqual(
            (order_b.warehouse_id, order_b.team_id, order_b.user_id, order_b.pricelist_id),
            (self.warehouse_b, self.team_b, self.seller_b, self.pricelist_b),
        )
        self.assertEqual(order_b.create_uid, self.worker)

    def test_an_order_in_another_currency_takes_the_store_s_pricelist_of_that_currency(self):
        message = envelope("woo.order.created", id=4800, number="4800", currency="USD")
        answer = self.process_as_worker(of_store(message, OTHER_URL))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertEqual(self.order_of(OTHER, 4800).pricelist_id, self.pricelist_b_usd)

    def test_the_unknown_sku_policy_is_the_store_s(self):
        made = envelope("woo.order.created", line_items=[UNKNOWN_LINE])
        answer = self.process_as_worker(of_store(made, f"https://{STORE}"))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertIn("created (unknown SKU 'GIFT-NEW')", "\n".join(answer["warnings"]))

        line = dict(UNKNOWN_LINE, sku="GIFT-OTHER", product_id=991)
        refused = envelope("woo.order.created", line_items=[line])
        answer = self.process_as_worker(of_store(refused, OTHER_URL))
        self.assertEqual(answer["status"], "failed", answer)
        self.assertIn("no Odoo product with SKU 'GIFT-OTHER'", answer["error"]["message"])
        self.assertFalse(self.order_of(OTHER))

    def test_one_pricelist_per_currency_on_a_store(self):
        other_usd = self.env["product.pricelist"].create(
            {"name": "Other USD 2", "currency_id": self.env.ref("base.USD").id}
        )
        with self.assertRaisesRegex(ValidationError, "one per currency"):
            self.store_b.pricelist_ids = [(4, other_usd.id)]

    def test_invoice_and_pay_without_a_journal_is_refused_on_the_store_too(self):
        with self.assertRaisesRegex(ValidationError, "Default payment journal"):
            self.store_b.invoice_policy = "paid"

    def test_a_store_s_value_map_wins_over_the_shared_one_for_that_store_only(self):
        maps = self.env["integration.value.map"]
        shared = self.env["product.pricelist"].create(
            {"name": "Shared EUR", "currency_id": self.env.ref("base.EUR").id}
        )
        own = self.env["product.pricelist"].create(
            {"name": "Other's own EUR", "currency_id": self.env.ref("base.EUR").id}
        )
        maps.create({"kind": "currency", "woo_value": "EUR", "pricelist_id": shared.id})
        maps.create(
            {
                "kind": "currency",
                "woo_value": "EUR",
                "pricelist_id": own.id,
                "store_id": self.store_b.id,
            }
        )
        self.process_both()
        self.assertEqual(self.order_of(STORE).pricelist_id, shared)
        self.assertEqual(self.order_of(OTHER).pricelist_id, own)
        for twin in ({"store_id": self.store_b.id}, {"store_id": False}):
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(IntegrityError),
                self.env.cr.savepoint(),
            ):
                maps.create({"kind": "currency", "woo_value": "EUR"} | twin)

    def test_a_product_is_pushed_only_to_the_stores_where_odoo_is_master(self):
        self.store_b.product_master = "woo"
        apron = (
            self.env["product.template"]
            .with_context(elitaco_from_woo=False)
            .create(
                {
                    "name": "Apron",
                    "default_code": "APRON",
                    "woo_publish": True,
                    "woo_store_ids": [(6, 0, (self.store_a | self.store_b).ids)],
                }
            )
        )
        rows = self.env["integration.outbox"].search(
            [
                ("event_type", "=", "odoo.product.changed"),
                ("product_id", "=", apron.product_variant_id.id),
            ]
        )
        self.assertEqual(
            rows.mapped("store"), [STORE], "not to the store where WooCommerce is master"
        )

    def test_payloads_are_kept_as_long_as_their_store_says(self):
        done_a = self.process(of_store(envelope("woo.order.created"), f"https://{STORE}"))
        other = envelope("woo.order.created", id=4800, number="4800")
        done_b = self.process(of_store(other, OTHER_URL))
        ids = (done_a["event_id"], done_b["event_id"])
        events = self.Event.search([("event_id", "in", ids)])
        events.write({"received_at": "2026-01-01 00:00:00"})
        self.store_a.payload_retention_days = 30
        self.store_b.payload_retention_days = 3650
        self.assertEqual(self.Event._purge_payloads(), 1)
        by_id = {event.event_id: event for event in events}
        self.assertFalse(by_id[done_a["event_id"]].payload)
        self.assertTrue(by_id[done_b["event_id"]].payload, "the other store keeps it longer")


class TestSettingsEditTheDefaultStore(StoresCase):
    def test_settings_show_and_save_the_default_store_s_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.elitaco_warehouse_id, self.warehouse_a)
        self.assertEqual(settings.elitaco_pricelist_id, self.pricelist_a)
        self.assertEqual(settings.elitaco_store_id, self.store_a)
        self.assertEqual(settings.elitaco_store_count, 2, "the hint to the other stores shows")

        settings.write(
            {
                "elitaco_warehouse_id": self.warehouse_b.id,
                "elitaco_unknown_sku": "fail",
                "elitaco_team_id": self.team_b.id,
                "elitaco_pricelist_ids": [(6, 0, self.pricelist_b_usd.ids)],
            }
        )
        settings.execute()
        self.assertEqual(self.store_a.warehouse_id, self.warehouse_b)
        self.assertEqual(self.store_a.unknown_sku, "fail")
        self.assertEqual(self.store_a.team_id, self.team_b)
        self.assertEqual(self.store_a.pricelist_ids, self.pricelist_b_usd)
        self.assertEqual(self.store_b.team_id, self.team_b, "the other store's own, as before")
        self.assertEqual(self.store_b.warehouse_id, self.warehouse_b)

        self.store_a.unknown_sku = "create"  # on the store's form
        self.assertEqual(self.env["res.config.settings"].create({}).elitaco_unknown_sku, "create")

    def test_a_script_setting_the_parameter_sets_the_default_store(self):
        self.env["ir.config_parameter"].set_param("elitaco_integration.unknown_sku", "fail")
        self.env["ir.config_parameter"].set_param(
            "elitaco_integration.warehouse_id", str(self.warehouse_b.id)
        )
        self.assertEqual(self.store_a.unknown_sku, "fail")
        self.assertEqual(self.store_a.warehouse_id, self.warehouse_b)
        self.assertEqual(self.store_b.unknown_sku, "fail", "its own, unchanged")
        self.env["ir.config_parameter"].set_param("elitaco_integration.warehouse_id", False)
        self.assertFalse(self.store_a.warehouse_id)

    def test_settings_check_the_company_of_the_default_store(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.elitaco_store_company_id, self.store_a.company_id)
        other = self.env["res.company"].create({"name": "Other company"})
        foreign = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        with self.assertRaisesRegex(UserError, "Incompatible companies"):
            self.store_a.warehouse_id = foreign
