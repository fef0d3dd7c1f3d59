from odoo import api, fields, models

READER = "elitaco_integration.group_integration_reader"


class IntegrationTimelineMixin(models.AbstractModel):
    """A record with a WooCommerce timeline of its own (a product, a contact, a category): its
    smart button's count, the banner of the problem its rows leave, the rows and the replay.
    Each model declares its `woo_timeline_ids` (the rows' link to it) and names that link in
    `_woo_timeline_link`."""

    _name = "integration.timeline.mixin"
    _description = "Record with a WooCommerce timeline"
    _woo_timeline_link = ""  # the field of integration.timeline that points at the record

    woo_timeline_count = fields.Integer(compute="_compute_woo_timeline", groups=READER)
    woo_timeline_problem = fields.Text(compute="_compute_woo_timeline", groups=READER)
    woo_timeline_level = fields.Char(compute="_compute_woo_timeline", groups=READER)

    @api.depends_context("uid")
    def _compute_woo_timeline(self):
        self.env["integration.timeline"]._summarize(self, self._woo_timeline_link)

    def action_open_woo_timeline(self):
        return self.env["integration.timeline"]._action_of(self, self._woo_timeline_link)

    def action_replay_woo_timeline(self):
        return self.env["integration.timeline"]._replay_problems(self, self._woo_timeline_link)
