from odoo import Command, _, api, models

from ..envelope import EventRejected, EventWaiting, Outcome
from ..tools import amount, parse_utc, text, write_changes


class IntegrationWooVariant(models.AbstractModel):
    """WooCommerce as master of product data: a variable product is a product template with
    the attributes it varies on, each of its variations the variant with exactly its values."""

    _name = "integration.woo.variant"
    _description = "WooCommerce variable products and variations into Odoo variants"

    @api.model
    def _upsert_variable(self, event, data: dict) -> Outcome:
        woo_id = data["id"]
        bindings = self.env["integration.binding"]
        products = self.env["integration.woo.product"]
        binding, template, state, not_applied = products._bound(event, data, "product.template")
        if not_applied:
            return not_applied
        attributes = data.get("attributes") or []
        varying = [attribute for attribute in attributes if attribute.get("variation")]
        values = products._template_values(event, data)
        changes = []
        found = "" if template else "created"
        if template:
            changed = write_changes(template, values)
            changes += [_("Updated: %s", ", ".join(changed))] if changed else []
            changes += self._add_attribute_lines(event.store, template, varying)
        else:
            if data.get("manage_stock"):  # stock kept for all variations together
                values["is_storable"] = True
            # Its lowest variation's price, until the variations' own prices arrive.
            values["list_price"] = amount(data.get("price"), _("Price"))
            template = self.env["product.template"].create(
                values
                | {
                    "attribute_line_ids": [
                        Command.create(
                            {
                                "attribute_id": attribute.id,
                                "value_ids": [Command.set(attribute_values.ids)],
                            }
                        )
                        for attribute, attribute_values in self._attributes(event.store, varying)
                    ]
                }
            )
        if template.attribute_line_ids:
            self._show_variants()
        images = self.env["integration.woo.image"]
        imaged, warnings = images._image(event, template, binding, data, state)
        changes += imaged
        bindings._bind(event.store, template, woo_id, state=state)
        changes += self._archive_gone(event.store, template, data)
        message = _(
            "WooCommerce variable product %(id)s is %(template)s, varying on %(attributes)s.",
            id=woo_id,
            template=template.display_name,
            attributes=", ".join(template.attribute_line_ids.attribute_id.mapped("name")) or "-",
        )
        informational = [text(a.get("name")) for a in attributes if not a.get("variation")]
        if informational:
            changes.append(
                _("Not used for variations, so not variants: %s", ", ".join(informational))
            )
        return Outcome(
            message=message, record=template, changes=changes, warnings=warnings, found=found
        )

    @api.model
    def _archive_gone(self, store: str, template, data: dict) -> list[str]:
        """Archive the variants whose variation the variable product no longer lists:
        wp-admin's "Remove" deletes a variation for good and sends no event for it. A variation
        applied in a state newer than this product's may have been made after it: kept."""
        listed = data.get("variations")
        if not isinstance(listed, list):
            return []
        modified = parse_utc(data.get("date_modified_gmt"))
        bindings = self.env["integration.binding"].search(
            [
                ("store", "=", store),
                ("model", "=", "product.product"),
                ("external_id", "not in", [i for i in listed if isinstance(i, int)]),
                "|",
                ("woo_parent_id", "=", data["id"]),
                ("res_id", "in", template.product_variant_ids.ids),
            ]
        )
        gone = self.env["product.product"]
        for binding in bindings:
            applied = binding.woo_date_modified
            record = binding._record()
            if record and record.active and not (modified and applied and applied > modified):
                gone |= record
        if not gone:
            return []
        gone.action_archive()
        return [
            _(
                "Archived, their variations gone from WooCommerce: %s",
                ", ".join(gone.mapped("display_name")),
            )
        ]

    @api.model
    def _show_variants(self) -> None:
        """Odoo's Product variants setting (Sales › Configuration › Settings) on, as the first
        variable product makes variants: without it the product form hides them (no Attributes
        & Variants tab). The workers' user may not change settings: this one switch, and only
        it, is made as superuser, as Settings itself would."""
        variants = self.env.ref("product.group_product_variant")
        employees = self.env.ref("base.group_user")
        if variants not in employees.implied_ids:
            employees.sudo()._apply_group(variants.sudo())

    @api.model
    def _variant(self, store: str, data: dict) -> tuple:
        """(the variant of the variation's template with exactly its values, warnings); no
        variant for a variation with an attribute of any value (WooCommerce's "Any …")."""
        template = self._variable_template(store, data)
        combination, warnings = self._combination(store, template, data)
        if not combination:
            return None, warnings
        variant = template._create_product_variant(combination)
        if not variant:
            raise EventRejected(
                _(
                    "%(template)s has no variant %(values)s and Odoo cannot make one (its "
                    "attributes create all variants, or the combination is excluded).",
                    template=template.display_name,
                    values=", ".join(combination.mapped("name")),
                )
            )
        return variant, self._track_inventory(template, data)

    @api.model
    def _combination(self, store: str, template, data: dict) -> tuple:
        """(the template's attribute values of the variation, warnings); no values for a
        variation of any value of an attribute (WooCommerce's "Any …")."""
        chosen = {
            text(option.get("name")).casefold(): text(option.get("option"))
            for option in data.get("attributes") or []
        }
        lines = template.attribute_line_ids
        unset = [
            line.attribute_id.name
            for line in lines
            if not chosen.get(line.attribute_id.name.casefold())
        ]
        combination = self.env["product.template.attribute.value"]
        if unset or not lines:
            return combination, [
                _(
                    "Variation %(id)s sells any %(attributes)s: an Odoo variant has exactly one "
                    "value of each attribute, so it is a product of its own.",
                    id=data["id"],
                    attributes=", ".join(unset) or _("value"),
                )
            ]
        for line in lines:
            combination |= self._template_value(
                store, line, chosen[line.attribute_id.name.casefold()]
            )
        return combination, []

    @api.model
    def _variable_template(self, store: str, data: dict):
        """The variation's variable product, which Odoo must have first."""
        template = self.env["integration.binding"]._find(
            store, "product.template", data["parent_id"]
        )
        if not template:
            raise EventWaiting(
                _(
                    "Variation %(id)s waits for its variable product %(parent)s, which Odoo has "
                    "not received yet: retried, or replay it once the variable product is there.",
                    id=data["id"],
                    parent=data["parent_id"],
                )
            )
        return template

    @api.model
    def _merge(self, store: str, product, data: dict) -> tuple:
        """(the variant, changes, warnings): a variation that is bound to a product of its own
        (made for an order that came before it, or by an earlier version) becomes its
        template's variant, the same record, so order lines, stock moves, invoices and its
        binding keep it. Odoo tracks inventory per template and refuses to change it once a
        move is done: such a product is archived and a variant takes its binding. A warning
        says why not when the variant exists already and is in use."""
        template = self._variable_template(store, data)
        old_template = product.product_tmpl_id
        if old_template.product_variant_count > 1:
            return product, [], []
        combination, warnings = self._combination(store, template, data)
        if not combination:
            return product, [], warnings
        existing = template._get_variant_for_combination(combination)
        if existing and (existing.stock_move_ids or existing.sale_order_line_ids):
            return (
                product,
                [],
                [
                    _(
                        "%(product)s stays a product of its own: %(template)s has the variant "
                        "%(variant)s in use already. Merge them by hand.",
                        product=product.display_name,
                        template=template.display_name,
                        variant=existing.display_name,
                    )
                ],
            )
        values = ", ".join(combination.mapped("name"))
        moves = product.stock_move_ids
        if product.is_storable != template.is_storable and moves.filtered(
            lambda move: move.state == "done" or move.picked
        ):
            variant = template._create_product_variant(combination)
            product.active = False
            old_template.active = False
            return (
                variant,
                [
                    _(
                        "%(product)s, a product of its own (made for an order before the variation "
                        "arrived), has stock moves done that Odoo cannot move to the inventory "
                        "tracking of %(template)s: it is archived, its orders and deliveries keep "
                        "it, and the variant %(values)s takes its place from now on.",
                        product=old_template.name,
                        template=template.display_name,
                        values=values,
                    )
                ],
                self._track_inventory(template, data),
            )
        existing.active = False  # an unused variant Odoo made for the combination
        reserved = self._unreserve(moves) if product.is_storable != template.is_storable else moves
        product.write(
            {
                "product_tmpl_id": template.id,
                "product_template_attribute_value_ids": [Command.set(combination.ids)],
            }
        )
        old_template.active = False
        if reserved is not moves:
            reserved.sudo()._action_assign()
        return (
            product,
            [
                _(
                    "%(product)s, a product of its own (made for an order before the variation "
                    "arrived, or by an earlier version), is now the variant %(values)s of "
                    "%(template)s.",
                    product=old_template.name,
                    values=values,
                    template=template.display_name,
                )
            ],
            self._track_inventory(template, data),
        )

    @api.model
    def _unreserve(self, moves):
        """The moves reserved, unreserved: Odoo changes no product's inventory tracking while
        one of its moves is reserved. The integration unreserves only the deliveries of the
        product it is making a variant of, as superuser (a salesperson may not), and reserves
        them again right after."""
        reserved = moves.filtered(lambda move: move.state in ("assigned", "partially_available"))
        reserved.sudo()._do_unreserve()
        return reserved

    @api.model
    def _track_inventory(self, template, data: dict) -> list[str]:
        """Inventory tracked for the template when WooCommerce manages a variation's stock;
        a warning when a variant's stock moves are done already (Odoo refuses then)."""
        if not data.get("manage_stock") or template.is_storable:
            return []
        moves = template.with_context(active_test=False).product_variant_ids.stock_move_ids
        if moves.filtered(lambda move: move.state == "done" or move.picked):
            return [
                _(
                    "WooCommerce manages the stock of %(template)s, but Odoo cannot track its "
                    "inventory now that its variants have stock moves done: set it by hand.",
                    template=template.display_name,
                )
            ]
        reserved = self._unreserve(moves)
        template.is_storable = True
        reserved.sudo()._action_assign()
        return []

    @api.model
    def _attributes(self, store: str, varying: list[dict]) -> list[tuple]:
        """(product.attribute, its values) for each attribute a variable product varies on."""
        result = []
        for attribute_data in varying:
            attribute = self._attribute(store, text(attribute_data.get("name")))
            values = self.env["product.attribute.value"]
            for option in attribute_data.get("options") or []:
                values |= self._attribute_value(store, attribute, text(option))
            result.append((attribute, values))
        return result

    @api.model
    def _add_attribute_lines(self, store: str, template, varying: list[dict]) -> list[str]:
        """New attributes and values of an applied variable product; none is removed (order
        lines and stock refer to the variants)."""
        changes = []
        for attribute, values in self._attributes(store, varying):
            line = template.attribute_line_ids.filtered(lambda l, a=attribute: l.attribute_id == a)
            missing = values - line.value_ids
            if line and missing:
                line.value_ids = [Command.link(value.id) for value in missing]
            elif not line:
                template.attribute_line_ids = [
                    Command.create(
                        {"attribute_id": attribute.id, "value_ids": [Command.set(values.ids)]}
                    )
                ]
            if missing:
                changes.append(
                    _(
                        "%(attribute)s: %(values)s added.",
                        attribute=attribute.name,
                        values=", ".join(missing.mapped("name")),
                    )
                )
        return changes

    @api.model
    def _template_value(self, store: str, line, name: str):
        """The line's value called `name`, added to the line when the variable product applied
        last did not have it yet."""
        value = line.product_template_value_ids.filtered(
            lambda v: v.product_attribute_value_id.name.casefold() == name.casefold()
        )
        if not value:
            value = self._attribute_value(store, line.attribute_id, name)
            line.value_ids = [Command.link(value.id)]
            value = line.product_template_value_ids.filtered(
                lambda v: v.product_attribute_value_id.name.casefold() == name.casefold()
            )
        return value[:1]

    @api.model
    def _attribute(self, store: str, name: str):
        attribute = self.env["product.attribute"].search([("name", "=ilike", name)], limit=1)
        if attribute:
            return attribute
        self._check_may_create(store, _("attribute %s", name))
        # Two workers applying variable products at once would each create it: the second
        # waits here, then Odoo retries its request and the search above finds it.
        self.env["integration.resource.lock"]._acquire(f"product-attribute:{name.casefold()}")
        # Dynamic: Odoo makes the variants WooCommerce has, not every combination.
        return self.env["product.attribute"].create({"name": name, "create_variant": "dynamic"})

    @api.model
    def _attribute_value(self, store: str, attribute, name: str):
        value = attribute.value_ids.filtered(lambda v: v.name.casefold() == name.casefold())
        if value:
            return value[:1]
        self._check_may_create(
            store, _("value %(value)s of %(attribute)s", value=name, attribute=attribute.name)
        )
        self.env["integration.resource.lock"]._acquire(
            f"product-attribute-value:{attribute.id}:{name.casefold()}"
        )
        return self.env["product.attribute.value"].create(
            {"attribute_id": attribute.id, "name": name}
        )

    @api.model
    def _check_may_create(self, store: str, what: str) -> None:
        if self.env["integration.store"]._for_key(store).unknown_sku != "create":
            raise EventRejected(
                _(
                    "Odoo has no product %(what)s. Create it (Inventory › Configuration › "
                    "Attributes), or set Unknown SKU to 'Create the product', then replay.",
                    what=what,
                )
            )

    # ------------------------------------------------------------------ pushed to WooCommerce

    @api.model
    def _variable_data(self, row) -> dict:
        """A product with variants as a variable product: its attributes (the values its
        variants use) and one variation per variant, read at claim."""
        bindings = self.env["integration.binding"]
        products = self.env["integration.woo.product"]
        measures = self.env["integration.woo.measure"]
        template = row.product_tmpl_id.with_context(active_test=False)
        variants = template._woo_variants()
        attributes = {}
        for variant in variants:
            for value in variant.product_template_attribute_value_ids:
                options = attributes.setdefault(value.attribute_id.name, [])
                if value.name not in options:
                    options.append(value.name)
        published = template._woo_sold_in(row.store)
        return {
            "type": "variable",
            "odoo_template_id": template.id,
            "woo_product_id": bindings._record_binding(row.store, template).external_id or None,
            "name": template.name,
            "status": "publish" if published else "draft",
            "short_description": template.description_sale or "",
            **self.env["integration.woo.category"]._woo_categories(row.store, template.categ_id),
            "attributes": [
                {"name": name, "options": options} for name, options in attributes.items()
            ],
            "variations": [
                {
                    "odoo_product_id": variant.id,
                    "woo_variation_id": bindings._record_binding(row.store, variant).external_id
                    or None,
                    "sku": variant.default_code,
                    "regular_price": f"{variant.lst_price:.2f}",
                    "status": "publish" if published and variant.active else "private",
                    "weight": measures._woo_weight(variant),
                    "manage_stock": template.is_storable,
                    **products._initial_stock(row.store, variant),
                    "attributes": [
                        {"name": value.attribute_id.name, "option": value.name}
                        for value in variant.product_template_attribute_value_ids
                    ],
                }
                for variant in variants
            ],
        }
