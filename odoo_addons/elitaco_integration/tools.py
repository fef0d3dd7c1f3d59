"""Small helpers shared by the WooCommerce importers."""

import html


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
