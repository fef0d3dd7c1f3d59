"""18.0.1.2.0: one name per store (www. and default ports dropped: the relay names the store
after WOO_STORE_URL, no more after the unsigned X-WC-Webhook-Source header); the consumer key and
secret, which nothing in Odoo read, are no longer kept in Odoo."""

import logging

from odoo.addons.elitaco_integration.envelope import store_key

_logger = logging.getLogger(__name__)

STORE_COLUMNS = [
    ("integration_event", "store"),
    ("integration_outbox", "store"),
    ("integration_timeline", "store"),
    ("sale_order", "woo_store"),
]


def migrate(cr, version):
    cr.execute(
        "DELETE FROM ir_config_parameter WHERE key IN "
        "('elitaco_integration.consumer_key', 'elitaco_integration.consumer_secret')"
    )
    for table, column in STORE_COLUMNS:
        for old, new in _renamed(cr, table, column):
            cr.execute(f"UPDATE {table} SET {column} = %s WHERE {column} = %s", (new, old))
    for old, new in _renamed(cr, "integration_binding", "store"):
        # A WooCommerce id bound under both names keeps its binding under the new name.
        cr.execute(
            """
            UPDATE integration_binding b SET store = %s
             WHERE store = %s
               AND NOT EXISTS (SELECT 1 FROM integration_binding o
                                WHERE o.store = %s AND o.model = b.model
                                  AND o.external_id = b.external_id)
            """,
            (new, old, new),
        )
        cr.execute("SELECT count(*) FROM integration_binding WHERE store = %s", (old,))
        left = cr.fetchone()[0]
        if left:
            _logger.warning(
                "%s bindings of store %r were not renamed to %r: the same WooCommerce ids are "
                "bound under %r already (Integration > Configuration > Bindings)",
                left,
                old,
                new,
                new,
            )


def _renamed(cr, table: str, column: str) -> list[tuple[str, str]]:
    cr.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")
    return [(old, store_key(old)) for (old,) in cr.fetchall() if old != store_key(old)]
