from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..envelope import store_key
from ..tools import parse_utc
from .integration_import_preview_line import OUTCOMES

STATES = [
    ("queued", "Waiting for a worker"),
    ("running", "Reading WooCommerce"),
    ("done", "Done"),
    ("failed", "Failed"),
]
RESOURCES = ("product", "customer", "order")
# Unmapped on orders, these change what an import books: starting one asks first.
CONFIRM_KINDS = ("tax_rate", "payment_method")


class IntegrationImportPreview(models.Model):
    """A dry run of an import: the workers read the store page by page as the import would,
    Odoo says for each record what the import would make of it (by the import's own lookups)
    and lists the codes of the store's orders that have no value map yet. Nothing but this
    report is written."""

    _name = "integration.import.preview"
    _inherit = ["integration.store.company"]
    _description = "Preview of an import from WooCommerce"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    import_id = fields.Many2one(
        "integration.import",
        string="Import",
        ondelete="cascade",
        index=True,
        readonly=True,
        help="Empty: a preview started from the command line (python -m relay import --dry-run).",
    )
    store_url = fields.Char(string="Store", required=True, readonly=True)
    store = fields.Char(
        string="Store key", compute="_compute_store", store=True, index=True, precompute=True
    )
    resources = fields.Char(
        readonly=True, help="What is read, in order: product, customer, order (comma separated)."
    )
    since = fields.Datetime(string="Modified after", readonly=True)
    state = fields.Selection(STATES, default="queued", required=True, readonly=True, index=True)
    error = fields.Text(readonly=True)
    started_at = fields.Datetime(string="Started at", readonly=True)
    finished_at = fields.Datetime(string="Read at", readonly=True)
    line_ids = fields.One2many("integration.import.preview.line", "preview_id", readonly=True)
    code_line_ids = fields.One2many(
        "integration.import.preview.line",
        "preview_id",
        domain=[("outcome", "=", "not_mapped")],
        string="Codes not mapped",
        readonly=True,
    )
    unmatched_line_ids = fields.One2many(
        "integration.import.preview.line",
        "preview_id",
        domain=[("outcome", "=", "unmatched")],
        string="Unmatched records",
        readonly=True,
    )
    read_count = fields.Integer(string="Records", compute="_compute_counts")
    not_mapped_count = fields.Integer(string="Not mapped", compute="_compute_counts")
    unmatched_count = fields.Integer(string="Unmatched", compute="_compute_counts")
    matched_count = fields.Integer(string="Would be matched", compute="_compute_counts")
    created_count = fields.Integer(string="Would be created", compute="_compute_counts")
    updated_count = fields.Integer(string="Bound already", compute="_compute_counts")
    ignored_count = fields.Integer(string="Would be ignored", compute="_compute_counts")

    @api.depends("import_id", "store")
    def _compute_name(self):
        for preview in self:
            preview.name = _(
                "Preview %(id)s of %(store)s", id=preview.id or "", store=preview.store
            )

    @api.depends("store_url")
    def _compute_store(self):
        for preview in self:
            preview.store = store_key(preview.store_url)

    def _compute_counts(self):
        counts = {
            (preview.id, outcome): count
            for preview, outcome, count in self.env["integration.import.preview.line"]._read_group(
                [("preview_id", "in", self.ids)], ["preview_id", "outcome"], ["__count"]
            )
        }
        for preview in self:
            for outcome, _label in OUTCOMES:
                preview[f"{outcome}_count"] = counts.get((preview.id, outcome), 0)
            preview.read_count = sum(
                counts.get((preview.id, outcome), 0)
                for outcome, _label in OUTCOMES
                if outcome != "not_mapped"
            )

    def action_view_lines(self):
        self.ensure_one()
        outcome = self.env.context.get("outcome")
        labels = dict(OUTCOMES)
        return {
            "type": "ir.actions.act_window",
            "name": labels.get(outcome) or _("Preview"),
            "res_model": "integration.import.preview.line",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("preview_id", "=", self.id)]
            + ([("outcome", "=", outcome)] if outcome else []),
            "context": {} if outcome else {"search_default_group_outcome": 1},
        }

    def _open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_start_import(self):
        """The preview's own button: start the import it previewed (asking first, as there)."""
        self.ensure_one()
        return self.import_id.action_start()

    def action_refresh(self):
        """The form's button while the workers read: shows how far they got."""
        return True

    def _unmapped_order_codes(self):
        """The tax rate and payment method lines of the store's orders still without a map."""
        lines = self.line_ids.filtered(lambda line: line.kind in CONFIRM_KINDS and line.order_count)
        return lines._still_unmapped()

    # ------------------------------------------------------------------ the workers' side

    @api.model
    def _request(self, run) -> "IntegrationImportPreview":
        """A preview of import `run`, asked of the workers through the outbox as the import
        itself is (the job that reads the store asks Odoo which of the two it runs)."""
        if run.state != "draft":
            raise UserError(_("%s is started already: there is nothing left to preview.", run.name))
        resources = run._resources()
        if not resources:
            raise UserError(_("Choose what to preview: products, customers or orders."))
        if run.preview_ids.filtered(lambda preview: preview.state in ("queued", "running")):
            raise UserError(_("A preview of %s is reading the store already.", run.name))
        preview = self.create(
            {
                "import_id": run.id,
                "store_url": run.store_url,
                "resources": ",".join(resources),
                "since": run.since,
            }
        )
        run._ask_workers({"preview_id": preview.id})
        return preview

    @api.model
    def _begin_cli(self, store_url: str, resources: list[str], since: str | None) -> dict:
        """A preview the command line reads for (no import in Odoo)."""
        unknown = [resource for resource in resources if resource not in RESOURCES]
        if not resources or unknown:
            raise UserError(_("Resources must be among product, customer, order: %s", resources))
        preview = self.create(
            {
                "store_url": store_url,
                "resources": ",".join(resources),
                "since": parse_utc(since) if since else False,
                "state": "running",
                "started_at": fields.Datetime.now(),
            }
        )
        return preview._plan()

    def _plan(self) -> dict:
        """What the workers read, from where (the import's own start for each resource)."""
        self.ensure_one()
        run = self.import_id
        return {
            "status": "preview",
            "preview_id": self.id,
            "store_url": self.store_url,
            "steps": [
                {
                    "resource": resource,
                    "since": _utc(run._since(resource) if run else self.since),
                }
                for resource in self.resources.split(",")
            ],
        }

    def _begin(self) -> dict:
        self.ensure_one()
        self.write({"state": "running", "started_at": self.started_at or fields.Datetime.now()})
        return self._plan()

    @api.model
    def _page(self, preview_id: int, resource: str, records: list) -> dict:
        """One page of the store: what the import would make of each record, and the codes
        its orders use that have no map."""
        preview = self.browse(preview_id).exists()
        if not preview or preview.state != "running":
            return {"status": "not_running", "state": preview.state if preview else None}
        if resource not in RESOURCES or not isinstance(records, list):
            raise UserError(_("A page is a list of products, customers or orders: %s", resource))
        # Looked up as the import would apply them: in the store's company.
        matches = self.env["integration.import.preview.match"].with_company(preview.company_id)
        results, codes = matches._page(preview.store, resource, records)
        lines = self.env["integration.import.preview.line"]
        lines._record_lines(preview, results)
        lines._code_lines(preview, codes)
        return {"status": "running", "read": len(results)}

    @api.model
    def _done(self, preview_id: int, error: str | None = None) -> dict:
        """Everything read; or, with `error`, the reading given up (the command line's)."""
        preview = self.browse(preview_id).exists()
        if not preview or preview.state != "running":
            return {"status": "not_running"}
        if error:
            return preview._failed(error, final=True)
        preview.write({"state": "done", "finished_at": fields.Datetime.now(), "error": False})
        return preview._summary()

    def _summary(self) -> dict:
        self.ensure_one()
        return {
            "status": self.state,
            "preview_id": self.id,
            "counts": {outcome: self[f"{outcome}_count"] for outcome, _label in OUTCOMES},
            "not_mapped": [
                {
                    "kind": line.kind,
                    "code": line.code,
                    "name": line.woo_name,
                    "orders": line.order_count,
                    "note": line.message,
                }
                for line in self.line_ids.filtered(lambda line: line.outcome == "not_mapped")
            ],
        }

    def _failed(self, error: str, final: bool) -> dict:
        self.ensure_one()
        if final:
            self.write({"state": "failed", "error": error})
        else:
            self.error = _("Interrupted, tried again in a moment: %s", error)
        return {"status": self.state}


def _utc(moment) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None
