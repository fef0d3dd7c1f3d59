"""The relay's folders are its architecture (docs/architecture.md): imports point down the layers
below and never up or across, and the job names RQ keeps in Redis stay importable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rq.utils import import_attribute

from relay.pipeline import queueing

RELAY = Path(__file__).resolve().parents[2] / "relay"
# Lower imports nothing higher; a package's modules may import each other.
LAYERS = {
    "relay.config": 0,
    "relay.logs": 0,
    "relay.stores": 1,
    "relay.clients": 1,
    "relay.pipeline": 1,
    "relay.ingress": 2,
    "relay.work": 2,
    "relay.cli": 3,
    "relay.store_commands": 3,
    "relay.jobs": 3,
    "relay.cron_config": 3,
    "relay.__main__": 3,
    "relay.redis_connection": 1,
    "relay.dashboard_config": 3,
}
ENTRY_POINTS = 3
# Every name RQ may hold for a queued, scheduled or dead-lettered job of an earlier release.
STORED_JOB_NAMES = [
    "relay.jobs.process_event",
    "relay.jobs.reread_order",
    "relay.jobs.reconcile_recent",
    "relay.jobs.reconcile_orders",
    "relay.jobs.reconcile_customers",
    "relay.jobs.check_odoo_access",
    "relay.jobs.run_import",
    "relay.jobs.push_outbox",
    "relay.jobs.sync_dead_letters",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(RELAY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def relay_imports(path: Path) -> set[str]:
    """The relay modules `path` imports (`from relay.work import reconcile` counts as
    relay.work.reconcile)."""
    modules = {module_name(file) for file in RELAY.rglob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in modules and name != "relay"}


def layer_of(module: str) -> tuple[str, int]:
    for prefix, rank in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return prefix, rank
    raise AssertionError(f"{module} is in no layer: add its folder to LAYERS and the docs")


def import_graph() -> dict[str, set[str]]:
    graph = {module_name(path): relay_imports(path) for path in RELAY.rglob("*.py")}
    graph.pop("relay")
    return graph


def test_every_module_is_in_a_layer() -> None:
    for module in import_graph():
        layer_of(module)


def test_imports_point_down_never_up_or_across() -> None:
    wrong = []
    for module, imported in sorted(import_graph().items()):
        package, rank = layer_of(module)
        for other in sorted(imported):
            other_package, other_rank = layer_of(other)
            if rank == ENTRY_POINTS or other_rank < rank or other_package == package:
                continue
            wrong.append(f"{module} imports {other}")
    assert wrong == []


def test_the_ingress_never_imports_the_workers_side() -> None:
    graph = import_graph()
    reached, todo = set(), [module for module in graph if module.startswith("relay.ingress.")]
    while todo:  # everything the ingress loads, directly or through another module
        module = todo.pop()
        for other in graph[module] - reached:
            reached.add(other)
            todo.append(other)
    assert sorted(module for module in reached if module.startswith("relay.work.")) == []


def test_no_import_cycle() -> None:
    graph = import_graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join([*path[path.index(module) :], module])
        if module in done:
            return
        for other in sorted(graph[module]):
            visit(other, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


@pytest.mark.parametrize("name", STORED_JOB_NAMES)
def test_a_job_name_rq_stored_still_resolves(name: str) -> None:
    assert callable(import_attribute(name))


def test_the_names_the_relay_enqueues_are_stored_names() -> None:
    enqueued = [
        queueing.PROCESS_EVENT,
        queueing.REREAD_ORDER,
        queueing.RECONCILE_RECENT,
        queueing.RUN_IMPORT,
    ]
    assert set(enqueued) <= set(STORED_JOB_NAMES)
