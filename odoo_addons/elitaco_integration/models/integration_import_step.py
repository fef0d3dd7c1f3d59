from odoo import fields, models


class IntegrationImportStep(models.Model):
    """How far an import has read one kind of resource: where a job that crashed resumes."""

    _name = "integration.import.step"
    _description = "Import from WooCommerce: one kind of resource"
    _order = "import_id, sequence"

    import_id = fields.Many2one(
        "integration.import", required=True, ondelete="cascade", index=True, readonly=True
    )
    sequence = fields.Integer(readonly=True)
    resource = fields.Selection(
        [("product", "Products"), ("customer", "Customers"), ("order", "Orders")],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [("pending", "Pending"), ("reading", "Reading"), ("done", "Read")],
        default="pending",
        required=True,
        readonly=True,
    )
    since = fields.Datetime(string="Modified after", readonly=True)
    read_up_to = fields.Datetime(
        string="Read up to",
        readonly=True,
        help="The newest modification read so far (UTC): a resumed job goes on from it.",
    )
    read_count = fields.Integer(string="Read", readonly=True)
    started_at = fields.Datetime(string="Started at", readonly=True)
    finished_at = fields.Datetime(string="Read at", readonly=True)
