"""Every example in docs/schemas/examples is valid, and every event type has one."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from relay.pipeline.envelope import SCHEMA_PATH, InvalidEnvelope, validate_envelope
from tests.woo import EXAMPLES

SCHEMA = json.loads(SCHEMA_PATH.read_text())
EVENT_TYPES = SCHEMA["properties"]["event_type"]["enum"]
# The reference implementation checks what the relay's compiled validator checks.
REFERENCE = Draft7Validator(SCHEMA)


def test_schema_is_a_valid_draft_7_schema() -> None:
    Draft7Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_example_is_valid(path: Path) -> None:
    envelope = json.loads(path.read_text())
    # <event type>.json, or <event type>.<case>.json for another shape of the same type
    assert path.stem == envelope["event_type"] or path.stem.startswith(envelope["event_type"] + ".")
    validate_envelope(envelope)
    REFERENCE.validate(envelope)


def test_every_event_type_has_an_example_and_a_section_in_events_md() -> None:
    examples = {json.loads(path.read_text())["event_type"] for path in EXAMPLES.glob("*.json")}
    assert examples == set(EVENT_TYPES)
    events_md = (SCHEMA_PATH.parent.parent / "events.md").read_text()
    for event_type in EVENT_TYPES:
        assert f"`{event_type}`" in events_md, event_type


@pytest.mark.parametrize(
    ("change", "path_fragment"),
    [
        ({"source": "odoo"}, "source"),
        ({"idempotency_key": "odoo:1:order.created:x"}, "idempotency_key"),
        ({"event_type": "woo.order.exploded"}, "event_type"),
        ({"trace_id": "not-a-uuid"}, "trace_id"),
        ({"data": {"id": 4711}}, "data"),
        ({"unexpected": 1}, "(envelope)"),
        ({"fetched": {"refunds": [{"id": 1, "amount": "1.00"}]}}, "fetched"),
        ({"fetched": {"refund_errors": {"1": 503}}}, "fetched"),
    ],
)
def test_schema_rejects_broken_envelopes(change: dict, path_fragment: str) -> None:
    envelope = json.loads((EXAMPLES / "woo.order.created.json").read_text()) | change
    with pytest.raises(InvalidEnvelope) as caught:
        validate_envelope(envelope)
    assert path_fragment in str(caught.value)
    assert not REFERENCE.is_valid(envelope)
