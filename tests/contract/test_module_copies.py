"""The Odoo module validates against its own copy of the contract (only odoo_addons/ is mounted
into the Odoo container), so the copies must stay byte-identical to docs/schemas."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "schemas"
MODULE = ROOT / "odoo_addons" / "elitaco_integration"


def test_module_schema_is_the_contract() -> None:
    module_copy = MODULE / "data" / "event.schema.json"
    assert module_copy.read_bytes() == (DOCS / "event.schema.json").read_bytes()


@pytest.mark.parametrize("path", sorted((DOCS / "examples").glob("*.json")), ids=lambda p: p.name)
def test_module_examples_are_the_contract_examples(path: Path) -> None:
    assert (MODULE / "tests" / "examples" / path.name).read_bytes() == path.read_bytes()


def test_module_has_no_stale_examples() -> None:
    module_examples = {path.name for path in (MODULE / "tests" / "examples").glob("*.json")}
    assert module_examples == {path.name for path in (DOCS / "examples").glob("*.json")}
