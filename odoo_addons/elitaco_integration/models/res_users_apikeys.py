from datetime import datetime

from odoo import models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _expiration_of(self, key: str) -> datetime | None:
        """When the current user's API key `key` stops working (None: never).

        Odoo 18 caps the keys of internal users at 90 days; the relay reads this date so that
        operators are warned before the workers get refused.
        """
        self.env.cr.execute(
            SQL(
                "SELECT key, expiration_date FROM %s WHERE user_id = %s AND index = %s",
                SQL.identifier(self._table),
                self.env.uid,
                key[:INDEX_SIZE],
            )
        )
        for hashed, expiration in self.env.cr.fetchall():
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                return expiration
        return None
