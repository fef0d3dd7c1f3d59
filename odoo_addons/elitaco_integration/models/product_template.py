from odoo import _, api, fields, models
from odoo.exceptions import UserError

# What a WooCommerce product shows of an Odoo product; a change to one of them is exported.
EXPORTED_FIELDS = {
    "name",
    "list_price",
    "default_code",
    "description_sale",
    "weight",
    "categ_id",
    "active",
    "woo_publish",
    "woo_store_ids",
    "attribute_line_ids",
}


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "integration.timeline.mixin"]
    _woo_timeline_link = "product_tmpl_id"

    woo_publish = fields.Boolean(
        string="Sell in WooCommerce",
        copy=False,
        help="With Odoo as master of product data: this product is created in the WooCommerce "
        "store and kept up to date from Odoo. Archived or no longer sold there, it becomes a "
        "draft in WooCommerce. With WooCommerce as master: ticked while the store publishes it.",
    )
    woo_store_ids = fields.Many2many(
        "integration.store",
        string="WooCommerce stores",
        copy=False,
        help="The stores this product is sold in. Empty: the store in Settings (and any store "
        "it is in already). A store taken off the list gets it as a draft.",
    )

    woo_binding_ids = fields.Many2many(
        "integration.binding",
        string="WooCommerce ids",
        compute="_compute_woo_bindings",
        groups="elitaco_integration.group_integration_user",
        help="The product, and each of its variants, in each store it is bound in.",
    )
    woo_last_sync = fields.Datetime(
        string="Last sync",
        compute="_compute_woo_last_sync",
        help="When Odoo last applied WooCommerce's product or bound it to the store.",
    )
    woo_event_count = fields.Integer(
        string="WooCommerce events",
        compute="_compute_woo_event_count",
        groups="elitaco_integration.group_integration_user",
    )

    def _woo_bindings(self):
        """The bindings of the templates and of all their variants (archived ones included);
        read as superuser: salespeople may see when a product was synced."""
        variants = self.with_context(active_test=False).product_variant_ids
        return (
            self.env["integration.binding"]
            .sudo()
            .search(
                [
                    "|",
                    "&",
                    ("model", "=", "product.template"),
                    ("res_id", "in", self.ids),
                    "&",
                    ("model", "=", "product.product"),
                    ("res_id", "in", variants.ids),
                ],
                order="store, model desc, external_id",  # the variable product first
            )
        )

    def _woo_binding_template_ids(self, bindings) -> dict:
        """{binding: the id of the template it belongs to}."""
        variants = self.env["product.product"].with_context(active_test=False)
        return {
            binding: binding.res_id
            if binding.model == "product.template"
            else variants.browse(binding.res_id).product_tmpl_id.id
            for binding in bindings
        }

    def _compute_woo_bindings(self):
        owners = self._woo_binding_template_ids(self._woo_bindings())
        for template in self:
            mine = [binding.id for binding, owner in owners.items() if owner == template.id]
            template.woo_binding_ids = self.env["integration.binding"].browse(mine)

    def _compute_woo_last_sync(self):
        owners = self._woo_binding_template_ids(self._woo_bindings())
        for template in self:
            dates = [b.sync_date for b, owner in owners.items() if owner == template.id]
            template.woo_last_sync = max(filter(None, dates), default=False)

    def _compute_woo_event_count(self):
        for template in self:
            template.woo_event_count = self.env["integration.event"].search_count(
                template._woo_events_domain()
            )

    def _woo_events_domain(self) -> list:
        """The events whose result is the product or one of its variants."""
        variants = self.with_context(active_test=False).product_variant_ids
        return [
            "|",
            "&",
            ("result_model", "=", "product.template"),
            ("result_id", "in", self.ids),
            "&",
            ("result_model", "=", "product.product"),
            ("result_id", "in", variants.ids),
        ]

    def action_open_woo_events(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_event_action"
        )
        action["domain"] = self._woo_events_domain()
        action["context"] = {}
        action["display_name"] = _("WooCommerce events of %s", ", ".join(self.mapped("name")))
        return action

    @api.model_create_multi
    def create(self, vals_list):
        templates = super().create(vals_list)
        templates.filtered("woo_publish")._woo_export(ticking=True)
        return templates

    def write(self, vals):
        result = super().write(vals)
        if EXPORTED_FIELDS & set(vals):
            # Unpublished or archived, a product WooCommerce has becomes a draft there.
            published = self.filtered(
                lambda template: template.woo_publish or "woo_publish" in vals
            )
            published._woo_export(ticking=bool(vals.get("woo_publish")))
        return result

    def action_woo_publish(self):
        self.write({"woo_publish": True})
        return True

    def _woo_export(self, ticking: bool = False) -> None:
        """Queue the products for the workers to create or update in WooCommerce, when Odoo
        is master of product data (changes made while applying WooCommerce events are
        WooCommerce's own and not echoed back)."""
        # WooCommerce's own changes first: they never go back, whoever is master.
        if self.env.context.get("elitaco_from_woo") or not self:
            return
        masters = self.env["integration.store"]._product_masters()
        if "odoo" not in masters:
            return
        products = self.env["product.product"]
        variable = self.env["product.template"]
        for template in self:
            variants = template._woo_variants()
            missing = variants.filtered(lambda variant: not variant.default_code)
            if template.woo_publish and missing:
                message = _(
                    "%s has no internal reference: a product sold in WooCommerce needs one, as "
                    "its SKU there (each variant its own).",
                    ", ".join(missing.mapped("display_name")),
                )
                if ticking:
                    raise UserError(message)
                # A variant added since it was ticked: its edits stay possible; the product
                # says why they no longer reach WooCommerce.
                template.message_post(body=message)
                continue
            if template._woo_is_variable():
                variable |= template
            else:
                products |= variants
        self.env["integration.woo.product"]._for_products(products)
        self.env["integration.woo.product"]._for_templates(variable)

    def _woo_sold_in(self, store: str) -> bool:
        """Whether the product is for sale in `store` (a store key): sold in WooCommerce,
        active, and that store chosen (or none chosen)."""
        self.ensure_one()
        if not (self.active and self.woo_publish):
            return False
        chosen = self._woo_chosen_stores()
        return store in chosen if chosen is not None else True

    def _woo_target_stores(self) -> set[str]:
        """Where a change is pushed, besides the stores it is in already: the chosen stores,
        else the store in Settings."""
        self.ensure_one()
        chosen = self._woo_chosen_stores()
        if chosen is not None:
            return chosen
        return {self.env["integration.event"]._default_store()} - {""}

    def _woo_chosen_stores(self) -> set[str] | None:
        """The keys of the active stores chosen on the product; None when none is chosen (an
        archived store still counts as chosen: the product does not move to the default)."""
        stores = self.with_context(active_test=False).woo_store_ids
        return set(stores.filtered("active").mapped("key")) if stores else None

    def _woo_is_variable(self) -> bool:
        """A variable product in WooCommerce: it has several variants (some may be archived),
        or it is one there already (its other variants deleted since)."""
        self.ensure_one()
        if len(self.with_context(active_test=False).product_variant_ids) > 1:
            return True
        return bool(
            self.env["integration.binding"]
            .sudo()
            .search_count([("model", "=", self._name), ("res_id", "=", self.id)], limit=1)
        )

    def _woo_variants(self):
        """The variants WooCommerce shows: the active ones (all of them once archived)."""
        self.ensure_one()
        return self.product_variant_ids or self.with_context(active_test=False).product_variant_ids

    # ------------------------------------------------------------------ its timeline

    woo_timeline_ids = fields.One2many(
        "integration.timeline",
        "product_tmpl_id",
        string="WooCommerce timeline",
        readonly=True,
        groups="elitaco_integration.group_integration_reader",
        help="WooCommerce's events of the product and its variants, and its pushes there.",
    )
