from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..envelope import store_key
from ..tools import parse_utc

STATES = [
    ("requested", "Waiting for a worker"),
    ("running", "Comparing"),
    ("done", "Done"),
    ("failed", "Failed"),
]
DEFAULT_PERIOD = timedelta(days=30)
# A run claimed by a worker that died before it began: handed out again after this long.
CLAIM_LEASE = timedelta(minutes=10)


class IntegrationDrift(models.Model):
    """A drift run: the workers read a store's orders (those modified in the period), products
    and variations page by page, and Odoo compares each page with its own records; every
    difference is a line with the button that fixes it."""

    _name = "integration.drift"
    _description = "Drift between WooCommerce and Odoo"
    _inherit = ["mail.thread", "mail.activity.mixin", "integration.store.company"]
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    store = fields.Char(
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env["integration.event"]._default_store(),
        help="The store compared (its key: the address without scheme).",
    )
    since = fields.Datetime(
        string="Orders modified after",
        required=True,
        default=lambda self: fields.Datetime.now() - DEFAULT_PERIOD,
        help="The period: orders modified in WooCommerce from then on are compared; products "
        "and variations are compared all.",
    )
    state = fields.Selection(
        STATES, default="requested", required=True, readonly=True, index=True, tracking=True
    )
    trigger = fields.Selection(
        [("button", "On demand"), ("cron", "Daily"), ("cli", "Command line")],
        default="button",
        readonly=True,
    )
    claimed_at = fields.Datetime(readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    error = fields.Text(readonly=True)
    order_count = fields.Integer(string="Orders compared", readonly=True)
    product_count = fields.Integer(string="Products compared", readonly=True)
    variation_count = fields.Integer(string="Variations compared", readonly=True)
    line_ids = fields.One2many("integration.drift.line", "drift_id", readonly=True)
    drift_count = fields.Integer(string="Drift", compute="_compute_drift_count", store=True)
    summary = fields.Char(compute="_compute_summary")

    @api.depends("store", "create_date")
    def _compute_name(self):
        for run in self:
            moment = fields.Datetime.to_string(run.create_date or fields.Datetime.now())[:16]
            run.name = _("Drift of %(store)s, %(moment)s", store=run.store or "-", moment=moment)

    @api.depends("line_ids")
    def _compute_drift_count(self):
        for run in self:
            run.drift_count = len(run.line_ids)

    @api.depends("state", "drift_count", "order_count", "product_count", "variation_count")
    def _compute_summary(self):
        for run in self:
            compared = _(
                "%(orders)s orders modified since %(since)s, %(products)s products, "
                "%(variations)s variations",
                orders=run.order_count,
                since=fields.Datetime.to_string(run.since),
                products=run.product_count,
                variations=run.variation_count,
            )
            if run.state != "done":
                run.summary = False
            elif run.drift_count:
                run.summary = _(
                    "%(n)s differences in %(compared)s.", n=run.drift_count, compared=compared
                )
            else:
                run.summary = _("No drift: %s agree.", compared)

    # ------------------------------------------------------------------ people

    @api.model
    def action_request_run(self):
        """The button of Integration › Drift: a run for the workers to take up."""
        store = self.env["integration.event"]._default_store()
        if not store:
            raise UserError(
                _("Set the store in Settings › Integration first: a drift run reads that store.")
            )
        run = self.create({"store": store})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_run_again(self):
        self.ensure_one()
        run = self.create({"store": self.store, "since": self.since})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_drift_line_action"
        )
        action["domain"] = [("drift_id", "=", self.id)]
        action["context"] = {"search_default_open": 1}
        return action

    # ------------------------------------------------------------------ the workers' side

    @api.model
    def _start(self, store_url: str | None, since: str | None, trigger: str) -> dict:
        """A run the workers make themselves (the daily cron, the CLI), running at once."""
        values = {
            "store": store_key(store_url) or self.env["integration.event"]._default_store(),
            "trigger": trigger,
        }
        if since:
            values["since"] = parse_utc(since)
        run = self.create(values)
        return run._begin()

    @api.model
    def _claim(self, store_url: str | None) -> list[int]:
        """The runs asked for with the button, handed to the worker asking (one worker each)."""
        now = fields.Datetime.now()
        runs = self.search(
            [
                ("state", "=", "requested"),
                (
                    "store",
                    "=",
                    store_key(store_url) or self.env["integration.event"]._default_store(),
                ),
                "|",
                ("claimed_at", "=", False),
                ("claimed_at", "<", now - CLAIM_LEASE),
            ]
        )
        runs.write({"claimed_at": now})
        return runs.ids

    def _begin(self) -> dict:
        """What the worker reads: the store and the period."""
        self.ensure_one()
        if self.state not in ("requested", "running"):
            return {"status": self.state, "run_id": self.id}
        self.line_ids.unlink()  # a retried run starts over
        self.write(
            {
                "state": "running",
                "started_at": fields.Datetime.now(),
                "error": False,
                "order_count": 0,
                "product_count": 0,
                "variation_count": 0,
            }
        )
        return {
            "status": "running",
            "run_id": self.id,
            "store": self.store,
            "since": fields.Datetime.to_string(self.since).replace(" ", "T"),
        }

    def _orders_read(self, orders: list[dict]) -> int:
        self.ensure_one()
        lines = self.env["integration.drift.compare"]._order_lines(self.store, orders)
        self._add_lines(lines)
        self.order_count += len(orders)
        return len(lines)

    def _products_read(self, products: list[dict]) -> int:
        self.ensure_one()
        lines = self.env["integration.drift.compare"]._product_lines(self.store, products)
        self._add_lines(lines)
        variations = sum(1 for product in products if product.get("parent_id"))
        self.product_count += len(products) - variations
        self.variation_count += variations
        return len(lines)

    def _finish(self, order_ids: list[int], product_ids: list[int]) -> dict:
        """Every page read: what Odoo has that the store no longer lists."""
        self.ensure_one()
        compare = self.env["integration.drift.compare"]
        self._add_lines(compare._orders_gone(self.store, self.since, order_ids))
        self._add_lines(compare._products_gone(self.store, product_ids))
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        self._tell_the_managers()
        return {
            "status": "done",
            "run_id": self.id,
            "drift": self.drift_count,
            "summary": self.summary,
        }

    def _failed(self, error: str) -> dict:
        self.ensure_one()
        self.write({"state": "failed", "error": error, "finished_at": fields.Datetime.now()})
        return {"status": "failed", "run_id": self.id}

    def _tell_the_managers(self) -> None:
        """Drift found raises the store's drift alert (one To-Do for the Integration Managers,
        its count the differences of this run); a run without drift clears it."""
        alerts = self.env["integration.alert"]
        if self.drift_count:
            message = _(
                "%(summary)s Integration › Drift, run %(run)s, has each difference with the "
                "button that fixes it.",
                summary=self.summary,
                run=self.id,
            )
            alerts._raise(self.store, "drift", message, self.drift_count)
        else:
            alerts._clear(self.store, "drift", self.summary)

    def _add_lines(self, lines: list[dict]) -> None:
        self.env["integration.drift.line"].create([line | {"drift_id": self.id} for line in lines])
