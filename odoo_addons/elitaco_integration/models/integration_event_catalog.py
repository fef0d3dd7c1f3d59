from odoo import _, models
from odoo.tools import format_datetime

# The resources whose events have a timeline on their Odoo record besides orders; WooCommerce
# sends no events of categories (a category's story is its pushes).
CATALOG_RESOURCES = ("product", "customer")
PRODUCT_MODELS = ("product.product", "product.template")


class IntegrationEventCatalog(models.Model):
    """An event of a product, a variation or a customer and the record it concerns: its row
    on that record's timeline (a variation's on its product, naming the variant)."""

    _inherit = "integration.event"

    def _catalog_links(self) -> dict | None:
        """The timeline links of a product or customer event: {} of False values while Odoo
        has no record of it yet (a failed first delivery; its row joins the record later);
        None for the events no record's timeline shows."""
        if not self._has_catalog_timeline():
            return None
        if self.resource == "customer":
            return {"partner_id": self._catalog_record("res.partner").id}
        record = self._catalog_record(*PRODUCT_MODELS)
        if record._name == "product.template" or not record:
            template = record or self._parent_template()
            return {"product_tmpl_id": template.id, "product_id": False}
        variant = record if record.product_template_attribute_value_ids else record.browse()
        return {"product_tmpl_id": record.product_tmpl_id.id, "product_id": variant.id}

    def _has_catalog_timeline(self) -> bool:
        """Whether the event is a product's, a variation's or a customer's from WooCommerce."""
        return self.source == "woo" and self.resource in CATALOG_RESOURCES

    def _catalog_record(self, *models_: str):
        """What the event made or touched, else what its WooCommerce id is bound to."""
        self.ensure_one()
        if self.result_model in models_ and self.result_id:
            record = self.env[self.result_model].sudo().browse(self.result_id).exists()
            if record:
                return record
        bindings = self.env["integration.binding"].sudo()
        for model in models_:
            record = bindings._find(self.store, model, self.woo_resource_id)
            if record:
                return record
        return self.env[models_[0]]

    def _parent_template(self):
        """A variation's variable product, when Odoo has it (the variation not yet)."""
        data = (self.sudo().payload or {}).get("data") or {}
        parent_id = data.get("parent_id")
        if not isinstance(parent_id, int) or not parent_id:
            return self.env["product.template"]
        bindings = self.env["integration.binding"].sudo()
        return (
            bindings._find(self.store, "product.template", parent_id)
            or self.env["product.template"]
        )

    def _attach_catalog_history(self, links: dict) -> None:
        """Rows of the same product, variation or customer written before Odoo had its record
        (a failed first delivery) join it now."""
        if self.resource not in CATALOG_RESOURCES:
            return
        link = "partner_id" if self.resource == "customer" else "product_tmpl_id"
        if not links.get(link):
            return
        orphans = (
            self.env["integration.timeline"]
            .sudo()
            .search(
                [
                    (link, "=", False),
                    ("event_id.store", "=", self.store),
                    ("event_id.resource", "=", self.resource),
                    ("event_id.woo_resource_id", "=", self.woo_resource_id),
                ]
            )
        )
        orphans.write(links)

    def _problem_message(self) -> str:
        """A dead product or customer event in words, for its record (an order's in the
        ledger's own words)."""
        if self.resource not in CATALOG_RESOURCES:
            return super()._problem_message()
        action = self.event_type.rpartition(".")[2]
        what = {
            ("product", "created"): _("new product %s"),
            ("product", "updated"): _("update of product %s"),
            ("product", "deleted"): _("deletion of product %s"),
            ("product", "restored"): _("restore of product %s"),
            ("customer", "created"): _("new customer %s"),
            ("customer", "updated"): _("update of customer %s"),
            ("customer", "deleted"): _("deletion of customer %s"),
            ("customer", "restored"): _("restore of customer %s"),
        }.get((self.resource, action), "%s")
        return _(
            "WooCommerce's %(what)s of %(when)s could not be applied: %(error)s",
            what=what % (self.woo_label or f"#{self.woo_resource_id}"),
            when=format_datetime(self.env, self.occurred_at or self.received_at),
            error=self.message or self.last_error,
        )
