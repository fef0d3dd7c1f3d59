from odoo import Command, _, api, fields, models

from ..envelope import EventRejected, Outcome
from ..tools import (
    deleted_before,
    parse_utc,
    same_second_tie,
    stale_delete,
    staleness,
    state_digest,
    text,
    write_changes,
)

# Written on every applied state; a change of these alone is not worth an "Updated" line.
STATE_FIELDS = {"woo_date_modified", "woo_status", "woo_state_digest", "woo_state_received_at"}


class IntegrationWooOrder(models.AbstractModel):
    """WooCommerce order events: the sale order, its customer, pricelist and salesperson. Its
    lines and taxes are integration.woo.order.line's, its status integration.woo.order.status's."""

    _name = "integration.woo.order"
    _description = "WooCommerce orders into Odoo sale orders"

    # ------------------------------------------------------------------ events

    @api.model
    def _upsert(self, event, data: dict) -> Outcome:
        """woo.order.created / updated / restored: whichever arrives first creates the order."""
        store, woo_id = event.store, data["id"]
        self._lock(store, woo_id)
        order = self.env["integration.binding"]._find(store, "sale.order", woo_id)
        order_lines = self.env["integration.woo.order.line"]
        statuses = self.env["integration.woo.order.status"]
        status = data["status"]
        action, warnings = statuses._status_action(status, store)
        modified = parse_utc(data.get("date_modified_gmt"))
        digest = state_digest(data)

        verdict = staleness(order, modified, digest, event.received_at)
        tie = same_second_tie(order, modified, digest)
        if verdict == "stale":
            return Outcome(
                "ignored",
                _(
                    "Stale update ignored: this state (%(this)s UTC) is older than the one applied "
                    "(%(applied)s UTC).",
                    this=modified,
                    applied=order.woo_date_modified,
                )
                if modified < order.woo_date_modified
                else _(
                    "Stale update ignored: a state of the same second (%(this)s UTC) that was "
                    "delivered after this one is already applied; the workers read the order "
                    "again from WooCommerce to settle which is current.",
                    this=modified,
                ),
                record=order,
                sale_order=order,
                reread=tie,
                repeat=True,
            )
        if verdict == "same":
            return Outcome(
                message=_("No change: this state was already applied."),
                record=order,
                sale_order=order,
                repeat=True,
            )
        if not order and action == "ignore":
            return Outcome(
                "ignored",
                _(
                    "WooCommerce order %(id)s has status %(status)s, which is ignored.",
                    id=woo_id,
                    status=status,
                ),
            )

        partner, invoice_partner, delivery_partner = self.env[
            "integration.woo.customer"
        ]._order_partners(store, data, import_id=event._import_id(), warnings=warnings)
        pricelist, pricelist_warnings = self._pricelist(store, data["currency"])
        lines, line_warnings = order_lines._order_lines(store, data, event.received_at)
        waits = self.env["integration.tax.map.wait"]
        # Confirmed, it would be booked without its tax: a quotation until the rate is mapped.
        missing = order_lines._missing_tax_rates(data, store) if action == "confirm" else []
        if missing:
            action = "quotation"
        self.env["integration.woo.payment"]._check_payment_journal(store, data, action)
        warnings += pricelist_warnings + line_warnings
        values = self._order_values(
            event, data, partner, invoice_partner, delivery_partner, pricelist
        )
        if missing:  # not applied yet: its replay must not find this state "already applied"
            for name in ("woo_date_modified", "woo_state_digest", "woo_state_received_at"):
                values.pop(name)
        changes = []
        found = "" if order else "created"
        if not order:
            # The workers' user neither sells nor follows the shop's orders.
            order = (
                self.env["sale.order"]
                .with_context(mail_create_nosubscribe=True)
                .create(
                    values
                    | {
                        "user_id": self._salesperson(store, partner).id,
                        "order_line": [Command.create(line) for line in lines],
                    }
                )
                .with_env(self.env)
            )
            self.env["integration.binding"]._bind(store, order, woo_id)
            changes.append(
                _("Created %(order)s with %(count)s lines.", order=order.name, count=len(lines))
            )
        else:
            values.pop("date_order")  # set once the status is applied (_woo_order_date)
            changed = write_changes(order, values)
            if set(changed) - STATE_FIELDS:
                changes.append(_("Updated: %s", ", ".join(changed)))
            changes += order_lines._sync_lines(order, lines, warnings)
        changes += order_lines._round_to_woo_total(order, data)
        changes += statuses._apply_status(order, action, status)
        woo_date = self._woo_order_date(order, data)
        if order.date_order != woo_date:
            order.date_order = woo_date
        held = waits._wait(order, missing, data)
        if held:
            return Outcome(record=order, sale_order=order, changes=changes, held=held)
        warnings += order_lines._total_warnings(order, data)
        payments = self.env["integration.woo.payment"]
        for booked, booking_warnings in (
            payments._sync(order, data),
            payments._book_refunds(store, order, data, (event.payload or {}).get("fetched")),
            self.env["integration.woo.return"]._return_restocked(store, order, data),
        ):
            changes += booked
            warnings += booking_warnings
        message = _(
            "WooCommerce order %(number)s (%(status)s) is %(order)s, %(state)s.",
            number=data.get("number") or woo_id,
            status=status,
            order=order.name,
            state=dict(order._fields["state"].selection)[order.state],
        )
        if tie:
            changes.append(
                _(
                    "Another state of the same second (%(moment)s UTC) was applied before this "
                    "one; the workers read the order again from WooCommerce to settle which is "
                    "current.",
                    moment=modified,
                )
            )
        return Outcome(
            message=message,
            record=order,
            sale_order=order,
            changes=changes,
            warnings=warnings,
            reread=tie,
            found=found,
        )

    @api.model
    def _woo_order_date(self, order, data: dict):
        """When WooCommerce took the order, not when Odoo processed it (Odoo's confirmation sets
        now): a quotation's creation, else its payment (its creation when not paid)."""
        created = parse_utc(data.get("date_created_gmt")) or order.date_order
        if order.state in ("draft", "sent"):
            return created
        return parse_utc(data.get("date_paid_gmt")) or created

    @api.model
    def _salesperson(self, store: str, partner):
        """The customer's own salesperson, else the store's, else none."""
        return (
            partner.user_id
            or partner.commercial_partner_id.user_id
            or self.env["integration.store"]._for_key(store).salesperson_id
        )

    @api.model
    def _trash(self, event, data: dict) -> Outcome:
        """woo.order.deleted: the order was moved to the trash; cancel it when Odoo can."""
        self._lock(event.store, data["id"])
        order = self.env["integration.binding"]._find(event.store, "sale.order", data["id"])
        if not order:
            return Outcome("ignored", _("WooCommerce order %s is not in Odoo.", data["id"]))
        if deleted_before(order, event):
            outcome = stale_delete(order, event, order.woo_date_modified)
            outcome.sale_order = order
            return outcome
        order.woo_status = "trash"
        self.env["integration.tax.map.wait"]._wait(order, [], {})  # nothing to wait for
        if order.state == "cancel":
            return Outcome(
                message=_("Trashed in WooCommerce; %s was already cancelled.", order.name),
                record=order,
                sale_order=order,
            )
        statuses = self.env["integration.woo.order.status"]
        return Outcome(
            message=_("Trashed in WooCommerce: %s.", order.name),
            record=order,
            sale_order=order,
            changes=statuses._apply_status(order, "cancel", "trash"),
        )

    # ------------------------------------------------------------------ pieces

    @api.model
    def _lock(self, store: str, woo_id: int) -> None:
        """Events of one order are applied one at a time, whichever worker holds them."""
        self.env["integration.resource.lock"]._acquire(f"order:{store}:{woo_id}")

    @api.model
    def _pricelist(self, store: str, currency_code: str):
        """The pricelist of an order of `store` in the currency: its value map's, else the
        store's pricelist in that currency, else any, else a new one."""
        value_map = self.env["integration.value.map"]._lookup("currency", currency_code, store)
        if value_map:
            return value_map.pricelist_id, []
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", currency_code.upper())], limit=1)
        )
        if not currency:
            raise EventRejected(
                _(
                    "Unknown currency %s: activate it in Odoo or map it to a pricelist "
                    "(Integration › Configuration › Value maps › Currencies), then replay.",
                    currency_code,
                ),
                value_map=("currency", currency_code),
            )
        chosen = self.env["integration.store"]._for_key(store)._pricelist_in(currency)
        if chosen:
            return chosen, []
        pricelist = self.env["product.pricelist"].search(
            [("currency_id", "=", currency.id), ("company_id", "in", (False, self.env.company.id))],
            limit=1,
        )
        if pricelist:
            return pricelist, []
        if not currency.active:
            currency.sudo().active = True  # activating a currency takes an administrator
        pricelist = self.env["product.pricelist"].create(
            {"name": _("WooCommerce %s", currency.name), "currency_id": currency.id}
        )
        return pricelist, [
            _(
                "Created pricelist %(pricelist)s for %(currency)s orders (map another under "
                "Integration › Configuration › Value maps › Currencies).",
                pricelist=pricelist.name,
                currency=currency.name,
            )
        ]

    @api.model
    def _order_values(
        self, event, data, partner, invoice_partner, delivery_partner, pricelist
    ) -> dict:
        settings = self.env["integration.store"]._for_key(event.store)
        payment = self.env["integration.value.map"]._lookup(
            "payment_method", data.get("payment_method"), event.store
        )
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": invoice_partner.id,
            "partner_shipping_id": delivery_partner.id,
            "pricelist_id": pricelist.id,
            "client_order_ref": data.get("number") or str(data["id"]),
            "woo_order_id": data["id"],
            "woo_store": event.store,
            "woo_order_number": data.get("number") or str(data["id"]),
            "woo_status": data["status"],
            "woo_date_modified": parse_utc(data.get("date_modified_gmt")),
            "woo_state_digest": state_digest(data),
            "woo_state_received_at": event.received_at,
            "woo_payment_method": data.get("payment_method") or False,
            "woo_payment_method_title": text(data.get("payment_method_title")) or False,
            "woo_transaction_id": data.get("transaction_id") or False,
            "woo_customer_note": text(data.get("customer_note")) or False,
        }
        values["date_order"] = parse_utc(data.get("date_created_gmt")) or fields.Datetime.now()
        if payment.journal_id:
            values["journal_id"] = payment.journal_id.id
        if payment.payment_term_id:
            values["payment_term_id"] = payment.payment_term_id.id
        if settings.warehouse_id:
            values["warehouse_id"] = settings.warehouse_id.id
        if settings.team_id:
            values["team_id"] = settings.team_id.id
        return values
