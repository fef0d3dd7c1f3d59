from markupsafe import Markup, escape

from odoo import _, api, fields, models

KIND_LABELS = {"tax_rate": "Tax rate", "payment_method": "Payment method"}


class IntegrationImportConfirm(models.TransientModel):
    """Asked before an import starts whose orders use tax rates or payment methods Odoo has
    no map for: confirmed without a tax map, an order is held as a quotation; without a
    payment map, it is invoiced and paid by the defaults."""

    _name = "integration.import.confirm"
    _description = "Start an import with unmapped tax rates or payment methods"

    import_id = fields.Many2one("integration.import", required=True, ondelete="cascade")
    unmapped = fields.Html(readonly=True, sanitize=True)
    previewed = fields.Boolean(readonly=True)

    @api.model
    def _ask(self, run):
        unmapped = run._unmapped_for_orders()
        wizard = self.create(
            {
                "import_id": run.id,
                "unmapped": self._listing(unmapped),
                "previewed": bool(run.preview_ids.filtered(lambda p: p.state == "done")),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Not mapped yet"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    @api.model
    def _listing(self, unmapped: list[dict]) -> Markup:
        items = Markup()
        for entry in unmapped:
            orders = entry["orders"]
            count = ""
            if orders:
                count = _(" — 1 order") if orders == 1 else _(" — %s orders", orders)
            items += Markup("<li><b>%s</b> %s (%s)%s<br/><small>%s</small></li>") % (
                _(KIND_LABELS[entry["kind"]]),
                escape(entry["name"] or entry["code"]),
                escape(entry["code"]),
                count,
                escape(entry["note"] or ""),
            )
        return Markup("<ul>%s</ul>") % items

    def action_import_anyway(self):
        self.ensure_one()
        self.import_id.with_context(import_anyway=True).action_start()
        return {"type": "ir.actions.act_window_close"}

    def action_map(self):
        """The value maps not mapped yet, tax rates and payment methods first."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Value maps"),
            "res_model": "integration.value.map",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("kind", "in", ("tax_rate", "payment_method"))],
            "context": {"search_default_not_mapped": 1, "search_default_group_kind": 1},
        }
