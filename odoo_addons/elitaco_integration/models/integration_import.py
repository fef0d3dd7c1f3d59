from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..envelope import store_key
from ..tools import parse_utc
from .integration_import_line import OUTCOMES
from .integration_import_preview import STATES as PREVIEW_STATES

RESOURCES = [("product", "Products"), ("customer", "Customers"), ("order", "Orders")]
STATES = [
    ("draft", "Draft"),
    ("queued", "Waiting for a worker"),
    ("running", "Reading WooCommerce"),
    ("done", "Done"),
    ("done_errors", "Done with errors"),
    ("failed", "Failed"),
]
FINISHED = ("done", "done_errors")


class IntegrationImport(models.Model):
    """A first sync (or a catch-up) of a WooCommerce store: the workers read its products,
    customers and orders and enqueue each as the event its webhook would have made; every
    event of the import adds a line to its report."""

    _name = "integration.import"
    _inherit = ["integration.store.company"]
    _description = "Import from WooCommerce"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    store_url = fields.Char(
        string="Store",
        required=True,
        default=lambda self: (
            self.env["ir.config_parameter"].sudo().get_param("elitaco_integration.store_url")
        ),
        help="The store's address, as the workers know it (Settings › Store URL).",
    )
    store = fields.Char(
        string="Store key", compute="_compute_store", store=True, index=True, precompute=True
    )
    import_products = fields.Boolean(string="Products", default=True)
    import_customers = fields.Boolean(string="Customers", default=True)
    import_orders = fields.Boolean(string="Orders", default=True)
    since = fields.Datetime(
        string="Modified after",
        help="Only what was modified in WooCommerce after this moment. Empty: from where the "
        "last finished import of the store stopped, else everything.",
    )
    state = fields.Selection(STATES, default="draft", required=True, readonly=True, index=True)
    error = fields.Text(readonly=True)
    started_at = fields.Datetime(string="Started at", readonly=True)
    finished_at = fields.Datetime(string="Read at", readonly=True)
    step_ids = fields.One2many("integration.import.step", "import_id", readonly=True)
    line_ids = fields.One2many("integration.import.line", "import_id", readonly=True)
    read_count = fields.Integer(string="Read", compute="_compute_counts")
    waiting_count = fields.Integer(string="Waiting", compute="_compute_counts")
    created_count = fields.Integer(string="Created", compute="_compute_counts")
    matched_count = fields.Integer(string="Matched", compute="_compute_counts")
    updated_count = fields.Integer(string="Updated", compute="_compute_counts")
    unchanged_count = fields.Integer(string="Unchanged", compute="_compute_counts")
    unmatched_count = fields.Integer(string="Unmatched", compute="_compute_counts")
    ignored_count = fields.Integer(string="Ignored", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    customer_match = fields.Char(compute="_compute_customer_match")
    preview_ids = fields.One2many(
        "integration.import.preview", "import_id", string="Previews", readonly=True
    )
    preview_id = fields.Many2one(
        "integration.import.preview",
        string="Last preview",
        compute="_compute_preview",
        help="The newest preview of this import.",
    )
    preview_state = fields.Selection(PREVIEW_STATES, string="Preview", compute="_compute_preview")
    preview_count = fields.Integer(compute="_compute_preview")

    @api.depends("store_url")
    def _compute_name(self):
        for run in self:
            run.name = _("Import %(id)s from %(store)s", id=run.id or "", store=run.store)

    @api.depends("store_url")
    def _compute_store(self):
        for run in self:
            run.store = store_key(run.store_url)

    def _compute_counts(self):
        counts = {
            (run.id, outcome): count
            for run, outcome, count in self.env["integration.import.line"]._read_group(
                [("import_id", "in", self.ids)], ["import_id", "outcome"], ["__count"]
            )
        }
        for run in self:
            for outcome, _label in OUTCOMES:
                run[f"{outcome}_count"] = counts.get((run.id, outcome), 0)
            run.read_count = sum(counts.get((run.id, outcome), 0) for outcome, _ in OUTCOMES)

    def _compute_customer_match(self):
        stores = self.env["integration.store"]
        for run in self:
            run.customer_match = stores._for_key(run.store).customer_match

    @api.depends("preview_ids.state")
    def _compute_preview(self):
        for run in self:
            run.preview_id = run.preview_ids.sorted("id")[-1:]
            run.preview_state = run.preview_id.state
            run.preview_count = len(run.preview_ids)

    def action_preview(self):
        """Read the store as the import would and say what it would do, writing nothing else."""
        self.ensure_one()
        preview = self.env["integration.import.preview"]._request(self)
        return preview._open()

    def action_view_previews(self):
        self.ensure_one()
        if len(self.preview_ids) == 1:
            return self.preview_ids._open()
        return {
            "type": "ir.actions.act_window",
            "name": _("Previews"),
            "res_model": "integration.import.preview",
            "view_mode": "list,form",
            "domain": [("import_id", "=", self.id)],
        }

    def action_start(self):
        """Ask the workers to read the store: a row in the outbox, which they poll. A failed
        import started again goes on from where it stopped. Tax rates or payment methods of
        the store's orders with no map yet are named first, in a confirmation (the button's
        context `import_anyway` skips it)."""
        for run in self:
            if run.state not in ("draft", "failed"):
                raise UserError(_("%s is already started.", run.name))
            if not run._resources():
                raise UserError(_("Choose what to import: products, customers or orders."))
            if run.preview_ids.filtered(lambda preview: preview.state in ("queued", "running")):
                raise UserError(
                    _("A preview of %s is reading the store: start it once that is done.", run.name)
                )
        if not self.env.context.get("import_anyway"):
            for run in self:
                if run.state == "draft" and run._unmapped_for_orders():
                    return self.env["integration.import.confirm"]._ask(run)
        for run in self:
            resources = run._resources()
            if not run.step_ids:
                run.step_ids = [
                    fields.Command.create(
                        {"resource": resource, "sequence": n, "since": run._since(resource)}
                    )
                    for n, resource in enumerate(resources)
                ]
            run.write({"state": "queued", "error": False})
            run._ask_workers()
        return True

    def _ask_workers(self, data: dict | None = None) -> None:
        """A row in the outbox the workers poll: they enqueue the job that reads the store,
        which asks Odoo (`_begin`) whether it imports or previews."""
        self.ensure_one()
        prefix = f"odoo:integration.import-{self.id}:import.requested"
        attempt = self.env["integration.outbox"].search_count(
            [("idempotency_key", "=like", f"{prefix}:%")]
        )
        self.env["integration.outbox"].create(
            {
                "event_type": "odoo.import.requested",
                "idempotency_key": f"{prefix}:{attempt + 1}",
                "store": self.store,
                "data": {"import_id": self.id, "store_url": self.store_url} | (data or {}),
            }
        )

    def _unmapped_for_orders(self) -> list[dict]:
        """What the import's orders use with no map yet that changes what they book: tax rates
        and payment methods (from its newest finished preview, and those the store sent
        before), each with the orders it touches when a preview counted them."""
        self.ensure_one()
        if not self.import_orders:
            return []
        found = {}
        preview = self.preview_ids.filtered(lambda preview: preview.state == "done").sorted("id")
        for line in preview[-1:]._unmapped_order_codes():
            found[line.kind, line.code] = {
                "kind": line.kind,
                "code": line.code,
                "name": line.woo_name,
                "orders": line.order_count,
                "note": line.message,
            }
        listed = self.env["integration.value.map"].search(
            [
                ("kind", "in", ("tax_rate", "payment_method")),
                ("state", "=", "not_mapped"),
                ("company_id", "=", self.env.company.id),
            ]
        )
        for row in listed:
            found.setdefault(
                (row.kind, row.woo_value),
                {
                    "kind": row.kind,
                    "code": row.woo_value,
                    "name": row.woo_title or row.woo_value,
                    "orders": None,
                    "note": "",
                },
            )
        return list(found.values())

    def action_view_lines(self):
        self.ensure_one()
        outcome = self.env.context.get("outcome")
        field = self.env["integration.import.line"]._fields["outcome"]
        labels = dict(field._description_selection(self.env))
        return {
            "type": "ir.actions.act_window",
            "name": labels.get(outcome) or _("Report"),
            "res_model": "integration.import.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("import_id", "=", self.id)]
            + ([("outcome", "=", outcome)] if outcome else []),
        }

    def _resources(self) -> list[str]:
        self.ensure_one()
        return [resource for resource, _label in RESOURCES if self[f"import_{resource}s"]]

    def _since(self, resource: str):
        """This import's own start, else where the last finished import of the store read up
        to, else nothing (everything)."""
        if self.since:
            return self.since
        last = self.env["integration.import.step"].search(
            [
                ("import_id.store", "=", self.store),
                ("import_id", "!=", self.id),
                ("resource", "=", resource),
                ("state", "=", "done"),
                ("read_up_to", "!=", False),
            ],
            order="read_up_to desc",
            limit=1,
        )
        return last.read_up_to or False

    # ------------------------------------------------------------------ the workers' side

    @api.model
    def _begin(self, import_id: int) -> dict:
        """The worker's job starts (or, after a crash, resumes) reading: what to read, and
        from where."""
        run = self.browse(import_id).exists()
        previewing = run._previewing() if run else None
        if previewing:
            return previewing._begin()
        if not run or run.state not in ("queued", "running"):
            return {"status": "not_running", "state": run.state if run else None}
        run.write({"state": "running", "started_at": run.started_at or fields.Datetime.now()})
        return {
            "status": "running",
            "import_id": run.id,
            "store_url": run.store_url,
            "steps": [
                {
                    "resource": step.resource,
                    "state": step.state,
                    "since": _utc(step.since),
                    "read_up_to": _utc(step.read_up_to),
                }
                for step in run.step_ids.sorted("sequence")
            ],
        }

    def _previewing(self):
        """The preview the workers' job is for: a draft import's, asked and not read yet."""
        self.ensure_one()
        if self.state != "draft":
            return self.env["integration.import.preview"]
        return self.preview_ids.filtered(
            lambda preview: preview.state in ("queued", "running")
        ).sorted("id")[-1:]

    @api.model
    def _progress(
        self,
        import_id: int,
        resource: str,
        events: list[dict],
        read_up_to: str | None = None,
        done: bool = False,
    ) -> dict:
        """A page read and enqueued: its events join the report as waiting to be applied."""
        run = self.browse(import_id).exists()
        if not run or run.state != "running":
            return {"status": "not_running", "state": run.state if run else None}
        step = run.step_ids.filtered(lambda step: step.resource == resource)
        if not step:
            return {"status": "unknown_resource", "resource": resource}
        self.env["integration.import.line"]._waiting(run, events)
        values = {
            "state": "done" if done else "reading",
            "read_count": step.read_count + len(events),
        }
        values["started_at"] = step.started_at or fields.Datetime.now()
        if read_up_to:
            values["read_up_to"] = max(filter(None, [step.read_up_to, parse_utc(read_up_to)]))
        if done:
            values["finished_at"] = fields.Datetime.now()
        step.write(values)
        if all(step.state == "done" for step in run.step_ids):
            run.write({"state": "done", "finished_at": fields.Datetime.now(), "error": False})
            run._settle()
        return {"status": run.state}

    def _settle(self, outcome: str | None = None) -> None:
        """A finished import is done with errors while a line of its report failed: its
        events come after the reading, so each line applied settles it again. Written only
        when it changes: the workers applying the import's events do not queue on its row.
        `outcome`: the one line just written's; a line that did not fail leaves a done
        import done, without counting its lines (most of an import's events)."""
        for run in self.filtered(lambda run: run.state in FINISHED):
            if run.state == "done" and outcome not in (None, "failed"):
                continue
            failed = self.env["integration.import.line"].search_count(
                [("import_id", "=", run.id), ("outcome", "=", "failed")], limit=1
            )
            state = "done_errors" if failed else "done"
            if run.state != state:
                run.state = state

    @api.model
    def _failed(self, import_id: int, error: str, final: bool) -> dict:
        """The job failed; RQ runs it again unless `final`, then it goes on where it stopped."""
        run = self.browse(import_id).exists()
        previewing = run._previewing() if run else None
        if previewing:
            return previewing._failed(error, final)
        if not run or run.state not in ("queued", "running"):
            return {"status": "not_running"}
        if final:
            run.write({"state": "failed", "error": error})
        else:
            run.error = _("Interrupted, tried again in a moment: %s", error)
        return {"status": run.state}


def _utc(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None
