from odoo import _, api, models
from odoo.exceptions import AccessError, UserError

MANAGER = "elitaco_integration.group_integration_manager"
READER = "elitaco_integration.group_integration_reader"
# The records with a timeline of their own besides orders, by the timeline's link to them.
LINKS = ("product_tmpl_id", "partner_id", "category_id")


class IntegrationTimelineOwner(models.Model):
    """What a product, a contact and a category show of their timeline: how many rows, the
    problem their last event or push left (in words, the banner on their form), the rows
    themselves and the replay that fixes a dead event."""

    _inherit = "integration.timeline"

    @api.model
    def _summarize(self, records, link: str) -> None:
        """Set woo_timeline_count, woo_timeline_problem and woo_timeline_level of `records`
        (the rows are read as superuser: the form's reader sees the words, not the events)."""
        assert link in LINKS
        timeline = self.sudo()
        counts = dict(timeline._read_group([(link, "in", records.ids)], [link], ["__count"]))
        for record in records:
            record.woo_timeline_count = counts.get(record, 0)
            problems, level = timeline._problems(link, record)
            record.woo_timeline_problem = "\n".join(problems) or False
            record.woo_timeline_level = level

    @api.model
    def _problems(self, link: str, record) -> tuple[list[str], str | bool]:
        """(what the record's last event and its last push left to a person, "danger" when one
        is dead and "warning" when the last event only warns, else False)."""
        if not record.id:
            return [], False
        last_event = self.search([(link, "=", record.id), ("event_id", "!=", False)], limit=1)
        last_push = self.search([(link, "=", record.id), ("outbox_id", "!=", False)], limit=1)
        manager = self.env.user.has_group(MANAGER)
        problems, level = [], False
        if last_event.kind == "dead":
            problems.append(last_event.event_id._problem_message())
            problems.append(last_event.event_id._problem_action(manager))
            level = "danger"
        elif last_event.warnings:
            problems.append(_("WooCommerce's last event of it was applied with warnings:"))
            problems += [f"⚠ {warning}" for warning in last_event.warnings.splitlines()]
            level = "warning"
        if last_push.kind == "dead":
            problems.append(last_push.message)
            level = "danger"
        return problems, level

    @api.model
    def _action_of(self, records, link: str) -> dict:
        """The rows of `records`, newest first, as the order's tab lists them."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "elitaco_integration.integration_timeline_action"
        )
        action["domain"] = [(link, "in", records.ids)]
        action["context"] = {
            "elitaco_timeline_variant": link == "product_tmpl_id",
            "elitaco_timeline_catalog": True,
        }
        action["display_name"] = _(
            "WooCommerce timeline of %s", ", ".join(records.mapped("display_name"))
        )
        return action

    @api.model
    def _replay_problems(self, records, link: str):
        """Replay the dead events of `records` and send their dead pushes again."""
        if not self.env.user.has_group(MANAGER):
            raise AccessError(_("Only Integration Managers can replay events."))
        rows = self.sudo().search([(link, "in", records.ids), ("kind", "=", "dead")])
        events = rows.event_id.filtered(lambda event: event.state == "dead")
        pushes = rows.outbox_id.filtered(lambda push: push.state == "dead")
        if not events and not pushes:
            raise UserError(_("Nothing of it waits for a replay."))
        pushes.action_retry()
        if events:
            return events.action_replay()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("Replay"),
                "message": _("%s pushes to WooCommerce are sent again.", len(pushes)),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
