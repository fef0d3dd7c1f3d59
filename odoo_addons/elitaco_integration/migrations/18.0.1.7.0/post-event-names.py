"""18.0.1.7.0: events are named as a person knows them ('Order #1042 – updated (processing)',
with the customer and total) from their envelope; one whose envelope was emptied after the
retention is named by its resource and WooCommerce id."""

from odoo.addons.elitaco_integration.envelope import RESOURCES, describe

BATCH = 1000


def migrate(cr, version):
    cr.execute("SELECT id FROM integration_event WHERE resource IS NULL ORDER BY id")
    ids = [row[0] for row in cr.fetchall()]
    for start in range(0, len(ids), BATCH):
        cr.execute(
            "SELECT id, event_type, woo_resource_id, payload FROM integration_event WHERE id IN %s",
            (tuple(ids[start : start + BATCH]),),
        )
        for event_id, event_type, woo_id, payload in cr.fetchall():
            described = describe(payload if isinstance(payload, dict) else {})
            resource = (event_type or "").split(".")[1:2]
            if not described["resource"] and resource and resource[0] in RESOURCES:
                described["resource"] = resource[0]
                described["woo_label"] = f"#{woo_id}" if woo_id else None
            cr.execute(
                """
                UPDATE integration_event
                   SET resource = %s, woo_label = %s, woo_status = %s, customer_name = %s,
                       amount_total = %s, currency_code = %s
                 WHERE id = %s
                """,
                (
                    described["resource"],
                    described["woo_label"],
                    described["woo_status"],
                    described["customer_name"],
                    described["amount_total"],
                    described["currency_code"],
                    event_id,
                ),
            )
