from odoo import api, fields, models


class IntegrationResourceLock(models.Model):
    """One row per WooCommerce resource whose events are being applied: the lock that makes the
    events of one order (or customer, or product) apply one at a time, whichever worker holds
    them."""

    _name = "integration.resource.lock"
    _description = "Integration lock of one WooCommerce resource"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    locked_at = fields.Datetime(readonly=True)

    _sql_constraints = [("key_uniq", "unique(key)", "One lock row per resource.")]

    @api.model
    def _acquire(self, key: str) -> None:
        """Wait until no other transaction applies an event of `key`, then hold it to the end of
        this transaction.

        A row upsert, not an advisory lock: Odoo's transactions are REPEATABLE READ, and one that
        waited here for another would go on with its old snapshot, blind to the sale order the
        other one has just created. Upserting a row that a newer transaction changed fails with
        a serialization error instead, and Odoo retries the whole request with a fresh snapshot:
        no error, no retry used up, no sale order number burnt.
        """
        self.env.cr.execute(
            """
            INSERT INTO integration_resource_lock (key, locked_at)
            VALUES (%s, now() at time zone 'UTC')
            ON CONFLICT (key) DO UPDATE SET locked_at = EXCLUDED.locked_at
            """,
            (key,),
        )
