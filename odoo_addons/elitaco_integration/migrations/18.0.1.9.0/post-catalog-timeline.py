"""18.0.1.9.0: products, variations, customers and categories have a timeline. The events of
products and customers the ledger holds from before (their warnings were in the ledger only)
get their row on the product or the contact, as if recorded when they were applied. Pushes
from before stay in Integration › Outbox only."""

from odoo import SUPERUSER_ID, api

KIND_OF_STATE = {
    "done": "processed",
    "ignored": "ignored",
    "superseded": "ignored",
    "failed": "failed",
    "dead": "dead",
}
BATCH = 1000


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    events = env["integration.event"].with_context(active_test=False)
    ids = events.search(
        [
            ("source", "=", "woo"),
            ("resource", "in", ("product", "customer")),
            ("state", "in", list(KIND_OF_STATE)),
            ("timeline_ids", "=", False),
        ],
        order="id",
    ).ids
    for start in range(0, len(ids), BATCH):
        batch = events.browse(ids[start : start + BATCH])
        env["integration.timeline"].create([_row(event) for event in batch])
        env.invalidate_all()


def _row(event) -> dict:
    return event._catalog_links() | {
        "event_id": event.id,
        "store": event.store,
        "at": event.processed_at or event.received_at,
        "kind": KIND_OF_STATE[event.state],
        "message": event.message or (event.last_error or event.event_type).splitlines()[0],
        "warnings": event.warnings,
        "attempts": max(event.attempts, 1),
    }
