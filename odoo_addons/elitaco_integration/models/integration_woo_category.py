from odoo import _, api, models

from ..tools import text, write_changes

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
