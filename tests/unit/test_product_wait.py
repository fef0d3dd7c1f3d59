"""An order that arrives before its product waits for it (Odoo's PRODUCT_WAIT from the event's
received_at, then the Unknown SKU setting applies): the relay's retries must outlast the wait,
or such an order would be dead rather than applied with the setting."""

import ast
from datetime import timedelta
from pathlib import Path

from relay.config import Settings
from relay.pipeline.queueing import RETRY_INTERVALS

ORDER_LINE_MODEL = (
    Path(__file__).resolve().parents[2]
    / "odoo_addons/elitaco_integration/models/integration_woo_order_line.py"
)


def product_wait() -> timedelta:
    """PRODUCT_WAIT as the module defines it: timedelta(<keywords of constants>)."""
    for node in ast.parse(ORDER_LINE_MODEL.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PRODUCT_WAIT":
            call = node.value
            assert isinstance(call, ast.Call)
            return timedelta(**{k.arg: ast.literal_eval(k.value) for k in call.keywords})
    raise AssertionError("PRODUCT_WAIT not found")


def test_the_retries_of_a_waiting_order_outlast_the_wait_for_its_product() -> None:
    wait = product_wait().total_seconds()
    assert 0 < wait
    assert sum(RETRY_INTERVALS) > wait
    assert sum(Settings.retry_intervals) > wait
