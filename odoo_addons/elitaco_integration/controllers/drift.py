from odoo import http
from odoo.exceptions import ValidationError

from ..envelope import store_key
from .main import _integration_env, worker_route

MAX_PAGE = 1000  # records a page may carry (the workers send 100, with variations a few more)


def _run(run_id):
    run = _integration_env()["integration.drift"].browse(int(run_id)).exists()
    if not run:
        raise ValidationError(f"no drift run {run_id} in Odoo")
    return run


def _records(records, name: str) -> list[dict]:
    if not isinstance(records, list) or len(records) > MAX_PAGE:
        raise ValidationError(f"{name} must be a list of at most {MAX_PAGE} records")
    if not all(
        isinstance(record, dict) and isinstance(record.get("id"), int) for record in records
    ):
        raise ValidationError(f"each of {name} must be an object with an integer id")
    return records


def _ids(ids, name: str) -> list[int]:
    if not isinstance(ids, list) or not all(isinstance(value, int) for value in ids):
        raise ValidationError(f"{name} must be a list of WooCommerce ids")
    return ids


class ElitacoDriftController(http.Controller):
    """The workers' routes of a drift run (integration.drift): thin, as the others."""

    @worker_route("/elitaco/v1/drift/claim")
    def claim(self, store=None, **unexpected):
        """Runs asked for with the button, and the records people asked to read again."""
        env = _integration_env()
        return {
            "runs": env["integration.drift"]._claim(store),
            "rereads": env["integration.drift.line"]._claim_rereads(
                store_key(store) or env["integration.event"]._default_store()
            ),
        }

    @worker_route("/elitaco/v1/drift/start")
    def start(self, store=None, since=None, trigger="cli", **unexpected):
        if trigger not in ("cli", "cron"):
            raise ValidationError("trigger must be cli or cron")
        return _integration_env()["integration.drift"]._start(store, since, trigger)

    @worker_route("/elitaco/v1/drift/begin")
    def begin(self, run_id, **unexpected):
        return _run(run_id)._begin()

    @worker_route("/elitaco/v1/drift/orders")
    def orders(self, run_id, orders=(), **unexpected):
        return {"drift": _run(run_id)._orders_read(_records(orders, "orders"))}

    @worker_route("/elitaco/v1/drift/products")
    def products(self, run_id, products=(), **unexpected):
        return {"drift": _run(run_id)._products_read(_records(products, "products"))}

    @worker_route("/elitaco/v1/drift/finish")
    def finish(self, run_id, order_ids=(), product_ids=(), **unexpected):
        return _run(run_id)._finish(_ids(order_ids, "order_ids"), _ids(product_ids, "product_ids"))

    @worker_route("/elitaco/v1/drift/failed")
    def failed(self, run_id, error, **unexpected):
        return _run(run_id)._failed(str(error))

    @worker_route("/elitaco/v1/drift/rereads/sent")
    def rereads_sent(self, line_ids=(), **unexpected):
        lines = _integration_env()["integration.drift.line"]
        return {"sent": lines._rereads_sent(_ids(list(line_ids), "line_ids"))}
