import hashlib
import threading
from datetime import datetime

from odoo import models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

# (sha256 of a presented key, the stored hash it matched). Checking a key against its stored
# pbkdf2 hash costs ~3 ms, on every request the workers make; whether a key matches a hash
# never changes, so a match is remembered. Whether the key still counts (it exists, is not
# expired, its user is active, the scope) is still read from the database on each request.
_VERIFIED: set[tuple[bytes, str]] = set()
_VERIFIED_LOCK = threading.Lock()
_VERIFIED_MAX = 1024


def _verify(key: str, hashed: str) -> bool:
    remembered = (hashlib.sha256(key.encode()).digest(), hashed)
    if remembered in _VERIFIED:
        return True
    if not KEY_CRYPT_CONTEXT.verify(key, hashed):
        return False
    with _VERIFIED_LOCK:
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED.add(remembered)
    return True


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _check_credentials(self, *, scope, key):
        """Odoo's own check (an active user's key of this scope or global, not expired), with
        the hash comparison remembered per key and hash (see _verify)."""
        assert scope, "scope is required"
        self.env.cr.execute(
            SQL(
                """SELECT user_id, key FROM %s INNER JOIN res_users u ON (u.id = user_id)
                    WHERE u.active AND index = %s AND (scope IS NULL OR scope = %s)
                      AND (expiration_date IS NULL
                           OR expiration_date >= now() at time zone 'utc')""",
                SQL.identifier(self._table),
                key[:INDEX_SIZE],
                scope,
            )
        )
        for user_id, hashed in self.env.cr.fetchall():
            if _verify(key, hashed):
                return user_id
        return None

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
            if _verify(key, hashed):
                return expiration
        return None
