from odoo import SUPERUSER_ID, Command, _, api, models

from ..envelope import EventRejected
from ..tools import text
from .integration_event import ORDER_EVENTS

# Orders named in the activity of a rate; the count says how many there are in all.
NAMED_ORDERS = 10


class IntegrationTaxMapWait(models.AbstractModel):
    """Orders charged a WooCommerce tax rate that Odoo has no tax for: kept as quotations
    (confirmed, they would lack their tax), their event failed with the rate to map, one
    To-Do per rate for the Integration Managers; mapping the rate applies them again."""

    _name = "integration.tax.map.wait"
    _description = "WooCommerce orders waiting for a tax map"

    @api.model
    def _wait(self, order, missing: list[dict], data: dict) -> EventRejected | None:
        """Note that `order` waits for the rates of `missing` (none: it waits no more) and
        return the refusal its event fails with, if it waits."""
        rows = self.env["integration.value.map"]
        for tax_line in missing:
            rows |= self._rate_row(tax_line)
        before = order.woo_tax_map_wait_ids
        if before != rows:
            order.woo_tax_map_wait_ids = [Command.set(rows.ids)]
        self._sync_activities(before | rows)
        if not missing:
            return None
        rates = ", ".join(
            f"{line.get('rate_id')} ({text(line.get('label')) or '?'} {line.get('rate_percent')}%)"
            for line in missing
        )
        return EventRejected(
            _(
                "No Odoo tax for WooCommerce tax rate %(rates)s: the order is kept as a "
                "quotation until the rate is mapped (Integration › Configuration › Value maps "
                "› Tax rates); confirmed without it, its total would be %(odoo)s instead of "
                "%(woo)s %(currency)s.",
                rates=rates,
                odoo=f"{order.amount_total:.{order.currency_id.decimal_places}f}",
                woo=data.get("total"),
                currency=data.get("currency"),
            ),
            value_map=("tax_rate", str(missing[0].get("rate_id"))),
        )

    @api.model
    def _rate_row(self, tax_line: dict):
        """The value map row of a tax line's rate, listed as not mapped when it is not there."""
        maps = (
            self.env["integration.value.map"]
            .sudo()
            .with_context(active_test=False, mail_create_nosubscribe=True)
        )
        code = str(tax_line.get("rate_id"))
        title = text(tax_line.get("label")) or ""
        if title and tax_line.get("rate_percent") not in (None, ""):
            title = f"{title} ({float(tax_line['rate_percent']):g} %)"
        maps._note_code("tax_rate", code, title)
        row = maps.search(
            [
                ("kind", "=", "tax_rate"),
                ("woo_value", "=", code),
                ("company_id", "=", self.env.company.id),
            ],
            limit=1,
        )
        return row.with_env(self.env)

    @api.model
    def _sync_activities(self, rows) -> None:
        """One To-Do per rate that orders wait for, saying how many; done when none waits. As
        OdooBot: the workers' user may have no e-mail to send the assignment from."""
        env = self.env(user=SUPERUSER_ID)
        todo = env.ref("mail.mail_activity_data_todo")
        for row in rows.with_env(env):
            orders = env["sale.order"].search([("woo_tax_map_wait_ids", "in", row.id)])
            activity = row.activity_ids.filtered(lambda act: act.activity_type_id == todo)
            if not orders:
                activity.action_feedback(feedback=_("The orders that waited for it are applied."))
                continue
            summary = _(
                "Map WooCommerce tax rate %(code)s: %(name)s",
                code=row.woo_value,
                name=row.woo_title or "?",
            )
            names = ", ".join(orders[:NAMED_ORDERS].mapped("name"))
            if len(orders) > NAMED_ORDERS:
                names += ", …"
            note = (
                _("%s WooCommerce order waits for it", len(orders))
                if len(orders) == 1
                else _("%s WooCommerce orders wait for it", len(orders))
            ) + _(
                ", kept as quotations (%(orders)s). Give the rate its Odoo tax: they are then "
                "applied by themselves.",
                orders=names,
            )
            if activity:
                activity[:1].write({"summary": summary, "note": note})
                continue
            manager = self._manager(row.company_id)
            if manager:
                row.activity_schedule(
                    "mail.mail_activity_data_todo", summary=summary, note=note, user_id=manager.id
                )

    @api.model
    def _manager(self, company=None):
        """Who gets the To-Do: the first Integration Manager who is a person, among those
        allowed in `company` (the record's) when there is one."""
        group = self.env.ref("elitaco_integration.group_integration_manager").sudo()
        managers = group.users.filtered(
            lambda user: user.active and not user.share and user.id != SUPERUSER_ID
        ).sorted("id")
        if company:
            return managers.filtered(lambda user: company in user.company_ids)[:1] or managers[:1]
        return managers[:1]

    @api.model
    def _mapped(self, rows) -> None:
        """Rates just given an Odoo tax: the orders waiting for them are applied again (their
        failed and dead events, oldest first), as a manager's replay would."""
        rows = rows.filtered(lambda row: row.kind == "tax_rate" and row.state == "mapped")
        if not rows:
            return
        orders = self.env["sale.order"].sudo().search([("woo_tax_map_wait_ids", "in", rows.ids)])
        events = (
            self.env["integration.event"]
            .sudo()
            .search(
                [
                    ("state", "in", ("failed", "dead")),
                    ("event_type", "in", ORDER_EVENTS),
                    "|",
                    ("sale_order_id", "in", orders.ids),
                    "&",
                    ("fix_map_kind", "=", "tax_rate"),
                    ("fix_map_value", "in", rows.mapped("woo_value")),
                ]
            )
        )
        if events:
            events.with_env(self.env)._replay()
        # An order another problem still stops waits no more for these rates: its banner says so.
        for order in orders.filtered(lambda order: order.woo_tax_map_wait_ids & rows):
            order.woo_tax_map_wait_ids = [Command.unlink(row.id) for row in rows]
        self._sync_activities(rows)
