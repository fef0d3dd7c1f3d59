"""Small helpers shared by the WooCommerce importers."""

import hashlib
import html
import json


def text(value) -> str:
    """WooCommerce sends names HTML-escaped ('Linen Shirt &ndash; Blue')."""
    return html.unescape(str(value or "")).strip()


def write_changes(record, values: dict) -> list[str]:
    """Write only the values that differ; return the names of the fields written."""
    changed = {}
    for field, value in values.items():
        current = record[field]
        current = current.id if hasattr(current, "_name") else current
        if (current or False) != (value or False):
            changed[field] = value
    if changed:
        record.write(changed)
    return sorted(changed)


def state_digest(data: dict) -> str:
    """What tells two states of a WooCommerce resource apart when they share a modification
    second: a digest of the payload (its REST `_links` aside, which only say where it lives)."""
    content = {key: value for key, value in data.items() if key != "_links"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def staleness(applied, modified, digest: str, received) -> str | None:
    """Whether a state of a resource may be applied over the one applied last (`applied`, a
    record with woo_date_modified, woo_state_digest and woo_state_received_at).

    None: apply it. "stale": older than the applied one, or of the same second but delivered
    before it (WooCommerce's timestamps have seconds only; the relay's receipt order decides).
    "same": the applied state itself.
    """
    if not applied or not applied.woo_date_modified or not modified:
        return None
    if modified != applied.woo_date_modified:
        return "stale" if modified < applied.woo_date_modified else None
    if digest == applied.woo_state_digest:
        return "same"
    if applied.woo_state_received_at and received and received < applied.woo_state_received_at:
        return "stale"
    return None
