from contextlib import closing

from odoo import _, api, models

from ..envelope import Ambiguous, EventRejected
from ..tools import text

# Codes of an order with an Odoo value map, read as the import reads them.
MAPPED_KINDS = ("order_status", "payment_method", "shipping_method", "tax_rate", "currency")


class IntegrationImportPreviewMatch(models.AbstractModel):
    """What an import would do with a page of WooCommerce records, found by the import's own
    lookups (bindings, SKU, barcode, e-mail, value maps) and nothing written: the page is
    looked at inside a savepoint that is rolled back (customer matching by e-mail marks the
    contact it takes; within the page, the next record sees that as the import would)."""

    _name = "integration.import.preview.match"
    _description = "Preview of an import: what each WooCommerce record would become"

    @api.model
    def _page(self, store: str, resource: str, records: list[dict]) -> tuple[list, dict]:
        """(one result per record, {(kind, code): the unmapped code's title, orders, note})."""
        look = {
            "product": self._what_product,
            "customer": self._what_customer,
            "order": self._what_order,
        }[resource]
        results, codes = [], {}
        with closing(self.env.cr.savepoint()):
            for data in records:
                if isinstance(data, dict) and data.get("id"):
                    results.append(look(store, data, codes))
                    self.env.flush_all()
        self.env.invalidate_all()
        return results, codes

    # ------------------------------------------------------------------ products

    @api.model
    def _what_product(self, store: str, data: dict, codes: dict) -> dict:
        products = self.env["integration.woo.product"]
        bindings = self.env["integration.binding"]
        woo_master = products._woo_is_master(store)
        result = {
            "resource": "product",
            "woo_id": data["id"],
            "woo_name": self._product_name(data),
        }
        model = "product.product"
        if data.get("type") == "variable":
            model = "product.template"
        record = bindings._find(store, model, data["id"])
        if not record and model == "product.template":
            record = bindings._find(store, "product.product", data["id"])
        if record:
            return result | self._found(record, "updated", "binding")
        if data.get("type") == "variable":
            if woo_master:
                return result | {
                    "outcome": "created",
                    "message": _("A product with variants would be made of it."),
                }
            return result | {
                "outcome": "ignored",
                "message": _("Odoo is master of product data: its variations are matched."),
            }
        try:
            product, how = products._unbound_match(data)
        except Ambiguous as exc:
            return result | {"outcome": "unmatched", "message": str(exc)}
        if product:
            sku = (data.get("sku") or "").strip()
            by = "sku" if sku and product.default_code == sku else "barcode"
            return result | self._found(product, "matched", by, how)
        if not woo_master:
            return result | {
                "outcome": "unmatched",
                "message": _(
                    "No Odoo product with SKU %s; Odoo is master of product data, so nothing "
                    "is created.",
                    (data.get("sku") or "").strip() or "''",
                ),
            }
        return result | {"outcome": "created", "message": _("Odoo has no such product.")}

    @staticmethod
    def _product_name(data: dict) -> str:
        name = text(data.get("name")) or ""
        sku = (data.get("sku") or "").strip()
        return f"[{sku}] {name}" if sku else name

    # ------------------------------------------------------------------ customers

    @api.model
    def _what_customer(self, store: str, data: dict, codes: dict) -> dict:
        billing = data.get("billing") or {}
        email = (data.get("email") or billing.get("email") or "").strip()
        result = {"resource": "customer", "woo_id": data["id"], "woo_name": email}
        partner, by, candidates = self.env["integration.woo.customer"]._find(
            store, data["id"], email
        )
        self._note_country(codes, data["id"], billing, data.get("shipping"), count=False)
        return result | self._partner_result(partner, by, candidates, email)

    @api.model
    def _partner_result(self, partner, by: str, candidates, email: str) -> dict:
        if candidates:
            return {
                "outcome": "unmatched",
                "message": _(
                    "Several contacts have the e-mail %(email)s (%(contacts)s): none would be "
                    "taken, a new contact would be made.",
                    email=email,
                    contacts=", ".join(candidates.mapped("display_name")),
                ),
            }
        if partner and by == _("binding"):
            return self._found(partner, "updated", "binding")
        if partner:
            return self._found(partner, "matched", "email", _("e-mail %s", email))
        return {"outcome": "created", "message": _("Odoo has no contact to take for it.")}

    # ------------------------------------------------------------------ orders

    @api.model
    def _what_order(self, store: str, data: dict, codes: dict) -> dict:
        billing = data.get("billing") or {}
        result = {
            "resource": "order",
            "woo_id": data["id"],
            "woo_name": _("Order %s", data.get("number") or data["id"]),
        }
        self._note_codes(store, codes, data)
        order = self.env["integration.binding"]._find(store, "sale.order", data["id"])
        if order:
            return result | self._found(order, "updated", "binding")
        action, _warnings = self.env["integration.woo.order.status"]._status_action(
            data.get("status"), store
        )
        if action == "ignore":
            return result | {
                "outcome": "ignored",
                "message": _("Status %s is ignored (value maps).", data.get("status")),
            }
        email = (billing.get("email") or "").strip()
        partner, _how, candidates = self.env["integration.woo.customer"]._find(
            store, data.get("customer_id") or 0, email
        )
        customer = partner.display_name if partner else _("a new contact")
        if candidates:
            customer = _("a new contact (e-mail %s is ambiguous)", email)
        missing = self.env["integration.woo.order.line"]._missing_tax_rates(data, store)
        if missing and action == "confirm":
            message = _(
                "A quotation for %(customer)s, held until tax rate %(rates)s is mapped.",
                customer=customer,
                rates=", ".join(str(line.get("rate_id")) for line in missing),
            )
        else:
            message = _("A sale order for %s.", customer)
        return result | {"outcome": "created", "message": message}

    @api.model
    def _note_codes(self, store: str, codes: dict, data: dict) -> None:
        """The order's value map codes that have no map yet, and its countries Odoo lacks."""
        order_id = data["id"]
        maps = self.env["integration.value.map"]
        found = [
            ("order_status", data.get("status"), None, None),
            ("payment_method", data.get("payment_method"), data.get("payment_method_title"), None),
            ("currency", data.get("currency"), None, None),
        ]
        found += [
            ("shipping_method", line.get("method_id"), line.get("method_title"), None)
            for line in data.get("shipping_lines") or []
        ]
        found += [
            ("tax_rate", line.get("rate_id"), line.get("label"), line)
            for line in data.get("tax_lines") or []
        ]
        for kind, code, title, tax_line in found:
            if code in (None, "") or maps._lookup(kind, code, store):
                continue
            code = str(code)
            entry = self._entry(store, codes, kind, code, title, tax_line)
            entry["orders"].add(order_id)
        self._note_country(codes, order_id, data.get("billing"), data.get("shipping"))

    @api.model
    def _entry(self, store: str, codes: dict, kind: str, code: str, title, tax_line) -> dict:
        title = text(title) or maps_title(self.env, kind, code)
        if tax_line and title and tax_line.get("rate_percent") not in (None, ""):
            title = f"{title} ({float(tax_line['rate_percent']):g} %)"
        if (kind, code) not in codes:
            note = self._note(store, kind, code, tax_line)
            codes[kind, code] = {"title": title, "orders": set(), "note": note}
        return codes[kind, code]

    @api.model
    def _note(self, store: str, kind: str, code: str, tax_line: dict | None) -> str:
        """What the import does with the orders of a code that has no map."""
        if kind == "tax_rate":
            tax, _mapped = self.env["integration.woo.order.line"]._rate_tax(
                tax_line.get("rate_id"), tax_line, False, store
            )
            if tax:
                return _("No value map: Odoo would take its sale tax %s (same rate).", tax.name)
            return _(
                "No Odoo tax: its orders would be kept as quotations until the rate is mapped."
            )
        if kind == "currency":
            try:
                pricelist, _warnings = self.env["integration.woo.order"]._pricelist(store, code)
            except EventRejected as exc:
                return str(exc)
            return _("No value map: its orders would take pricelist %s.", pricelist.display_name)
        if kind == "order_status":
            return _("No value map: its orders would be kept as quotations.")
        if kind == "payment_method":
            return _(
                "No value map: its orders would be invoiced and paid as Settings › Integration "
                "says by default."
            )
        return _("No value map: its orders would take the generic shipping product.")

    @api.model
    def _note_country(self, codes: dict, woo_id, *addresses, count: bool = True) -> None:
        customers = self.env["integration.woo.customer"]
        for address in addresses:
            code = ((address or {}).get("country") or "").upper()
            if not code or customers._country_and_state(code, "")[0]:
                continue
            if ("country", code) not in codes:
                codes["country", code] = {
                    "title": code,
                    "orders": set(),
                    "note": _("No Odoo country with code %s: addresses would have none.", code),
                }
            if count:
                codes["country", code]["orders"].add(woo_id)

    @api.model
    def _found(self, record, outcome: str, by: str, how: str = "") -> dict:
        return {
            "outcome": outcome,
            "matched_by": by,
            "message": _("Found by %s.", how) if how else _("Bound already."),
            "result_model": record._name,
            "result_id": record.id,
            "result_name": record.display_name,
        }


def maps_title(env, kind: str, code: str) -> str:
    return env["integration.value.map"]._default_title(kind, code) or ""
