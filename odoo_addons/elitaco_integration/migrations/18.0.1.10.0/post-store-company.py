"""18.0.1.10.0: the integration's records of a store are the store's company's (its events,
dead letters, bindings, pushes, imports, previews, drift runs, timeline rows and alerts):
filled by their store key. Records of a store Odoo has no store record of are the default
store's company's, else the main company's, as the ORM would say (integration.store)."""

from odoo import SUPERUSER_ID, api

# Tables whose rows name their store by key (integration.store.key).
KEYED_TABLES = (
    "integration_event",
    "integration_binding",
    "integration_outbox",
    "integration_timeline",
    "integration_import",
    "integration_import_preview",
    "integration_drift",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    fallback = env["integration.store"]._company_of(None).id
    for table in KEYED_TABLES:
        cr.execute(
            f"""
            UPDATE {table} t
               SET company_id = COALESCE(
                       (SELECT s.company_id FROM integration_store s WHERE s.key = t.store),
                       %s)
             WHERE t.company_id IS NULL
            """,
            (fallback,),
        )
    cr.execute(
        """
        UPDATE integration_alert a SET company_id = s.company_id
          FROM integration_store s
         WHERE s.id = a.store_id AND a.company_id IS NULL
        """
    )
