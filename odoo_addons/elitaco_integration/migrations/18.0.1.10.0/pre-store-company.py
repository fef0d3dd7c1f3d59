"""18.0.1.10.0: the integration's records of a store are the store's company's. Before the
registry adds their company_id: the columns are made here, empty, so that the ORM does not
compute them row by row for the whole ledger; post-store-company fills them with SQL."""

# The tables of the records of a store, each with its `store` key (alerts: their store_id).
TABLES = (
    "integration_event",
    "integration_binding",
    "integration_outbox",
    "integration_timeline",
    "integration_import",
    "integration_import_preview",
    "integration_drift",
    "integration_alert",
)


def migrate(cr, version):
    for table in TABLES:
        cr.execute("SELECT to_regclass(%s)", (table,))
        if cr.fetchone()[0]:
            cr.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS company_id integer")
