from .common import IntegrationCase, envelope
from .test_migrations import migration
from .test_store_company import STORE_B, in_store

TABLES = ("integration_event", "integration_binding", "integration_timeline", "integration_alert")


class TestStoreCompanyMigration(IntegrationCase):
    def test_18_0_1_10_0_gives_each_store_s_records_its_company(self):
        company_b = self.env["res.company"].create({"name": "Elitaco B"})
        store_b = self.env["integration.store"].create(
            {"name": "B", "url": STORE_B, "company_id": company_b.id}
        )
        self.process(in_store(envelope("woo.customer.created"), STORE_B))
        self.process(envelope("woo.customer.created", id=28, email="max@example.org"))
        self.env["integration.alert"]._raise(store_b, "backlog", "Waited long.")
        self.env.flush_all()
        for table in TABLES:  # as the pre-migration leaves them: the column, empty
            self.env.cr.execute(f"UPDATE {table} SET company_id = NULL")
        self.env.invalidate_all()

        migration("18.0.1.10.0", "post-store-company").migrate(self.env.cr, "18.0.1.9.0")
        events = self.env["integration.event"].search([])
        self.assertEqual(
            {(event.store, event.company_id) for event in events},
            {("b-shop.example.com", company_b), ("shop.example.com", self.env.company)},
            "a store Odoo has no record of (nor a default store): the main company",
        )
        bindings = self.env["integration.binding"].search([])
        self.assertEqual(
            {(binding.store, binding.company_id) for binding in bindings},
            {("b-shop.example.com", company_b), ("shop.example.com", self.env.company)},
        )
        timeline = self.env["integration.timeline"].search([("store", "=", store_b.key)])
        self.assertEqual(timeline.company_id, company_b)
        alert = self.env["integration.alert"].search([("kind", "=", "backlog")])
        self.assertEqual(alert.company_id, company_b)

    def test_18_0_1_10_0_makes_the_columns_before_the_registry_would_compute_them(self):
        self.env.cr.execute("ALTER TABLE integration_binding DROP COLUMN company_id CASCADE")
        migration("18.0.1.10.0", "pre-store-company").migrate(self.env.cr, "18.0.1.9.0")
        self.env.cr.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'integration_binding' AND column_name = 'company_id'"
        )
        self.assertEqual(self.env.cr.fetchone(), ("integer",))
