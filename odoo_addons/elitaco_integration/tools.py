"""Small helpers shared by the WooCommerce importers and the pushes to WooCommerce."""

import hashlib
import html
import json
import math
from datetime import UTC, datetime

from odoo import _, _lt

from .envelope import EventRejected, Outcome


def parse_utc(value: str | None) -> datetime | None:
    """An envelope date ('...Z') or a WooCommerce *_gmt date, as a naive UTC datetime."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def amount(value, where: str) -> float:
    """A WooCommerce amount or quantity ('12.50', 12.5; empty means 0). Anything else rejects
    the event, naming where: the same text sent again would fail again."""
    if value is None or value == "":
        return 0.0
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise EventRejected(
            _("%(where)s: %(value)s is not an amount.", where=where, value=repr(value)[:40])
        )
    return number


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


def same_second_tie(applied, modified, digest: str) -> bool:
    """Whether this state and the applied one differ but share their modification second."""
    return bool(
        applied
        and modified
        and applied.woo_date_modified == modified
        and applied.woo_state_digest
        and applied.woo_state_digest != digest
    )


def applied_state(data: dict, received) -> dict:
    """The woo_* fields that record a WooCommerce state as the one applied."""
    return {
        "woo_date_modified": parse_utc(data.get("date_modified_gmt")),
        "woo_state_digest": state_digest(data),
        "woo_state_received_at": received,
    }


def stale_outcome(record, verdict: str, what: str, modified, applied):
    """The Outcome of a state not applied: older than the one applied, or that one itself."""
    if verdict == "same":
        return Outcome(
            message=_("No change: this state was already applied."), record=record, repeat=True
        )
    return Outcome(
        "ignored",
        _(
            "Stale update of %(what)s ignored: this state (%(this)s UTC) is older than the one "
            "applied (%(applied)s UTC).",
            what=what,
            this=modified,
            applied=applied,
        ),
        record=record,
        repeat=True,
    )


def deleted_before(applied, event) -> bool:
    """A delete carries only the id: its time is when the relay received it. Applied after a
    newer state (a restore, an update) it is a late retry, not the resource's last word."""
    return bool(
        applied
        and applied.woo_date_modified
        and event.received_at
        and event.received_at < applied.woo_date_modified
    )


def stale_delete(record, event, applied) -> Outcome:
    return Outcome(
        "ignored",
        _(
            "Stale delete ignored: received %(received)s UTC, before the state applied since "
            "(%(applied)s UTC).",
            received=event.received_at,
            applied=applied,
        ),
        record=record,
    )


def push_answer(response: str | None) -> dict:
    """A worker's answer to a push (JSON): what WooCommerce made; {} when it is not an object."""
    try:
        answer = json.loads(response or "{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


# Odoo's refusals whose cause is known here, and what the user can do about each.
KNOWN_ODOO_ERRORS = {
    "inventory tracking of a product that is currently reserved": _lt(
        "Odoo will not start tracking the inventory of a product that an open delivery has "
        "reserved. Unreserve that delivery (Inventory › the delivery › Unreserve), then Replay."
    ),
    "inventory tracking of a product that was already used": _lt(
        "Odoo will not change the inventory tracking of a product with stock moves. Set the "
        "product's tracking by hand as WooCommerce manages it (Inventory tab), then Replay."
    ),
}


def explain_odoo_error(message: str) -> str:
    """Odoo's raw refusal, led by what to do about it when the cause is known."""
    for pattern, advice in KNOWN_ODOO_ERRORS.items():
        if pattern in message:
            return f"{advice} ({message})"
    return message
