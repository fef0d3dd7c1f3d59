from odoo import _, api, fields, models

from .integration_value_map import KINDS

OUTCOMES = [
    ("not_mapped", "Not mapped"),
    ("unmatched", "Unmatched"),
    ("matched", "Would be matched"),
    ("created", "Would be created"),
    ("updated", "Bound already"),
    ("ignored", "Would be ignored"),
]
OUTCOME_HELP = """Not mapped: a tax rate, payment or shipping method, status, currency or country
of the store's orders that Odoo has no map (or country) for: map it before importing.
Unmatched: several Odoo records would match (or none, where Odoo is master): see the message.
Would be matched: an Odoo record not bound yet is found (SKU, barcode, e-mail) and would be bound.
Would be created: Odoo has no such record; the import would make it.
Bound already: the import would bring it up to date.
Would be ignored: nothing to do (a status ignored by the value maps)."""
MATCHED_BY = [
    ("binding", "Binding"),
    ("sku", "SKU"),
    ("barcode", "Barcode"),
    ("email", "E-mail"),
]
RESOURCES = [("product", "Product"), ("customer", "Customer"), ("order", "Order")]


class IntegrationImportPreviewLine(models.Model):
    """One line of a preview: a WooCommerce record and what the import would make of it, or a
    code of the store's orders with no value map yet and how many orders it touches."""

    _name = "integration.import.preview.line"
    _description = "Preview of an import: one record or code"
    _order = "preview_id, outcome, order_count desc, resource, woo_id, id"
    _rec_name = "woo_name"

    preview_id = fields.Many2one(
        "integration.import.preview", required=True, ondelete="cascade", index=True, readonly=True
    )
    key = fields.Char(required=True, readonly=True)
    outcome = fields.Selection(
        OUTCOMES, string="What happens", required=True, index=True, readonly=True, help=OUTCOME_HELP
    )
    resource = fields.Selection(RESOURCES, readonly=True)
    woo_id = fields.Integer(string="WooCommerce ID", readonly=True)
    woo_name = fields.Char(string="In WooCommerce", readonly=True)
    matched_by = fields.Selection(MATCHED_BY, string="Found by", readonly=True)
    kind = fields.Selection(KINDS + [("country", "Country")], readonly=True)
    code = fields.Char(string="WooCommerce code", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True, help="Orders it touches.")
    message = fields.Char(readonly=True)
    result_model = fields.Char(readonly=True)
    result_id = fields.Integer(readonly=True)
    result_name = fields.Char(string="Odoo record", readonly=True)

    _sql_constraints = [
        ("preview_key_uniq", "unique(preview_id, key)", "A record is listed once per preview.")
    ]

    @api.model
    def _record_lines(self, preview, results: list[dict]) -> None:
        """A page's records; one read again (a page that moved) takes its newest verdict."""
        keys = {f"{result['resource']}:{result['woo_id']}": result for result in results}
        existing = self.search([("preview_id", "=", preview.id), ("key", "in", list(keys))])
        for line in existing:
            line.write(keys.pop(line.key))
        self.create(
            [{"preview_id": preview.id, "key": key} | result for key, result in keys.items()]
        )

    @api.model
    def _code_lines(self, preview, codes: dict) -> None:
        """A page's unmapped codes, their orders added to those of the pages before."""
        keys = {f"code:{kind}:{code}": (kind, code) for kind, code in codes}
        existing = {
            line.key: line
            for line in self.search([("preview_id", "=", preview.id), ("key", "in", list(keys))])
        }
        new = []
        for key, (kind, code) in keys.items():
            entry = codes[kind, code]
            if key in existing:
                line = existing[key]
                line.order_count += len(entry["orders"])
                continue
            new.append(
                {
                    "preview_id": preview.id,
                    "key": key,
                    "outcome": "not_mapped",
                    "kind": kind,
                    "code": code,
                    "woo_name": entry["title"] or code,
                    "order_count": len(entry["orders"]),
                    "message": entry["note"][:250],
                }
            )
        self.create(new)

    def action_map(self):
        """The value map of the code: its row when the store listed it already, else a new one
        filled in; countries have none."""
        self.ensure_one()
        if self.kind == "country":
            return {
                "type": "ir.actions.act_window",
                "name": _("Countries"),
                "res_model": "res.country",
                "view_mode": "list,form",
                "views": [(False, "list"), (False, "form")],
            }
        row = (
            self.env["integration.value.map"]
            .with_context(active_test=False)
            .search(
                [
                    ("kind", "=", self.kind),
                    ("woo_value", "=", self.code),
                    ("company_id", "=", self.env.company.id),
                ],
                limit=1,
            )
        )
        action = {
            "type": "ir.actions.act_window",
            "name": _("Map %s", self.woo_name or self.code),
            "res_model": "integration.value.map",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
        if row:
            return action | {"res_id": row.id}
        return action | {
            "context": {
                "default_kind": self.kind,
                "default_woo_value": self.code,
                "default_woo_title": self.woo_name if self.woo_name != self.code else False,
            }
        }

    def action_open_record(self):
        self.ensure_one()
        if not (self.result_model and self.result_id):
            return False
        return {
            "type": "ir.actions.act_window",
            "name": self.result_name,
            "res_model": self.result_model,
            "res_id": self.result_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _still_unmapped(self):
        """The code lines whose code has no value map now (mapped since: left out)."""
        maps = self.env["integration.value.map"]
        return self.filtered(
            lambda line: (
                line.outcome == "not_mapped"
                and line.kind != "country"
                and not maps._lookup(line.kind, line.code, line.preview_id.store)
            )
        )
