from odoo import _, api, models
from odoo.tools import html2plaintext

from ..envelope import Ambiguous, Outcome
from ..tools import (
    amount,
    applied_state,
    deleted_before,
    parse_utc,
    push_answer,
    stale_delete,
    stale_outcome,
    staleness,
    text,
    write_changes,
)

INACTIVE_STATUSES = ("draft", "private", "trash")


class IntegrationWooProduct(models.AbstractModel):
    _name = "integration.woo.product"
    _description = "WooCommerce products and variations into Odoo products"

    @api.model
    def _woo_is_master(self, store: str) -> bool:
        """WooCommerce is master of product data in `store` (a store key)."""
        return self.env["integration.store"]._for_key(store).product_master == "woo"

    @api.model
    def _upsert(self, event, data: dict) -> Outcome:
        """woo.product.created / updated / restored (variations arrive as products too)."""
        woo_id = data["id"]
        sku = (data.get("sku") or "").strip()
        self.env["integration.resource.lock"]._acquire(f"product:{event.store}:{woo_id}")
        bindings = self.env["integration.binding"]
        if data.get("type") == "variable" and not self._woo_is_master(event.store):
            template = bindings._find(event.store, "product.template", woo_id)
            if template:  # a product with variants sold from Odoo: its own echo
                return Outcome(
                    message=_(
                        "WooCommerce variable product %(id)s is %(template)s; Odoo is master of "
                        "product data.",
                        id=woo_id,
                        template=template.display_name,
                    ),
                    record=template,
                )
        binding, product, state, not_applied = self._bound(event, data, "product.product")
        if not_applied:
            return not_applied
        found_by, found = (_("binding"), "") if product else ("", "")
        if not product:
            product, found_by = self._unbound_match(data)
            found = "matched" if product else ""
        if not self._woo_is_master(event.store):
            if not product:
                return Outcome(
                    "ignored",
                    _(
                        "No Odoo product with SKU %(sku)s for WooCommerce product %(id)s; Odoo is "
                        "master of product data, so nothing is created.",
                        sku=sku or "''",
                        id=woo_id,
                    ),
                    found="unmatched",
                )
            bindings._bind(event.store, product, woo_id, state=state)
            return Outcome(
                message=_(
                    "WooCommerce product %(id)s bound to %(product)s (by "
                    "%(how)s); Odoo is master of product data.",
                    id=woo_id,
                    product=product.display_name,
                    how=found_by,
                ),
                record=product,
                found=found,
            )
        if data.get("type") == "variable":
            return self.env["integration.woo.variant"]._upsert_variable(event, data)
        values = self._product_values(event, data)
        warnings = []
        merged = []
        if data.get("type") == "variation" and data.get("parent_id"):
            variants = self.env["integration.woo.variant"]
            if not product:
                product, warnings = variants._variant(event.store, data)
                found_by = _("its variable product's attributes") if product else ""
                found = "created" if product else ""  # the variant its variable product made
            elif binding and not product.product_template_attribute_value_ids:
                product, merged, warnings = variants._merge(event.store, product, data)
        if product and product.product_template_attribute_value_ids:
            # Name, price and inventory tracking of a variant are its template's: the variable
            # product's event sets them.
            kept = ("default_code", "active", "weight", "volume")  # a variant's own
            values = {key: values[key] for key in kept if key in values}
        if product:
            tracked = values.get("is_storable", product.is_storable)
            if product.is_storable != tracked and product.stock_move_ids:
                # Odoo refuses to change inventory tracking once a product has moves.
                values.pop("is_storable")
                warnings.append(
                    _(
                        "WooCommerce %(manages)s the stock of %(product)s, but Odoo cannot change "
                        "its inventory tracking now that it has stock moves: set it by hand.",
                        manages=_("manages") if data.get("manage_stock") else _("does not manage"),
                        product=product.display_name,
                    )
                )
            changed = write_changes(product, values)
            message = _(
                "WooCommerce product %(id)s is %(product)s (by %(how)s).",
                id=woo_id,
                product=product.display_name,
                how=found_by,
            )
            changes = [_("Updated: %s", ", ".join(changed))] if changed else []
            changes += merged
        else:
            product = self.env["product.product"].create(values)
            found = "created"
            message = _(
                "WooCommerce product %(id)s created as %(product)s.",
                id=woo_id,
                product=product.display_name,
            )
            changes = []
        changes += self._sale_price(event.store, product, data)
        images = self.env["integration.woo.image"]
        imaged, image_warnings = images._image(event, product, binding, data, state)
        changes += imaged
        warnings += image_warnings
        is_variant = bool(product.product_template_attribute_value_ids)
        if is_variant:
            state["woo_price"] = amount(data.get("regular_price") or data.get("price"), _("Price"))
        bindings._bind(event.store, product, woo_id, data.get("parent_id"), state=state)
        if is_variant:
            priced, price_warnings = self.env["integration.woo.variant.price"]._sync_prices(
                event.store, product.product_tmpl_id
            )
            changes += priced
            warnings += price_warnings
        return Outcome(
            message=message, record=product, changes=changes, warnings=warnings, found=found
        )

    @api.model
    def _unbound_match(self, data: dict) -> tuple:
        """(the one Odoo product with the WooCommerce product's SKU, else with its GTIN as
        barcode; how it was found), or an empty recordset."""
        sku = (data.get("sku") or "").strip()
        product = self._by_sku(sku) if sku else self.env["product.product"]
        if product:
            return product, _("SKU %s", sku)
        barcode = (data.get("global_unique_id") or "").strip()
        product = self._by_code("barcode", barcode) if barcode else product
        return product, _("barcode %s", barcode) if product else ""

    @api.model
    def _bound(self, event, data: dict, model: str) -> tuple:
        """(binding, its record, this state's woo_* values, the Outcome when this state is older
        than the one applied or is that one, else None) of a WooCommerce product bound to a
        `model` record."""
        binding = self.env["integration.binding"]._binding(event.store, model, data["id"])
        record = binding._record() if binding else None
        state = applied_state(data, event.received_at)
        verdict = staleness(
            binding, state["woo_date_modified"], state["woo_state_digest"], event.received_at
        )
        if not verdict:
            return binding, record, state, None
        what = _("WooCommerce product %s", data["id"])
        applied = binding.woo_date_modified
        outcome = stale_outcome(record, verdict, what, state["woo_date_modified"], applied)
        return binding, record, state, outcome

    @api.model
    def _trash(self, event, data: dict) -> Outcome:
        self.env["integration.resource.lock"]._acquire(f"product:{event.store}:{data['id']}")
        binding = self.env["integration.binding"]._binding(
            event.store, "product.product", data["id"]
        )
        product = binding._record() if binding else None
        if not product:
            binding = self.env["integration.binding"]._binding(
                event.store, "product.template", data["id"]
            )
            product = binding._record() if binding else None
        if not product:
            return Outcome("ignored", _("WooCommerce product %s is not bound.", data["id"]))
        if deleted_before(binding, event):
            return stale_delete(product, event, binding.woo_date_modified)
        if not self._woo_is_master(event.store):
            return Outcome(
                message=_(
                    "WooCommerce product %s trashed; %s is kept (Odoo is master of product data).",
                    data["id"],
                    product.display_name,
                ),
                record=product,
            )
        product.action_archive()
        return Outcome(
            message=_("%s archived (trashed in WooCommerce).", product.display_name), record=product
        )

    @api.model
    def _product_values(self, event, data: dict) -> dict:
        price = amount(data.get("regular_price") or data.get("price"), _("Price"))
        return self._template_values(event, data) | {
            "default_code": (data.get("sku") or "").strip() or False,
            "list_price": price,
            # Tracked in Odoo's inventory when WooCommerce manages its stock ("parent": a
            # variation whose variable product does), so that its stock can be pushed back.
            "is_storable": bool(data.get("manage_stock")),
        }

    @api.model
    def _template_values(self, event, data: dict) -> dict:
        """What a simple and a variable product both set."""
        description = data.get("short_description") or data.get("description") or ""
        values = self.env["integration.woo.measure"]._measures(data)
        category = self.env["integration.woo.category"]._of_product(event, data)
        if category:
            values["categ_id"] = category.id
        return values | {
            "name": text(data.get("name")) or _("WooCommerce product %s", data["id"]),
            "type": "consu",
            "sale_ok": True,
            # Only published products are sold; drafts, private and trashed ones are archived
            # (order lines still find them by SKU).
            "active": data.get("status", "publish") not in INACTIVE_STATUSES,
            # Sold in WooCommerce while the store publishes it ("Sell in WooCommerce").
            "woo_publish": data.get("status", "publish") == "publish",
            "description_sale": html2plaintext(description).strip() or False,
        }

    @api.model
    def _sale_price(self, store: str, product, data: dict) -> list[str]:
        """WooCommerce's sale price, with its dates, as a fixed-price rule for the product in
        the store's pricelist (none set: nowhere); the rule goes when the sale does."""
        pricelist = self.env["integration.store"]._for_key(store).pricelist_id
        if not pricelist:
            return []
        items = self.env["product.pricelist.item"]
        rule = items.search(
            [
                ("pricelist_id", "=", pricelist.id),
                ("woo_sale", "=", True),
                ("product_id", "=", product.id),
            ],
            limit=1,
        )
        if data.get("sale_price") in (None, ""):
            if not rule:
                return []
            rule.sudo().unlink()  # only its own rules: the Integration User deletes no others
            return [_("Sale price ended in %s.", pricelist.display_name)]
        values = {
            "fixed_price": amount(data["sale_price"], _("Sale price")),
            "date_start": parse_utc(data.get("date_on_sale_from_gmt")) or False,
            "date_end": parse_utc(data.get("date_on_sale_to_gmt")) or False,
        }
        if rule:
            changed = write_changes(rule, values)
        else:
            rule = items.create(
                values
                | {
                    "pricelist_id": pricelist.id,
                    "applied_on": "0_product_variant",
                    "product_id": product.id,
                    "product_tmpl_id": product.product_tmpl_id.id,
                    "compute_price": "fixed",
                    "woo_sale": True,
                }
            )
            changed = ["fixed_price"]
        if not changed:
            return []
        return [
            _(
                "Sale price %(price)s in %(pricelist)s, from %(start)s to %(end)s (UTC).",
                price=values["fixed_price"],
                pricelist=pricelist.display_name,
                start=values["date_start"] or "-",
                end=values["date_end"] or "-",
            )
        ]

    @api.model
    def _by_sku(self, sku: str):
        return self._by_code("default_code", sku)

    @api.model
    def _by_code(self, field: str, code: str):
        """The one product with this internal reference (SKU) or barcode, archived ones
        included; several are a failure that names them (taking any of them could book
        another product)."""
        products = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([(field, "=", code)], order="active desc, id")
        )
        if len(products) > 1:
            raise Ambiguous(
                _(
                    "%(what)s %(code)s is shared by several products (%(products)s): "
                    "make it unique (the products' Internal Reference or Barcode), then "
                    "replay.",
                    what=_("SKU") if field == "default_code" else _("Barcode"),
                    code=code,
                    products=", ".join(products.mapped("display_name")),
                )
            )
        return products

    # ------------------------------------------------------------------ pushed to WooCommerce

    @api.model
    def _for_products(self, products):
        """Queue the export of products to the store (and to any other store they are bound
        in); like stock, one pending row per product and store, read when claimed."""
        return self._for_export(products, "product_id")

    @api.model
    def _for_templates(self, templates):
        """The same for products with variants: a variable product and its variations."""
        return self._for_export(templates, "product_tmpl_id")

    @api.model
    def _for_export(self, records, field: str):
        stores_of = self.env["integration.binding"]._bound_stores(records)
        for record in records:
            template = record if record._name == "product.template" else record.product_tmpl_id
            stores_of[record] |= template._woo_target_stores()
            # A store where WooCommerce is master of product data is not pushed to.
            stores_of[record] = self.env["integration.store"]._odoo_master_stores(stores_of[record])
        return self.env["integration.outbox"]._queue("odoo.product.changed", field, stores_of)

    @api.model
    def _push_data(self, row) -> dict:
        return self._product_data(row)

    @api.model
    def _push_answered(self, row, response: str | None, ok: bool) -> None:
        self._bind_product(row, response)  # what a failed push made too: its retry updates it

    @api.model
    def _push_summary(self, row) -> str:
        return _("product %s", (row.product_id or row.product_tmpl_id).display_name)

    @api.model
    def _product_data(self, row) -> dict:
        """The product as WooCommerce shows it, read at claim: the latest state is pushed."""
        if row.product_tmpl_id:
            return self.env["integration.woo.variant"]._variable_data(row)
        product = row.product_id.with_context(active_test=False)
        template = product.product_tmpl_id
        bindings = self.env["integration.binding"]
        return {
            "odoo_product_id": product.id,
            "woo_product_id": bindings._record_binding(row.store, row.product_id).external_id
            or None,
            "sku": product.default_code or "",
            "name": template.name,
            "regular_price": f"{template.list_price:.2f}",
            "status": "publish" if template._woo_sold_in(row.store) else "draft",
            "short_description": template.description_sale or "",
            "weight": self.env["integration.woo.measure"]._woo_weight(product),
            **self.env["integration.woo.category"]._woo_categories(row.store, template.categ_id),
            "manage_stock": template.is_storable,
            **self._initial_stock(row.store, product),
        }

    @api.model
    def _initial_stock(self, store: str, product) -> dict:
        """What a product made in WooCommerce starts with, so that it is not out of stock
        there until its stock row is pushed (updates leave stock to those rows)."""
        bindings = self.env["integration.binding"]
        if not product.is_storable or bindings._record_binding(store, product):
            return {}
        warehouse = self.env["integration.store"]._for_key(store).warehouse_id
        quantity = self.env["integration.woo.stock"]._sellable_quantity(product, warehouse)
        return {"stock_quantity": max(quantity, 0.0)}

    @api.model
    def _bind_product(self, row, response: str | None) -> None:
        """A product the push created in WooCommerce (or found there by SKU) is bound to it;
        its stock follows."""
        answer = push_answer(response)
        categories = answer.get("categories") or {}
        self.env["integration.woo.category"]._bind_categories(row.store, categories)
        woo_id = answer.get("id")
        if not isinstance(woo_id, int):
            return
        # The store's own webhook for what the push made may be applied at this very moment
        # and bind it by SKU: the lock its event takes makes one of the two wait and retry.
        variation_ids = sorted((answer.get("variations") or {}).values())
        for external_id in [woo_id, *variation_ids]:
            self.env["integration.resource.lock"]._acquire(f"product:{row.store}:{external_id}")
        bindings = self.env["integration.binding"]
        stock = self.env["integration.woo.stock"]
        if row.product_tmpl_id:
            bindings._bind_once(row.store, row.product_tmpl_id, woo_id)
            variants = self.env["product.product"].with_context(active_test=False)
            bound = variants.browse()
            for odoo_id, variation_id in (answer.get("variations") or {}).items():
                variant = variants.browse(int(odoo_id)).exists()
                if variant and bindings._bind_once(row.store, variant, variation_id, woo_id):
                    bound |= variant
            stock._for_stock(bound)
        elif bindings._bind_once(row.store, row.product_id, woo_id):
            stock._for_stock(row.product_id)
