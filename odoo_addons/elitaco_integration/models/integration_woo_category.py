from odoo import _, api, models

from ..tools import push_answer, text, write_changes

UNCATEGORIZED = "uncategorized"  # WooCommerce's default category: Odoo's own default instead


class IntegrationWooCategory(models.AbstractModel):
    """WooCommerce as master of product data: a product's first category, with its parents,
    as Odoo's product category tree under All."""

    _name = "integration.woo.category"
    _description = "WooCommerce product categories into Odoo product categories"

    @api.model
    def _of_product(self, event, data: dict):
        """The Odoo category of the product's first WooCommerce category (an empty recordset:
        none, or only Uncategorized). Its parents come from `fetched.categories`, which the
        workers read; without them it is filed under All by its name until an event has them."""
        first = next(
            (
                category
                for category in data.get("categories") or []
                if isinstance(category, dict) and category.get("slug") != UNCATEGORIZED
            ),
            None,
        )
        if not first or not isinstance(first.get("id"), int):
            return self.env["product.category"]
        fetched = (event.payload or {}).get("fetched") or {}
        tree = {category["id"]: category for category in fetched.get("categories") or []}
        return self._category(event.store, first["id"], first.get("name"), tree)

    @api.model
    def _category(self, store: str, woo_id: int, name: str | None, tree: dict, depth: int = 0):
        known = tree.get(woo_id)
        if known:
            name = known["name"]
        parent_id = known["parent"] if known else None
        if parent_id and depth < 20:
            parent = self._category(store, parent_id, None, tree, depth + 1)
        else:
            parent = self.env.ref("product.product_category_all")
        bindings = self.env["integration.binding"]
        category = bindings._find(store, "product.category", woo_id)
        values = {"name": text(name) or _("WooCommerce category %s", woo_id)}
        if known or not category:  # a parent is known only from what the workers read
            values["parent_id"] = parent.id
        if category:
            write_changes(category, values)
            return category
        # Two workers filing products of a new category at once would each create it: the
        # second waits here, then Odoo retries its request and finds the binding.
        self.env["integration.resource.lock"]._acquire(f"product-category:{store}:{woo_id}")
        category = self.env["product.category"].search(
            [("name", "=", values["name"]), ("parent_id", "=", values["parent_id"])], limit=1
        ) or self.env["product.category"].create(values)
        bindings._bind(store, category, woo_id)
        return category

    # ------------------------------------------------------------------ pushed to WooCommerce

    @api.model
    def _for_categories(self, categories):
        """Queue the renaming or moving of categories WooCommerce has (made from Odoo or
        bound), one pending row per category and store; made there anew only with a product."""
        stores_of = self.env["integration.binding"]._bound_stores(categories)
        stores = self.env["integration.store"]
        stores_of = {
            category: stores._odoo_master_stores(keys) for category, keys in stores_of.items()
        }
        return self.env["integration.outbox"]._queue(
            "odoo.category.changed", "category_id", stores_of
        )

    @api.model
    def _push_data(self, row) -> dict:
        return self._category_data(row)

    @api.model
    def _push_answered(self, row, response: str | None, ok: bool) -> None:
        # what a failed push made too: its retry updates it
        self._bind_categories(row.store, push_answer(response).get("categories") or {})

    @api.model
    def _push_summary(self, row) -> str:
        return _("category %s", row.category_id.display_name)

    @api.model
    def _category_data(self, row) -> dict:
        """A category WooCommerce has, renamed or moved in Odoo: its name and where it is now
        (`category_ids`: its parent there, none at the top; or `new_categories`: the parents to
        make first), read at claim."""
        category = row.category_id
        bindings = self.env["integration.binding"]
        return {
            "odoo_id": category.id,
            "woo_category_id": bindings._record_binding(row.store, category).external_id,
            "name": category.name,
            **self._woo_categories(row.store, category.parent_id),
        }

    @api.model
    def _woo_categories(self, store: str, category) -> dict:
        """`category` in WooCommerce: `category_ids`, its id once bound; else `new_categories`,
        what the workers make there first, from the top down to it: the category and its
        ancestors up to the first bound one (`parent_id`) or the top (Odoo's All is
        WooCommerce's top level, where a product of All alone has no category)."""
        top = self.env.ref("product.product_category_all", raise_if_not_found=False)
        missing = self.env["product.category"]
        parent_id = None
        while category and category != top:
            binding = self.env["integration.binding"]._record_binding(store, category)
            if binding:
                parent_id = binding.external_id
                break
            missing |= category
            category = category.parent_id
        if not missing:
            return {"category_ids": [parent_id] if parent_id else []}
        return {
            "category_ids": [],
            "new_categories": [
                {
                    "odoo_id": category.id,
                    "name": category.name,
                    "parent_odoo_id": category.parent_id.id
                    if category.parent_id in missing
                    else None,
                    "parent_id": None if category.parent_id in missing else parent_id,
                }
                for category in reversed(missing)
            ],
        }

    @api.model
    def _bind_categories(self, store: str, made: dict) -> None:
        """The categories the push made in WooCommerce (or found there by name): bound, so that
        the next push of any product in them uses their ids."""
        categories = self.env["product.category"]
        locks = self.env["integration.resource.lock"]
        for odoo_id, woo_id in sorted(made.items()):
            category = categories.browse(int(odoo_id)).exists()
            if category and isinstance(woo_id, int):
                # Two workers pushing products of one new category at once both made it.
                locks._acquire(f"product-category:{store}:{woo_id}")
                locks._acquire(f"odoo-product-category:{store}:{category.id}")
                self.env["integration.binding"]._bind_once(store, category, woo_id)
