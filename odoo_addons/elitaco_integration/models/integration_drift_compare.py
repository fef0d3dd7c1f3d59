from odoo import _, api, models

from ..tools import parse_utc

# What Odoo's state is for each order action of the value maps (integration.woo.order.status).
STATES_OF_ACTION = {
    "confirm": ("sale",),
    "cancel": ("cancel",),
    "quotation": ("draft", "sent"),
}


class IntegrationDriftCompare(models.AbstractModel):
    """WooCommerce's records, a page at a time, against what Odoo has: each difference as the
    values of a drift line (integration.drift.line). One page is one request of the workers;
    the Odoo side of a page is read with one search per kind of record."""

    _name = "integration.drift.compare"
    _description = "WooCommerce and Odoo compared"

    # ------------------------------------------------------------------ orders

    @api.model
    def _order_lines(self, store: str, orders: list[dict]) -> list[dict]:
        """Orders missing in Odoo, and those whose state, total or tax disagree."""
        woo_ids = [order["id"] for order in orders]
        found = (
            self.env["sale.order"]
            .sudo()
            .search([("woo_store", "=", store), ("woo_order_id", "in", woo_ids)])
        )
        by_id = {order.woo_order_id: order for order in found}
        stuck = self._stuck_events(store, [i for i in woo_ids if i not in by_id])
        lines = []
        for woo in orders:
            if woo.get("status") in ("checkout-draft", "trash"):
                continue
            order = by_id.get(woo["id"])
            if not order:
                if self._status_expected(store, woo["status"]) is None:
                    continue  # an ignored status: Odoo leaves such an order out
                lines.append(self._order_missing(woo, stuck.get(woo["id"])))
                continue
            lines += self._order_differences(woo, order)
        return lines

    @api.model
    def _status_expected(self, store: str, status: str) -> tuple | None:
        """Odoo's states that agree with a WooCommerce status; None when it is ignored."""
        statuses = self.env["integration.woo.order.status"]
        action, _warnings = statuses._status_action(status, store)
        return STATES_OF_ACTION.get(action)

    @api.model
    def _stuck_events(self, store: str, woo_ids: list[int]) -> dict:
        """{WooCommerce id: its newest order event in the ledger that did not make the order}."""
        if not woo_ids:
            return {}
        events = (
            self.env["integration.event"]
            .sudo()
            .search(
                [
                    ("store", "=", store),
                    ("resource", "=", "order"),
                    ("woo_resource_id", "in", woo_ids),
                    ("state", "in", ("received", "processing", "failed", "dead")),
                ],
                order="id",
            )
        )
        return {event.woo_resource_id: event for event in events}

    @api.model
    def _order_missing(self, woo: dict, event=None) -> dict:
        states = dict(
            self.env["integration.event"]._fields["state"]._description_selection(self.env)
        )
        in_ledger = (
            _(
                " Its event %(key)s is %(state)s in the ledger.",
                key=event.idempotency_key,
                state=states.get(event.state, event.state),
            )
            if event
            else _(" The ledger has no event of it: its webhook never arrived.")
        )
        return {
            "kind": "order_missing_odoo",
            "woo_id": woo["id"],
            "woo_value": woo.get("status"),
            "message": _(
                "WooCommerce order %(number)s (%(status)s, %(total)s %(currency)s) is not in "
                "Odoo.%(ledger)s",
                number=woo.get("number") or woo["id"],
                status=woo.get("status"),
                total=woo.get("total"),
                currency=woo.get("currency") or "",
                ledger=in_ledger,
            ),
            "fix": "reread_order",
        }

    @api.model
    def _order_differences(self, woo: dict, order) -> list[dict]:
        lines = []
        base = {"woo_id": woo["id"], "sale_order_id": order.id, "fix": "reread_order"}
        expected = self._status_expected(order.woo_store, woo["status"])
        # Applied, and kept on purpose (it shipped): the order says so itself; not drift.
        kept = (
            woo["status"] == order.woo_status
            and expected == ("cancel",)
            and self.env["integration.woo.order.status"]._kept_from_cancel(order, woo["status"])
        )
        waits_for_taxes = bool(order.woo_tax_map_wait_ids)  # a quotation on purpose, and said
        if expected and order.state not in expected and not kept and not waits_for_taxes:
            lines.append(
                base
                | {
                    "kind": "order_status",
                    "woo_value": woo["status"],
                    "odoo_value": order.state,
                    "message": _(
                        "%(order)s is %(state)s in Odoo; WooCommerce says %(status)s.",
                        order=order.name,
                        state=dict(order._fields["state"]._description_selection(self.env)).get(
                            order.state
                        ),
                        status=woo["status"],
                    ),
                }
            )
        currency = order.currency_id
        for kind, woo_key, odoo_amount, label in (
            ("order_total", "total", order.amount_total, _("total")),
            ("order_tax", "total_tax", order.amount_tax, _("tax")),
        ):
            woo_amount = float(woo.get(woo_key) or 0)
            if abs(currency.round(woo_amount - odoo_amount)) >= 0.01:
                lines.append(
                    base
                    | {
                        "kind": kind,
                        "woo_value": f"{woo_amount:.2f}",
                        "odoo_value": f"{odoo_amount:.2f}",
                        "message": _(
                            "The %(what)s of %(order)s is %(odoo)s in Odoo and %(woo)s in "
                            "WooCommerce.",
                            what=label,
                            order=order.name,
                            odoo=f"{odoo_amount:.2f}",
                            woo=f"{woo_amount:.2f}",
                        ),
                    }
                )
        return lines

    @api.model
    def _orders_gone(self, store: str, since, woo_ids: list[int]) -> list[dict]:
        """Odoo's orders of WooCommerce orders modified in the period that the store no longer
        lists (deleted there for good, or trashed)."""
        domain = [("woo_store", "=", store), ("woo_order_id", "!=", 0)]
        if since:
            domain.append(("woo_date_modified", ">=", since))
        orders = self.env["sale.order"].sudo().search(domain)
        seen = set(woo_ids)
        return [
            {
                "kind": "order_missing_woo",
                "woo_id": order.woo_order_id,
                "sale_order_id": order.id,
                "odoo_value": order.state,
                "message": _(
                    "%(order)s is bound to WooCommerce order %(id)s, which the store no longer "
                    "has.",
                    order=order.name,
                    id=order.woo_order_id,
                ),
                "fix": "unbind",
            }
            for order in orders
            if order.woo_order_id not in seen
        ]

    # ------------------------------------------------------------------ products

    @api.model
    def _product_lines(self, store: str, products: list[dict]) -> list[dict]:
        """Products and variations of the store (a variation carries its `parent_id`) without
        an Odoo product, and the stock and price of those bound that disagree with what Odoo
        would push and quotes. A variable product itself has no stock or price of its own."""
        bindings = self.env["integration.binding"].sudo()
        found = bindings.search(
            [
                ("store", "=", store),
                ("model", "in", ("product.product", "product.template")),
                ("external_id", "in", [product["id"] for product in products]),
            ]
        )
        bound = {(binding.model, binding.external_id): binding for binding in found}
        variants = self.env["product.product"].browse(
            found.filtered(lambda b: b.model == "product.product").mapped("res_id")
        )
        variants = variants.with_context(active_test=False).exists()
        settings = self.env["integration.store"]._for_key(store)
        prices = self._quoted_prices(settings.pricelist_id, variants)
        warehouse = settings.warehouse_id
        lines = []
        for woo in products:
            model = "product.template" if woo.get("type") == "variable" else "product.product"
            binding = bound.get((model, woo["id"]))
            record = binding and self.env[model].browse(binding.res_id).exists()
            if not record:
                lines.append(self._product_unbound(woo))
                continue
            if model == "product.product":
                lines += self._stock_line(woo, record, warehouse)
                lines += self._price_line(woo, record, prices.get(record.id))
        return lines

    @api.model
    def _product_unbound(self, woo: dict) -> dict:
        kind = _("Variation") if woo.get("parent_id") else _("Product")
        return {
            "kind": "product_missing_odoo",
            "woo_id": woo["id"],
            "woo_parent_id": woo.get("parent_id") or 0,
            "woo_value": woo.get("sku") or "",
            "message": _(
                "%(kind)s %(name)s (SKU %(sku)s, WooCommerce id %(id)s) is bound to no Odoo "
                "product.",
                kind=kind,
                name=woo.get("name") or "",
                sku=woo.get("sku") or "-",
                id=woo["id"],
            ),
            "fix": "reread_product",
        }

    @api.model
    def _stock_line(self, woo: dict, product, warehouse) -> list[dict]:
        """Stock that differs from what a push would send now (integration.woo.stock), for a
        product whose inventory both sides track."""
        if not (product.is_storable and woo.get("manage_stock") is True):
            return []
        stock = self.env["integration.woo.stock"]
        pushed = int(max(stock._sellable_quantity(product, warehouse), 0.0))
        in_woo = woo.get("stock_quantity")
        if in_woo is not None and int(in_woo) == pushed:
            return []
        return [
            {
                "kind": "stock",
                "woo_id": woo["id"],
                "woo_parent_id": woo.get("parent_id") or 0,
                "product_id": product.id,
                "woo_value": str(in_woo),
                "odoo_value": str(pushed),
                "message": _(
                    "%(product)s: WooCommerce has %(woo)s in stock; Odoo would push %(odoo)s.",
                    product=product.display_name,
                    woo=in_woo,
                    odoo=pushed,
                ),
                "fix": "push_stock",
            }
        ]

    @api.model
    def _quoted_prices(self, pricelist, products) -> dict:
        """{product id: what Odoo quotes it at now}: in the store's pricelist (its settings'
        pricelist, where the WooCommerce sale prices and the variant prices the extras cannot
        express are rules), else its sales price."""
        if not products:
            return {}
        if not pricelist:
            return {product.id: product.lst_price for product in products}
        return pricelist._get_products_price(products, 1.0)

    @api.model
    def _price_line(self, woo: dict, product, quoted: float | None) -> list[dict]:
        """WooCommerce's current price (its sale price while a sale runs) against Odoo's."""
        woo_price = woo.get("price") or woo.get("regular_price")
        if quoted is None or woo_price in (None, ""):
            return []
        difference = float(woo_price) - quoted
        if abs(product.currency_id.round(difference)) < 0.01:
            return []
        return [
            {
                "kind": "price",
                "woo_id": woo["id"],
                "woo_parent_id": woo.get("parent_id") or 0,
                "product_id": product.id,
                "woo_value": f"{float(woo_price):.2f}",
                "odoo_value": f"{quoted:.2f}",
                "message": _(
                    "%(product)s costs %(woo)s in WooCommerce; Odoo quotes %(odoo)s.",
                    product=product.display_name,
                    woo=f"{float(woo_price):.2f}",
                    odoo=f"{quoted:.2f}",
                ),
                "fix": "push_price",
            }
        ]

    @api.model
    def _products_gone(self, store: str, woo_ids: list[int]) -> list[dict]:
        """Odoo products bound to WooCommerce products or variations the store no longer has."""
        seen = set(woo_ids)
        bindings = (
            self.env["integration.binding"]
            .sudo()
            .search(
                [("store", "=", store), ("model", "in", ("product.product", "product.template"))]
            )
        )
        lines = []
        for binding in bindings.filtered(lambda b: b.external_id not in seen):
            record = binding._record()
            variant = record if record and record._name == "product.product" else None
            lines.append(
                {
                    "kind": "product_missing_woo",
                    "woo_id": binding.external_id,
                    "woo_parent_id": binding.woo_parent_id,
                    "product_id": variant.id if variant else False,
                    "odoo_value": record.display_name if record else str(binding.res_id),
                    "message": _(
                        "%(record)s is bound to WooCommerce id %(id)s, which the store no longer "
                        "has.",
                        record=record.display_name if record else binding.display_name,
                        id=binding.external_id,
                    ),
                    "fix": "unbind",
                }
            )
        return lines

    @staticmethod
    def _since(value):
        return parse_utc(value) if isinstance(value, str) else value
