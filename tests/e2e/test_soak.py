"""The chaos soak's short version (bench/soak.py): a flash sale of 200 orders through the relay
and several workers into real Odoo, with a worker and the relay SIGKILLed, Redis stopped for
10 s and Odoo restarted while it comes in; afterwards nothing is lost or booked twice."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

from bench.soak import check, soak
from tests.odoo_server import OdooServer


def test_a_flash_sale_through_every_fault_loses_nothing(odoo: OdooServer, tmp_path: Path) -> None:
    report = soak(
        odoo, tmp_path, orders=200, senders=20, rate=20, workers=3, faults=1, seed=7, timeout=240
    )
    print(report.text())
    assert report.problems == [], report.text()
    assert len(report.faults) == 4, "one fault of each kind happened"
    assert report.accepted >= report.deliveries, "every delivery was answered 200 in the end"

    # The check sees what it is there to see: an order in another state, one never booked,
    # an accepted delivery the ledger does not hold.
    histories = deepcopy(report.histories)
    histories[0][-1]["total"] = "0.01"
    histories.append(deepcopy(histories[1]))
    for state in histories[-1]:
        state["id"] = 1
    problems = check(odoo, histories, report.accepted_keys | {"woo:never-delivered"}, report.run)
    assert any(f"order {histories[0][-1]['id']}:" in problem for problem in problems), problems
    assert any("1 orders have no sale order" in problem for problem in problems), problems
    assert any("answered 200 are not in the ledger" in problem for problem in problems), problems
