from odoo import _, api, fields, models

OUTCOMES = [
    ("waiting", "Waiting"),
    ("created", "Created"),
    ("matched", "Matched"),
    ("updated", "Updated"),
    ("unchanged", "Unchanged"),
    ("unmatched", "Unmatched"),
    ("ignored", "Ignored"),
    ("failed", "Failed"),
]
OUTCOME_HELP = """Waiting: read from WooCommerce, not applied yet (or waiting for another record).
Created: Odoo had no such record; it was made.
Matched: an Odoo record not bound yet was found (SKU, barcode, e-mail) and bound.
Updated: already bound; brought up to date.
Unchanged: Odoo had this state already (a webhook brought it).
Unmatched: several Odoo records would match (or none, where Odoo is master): see the message.
Ignored: nothing to do (a status ignored by Settings, a stale state).
Failed: see the event; replay it once the cause is fixed."""


class IntegrationImportLine(models.Model):
    """One event of an import and what it did: the import's report."""

    _name = "integration.import.line"
    _description = "Import from WooCommerce: one record"
    _order = "import_id, id"
    _rec_name = "idempotency_key"

    import_id = fields.Many2one(
        "integration.import", required=True, ondelete="cascade", index=True, readonly=True
    )
    idempotency_key = fields.Char(required=True, readonly=True)
    resource = fields.Selection(
        [("product", "Product"), ("customer", "Customer"), ("order", "Order")], readonly=True
    )
    woo_id = fields.Integer(string="WooCommerce ID", readonly=True)
    outcome = fields.Selection(
        OUTCOMES, required=True, index=True, readonly=True, help=OUTCOME_HELP
    )
    message = fields.Char(readonly=True)
    event_id = fields.Many2one("integration.event", ondelete="set null", readonly=True)
    event_state = fields.Selection(related="event_id.state", string="Event state")
    result_model = fields.Char(readonly=True)
    result_id = fields.Integer(readonly=True)
    result_name = fields.Char(string="Odoo record", readonly=True)

    _sql_constraints = [
        (
            "import_key_uniq",
            "unique(import_id, idempotency_key)",
            "An event is reported once per import.",
        )
    ]

    @api.model
    def _waiting(self, run, events: list[dict]) -> None:
        """Events the workers enqueued for `run`; one already applied keeps its outcome."""
        for event in events:
            self._upsert(
                run.id,
                event["idempotency_key"],
                {
                    "resource": _resource(event.get("event_type", "")),
                    "woo_id": event.get("woo_id") or None,
                    "outcome": "waiting",
                    "message": _("Read from WooCommerce, not applied yet."),
                },
                overwrite=False,
            )

    @api.model
    def _applied(self, import_id: int, event, answer: dict) -> None:
        """What an event of an import did (its answer to the workers).

        The same event may come again (a worker's call that timed out after Odoo committed, a
        failed import started again): a duplicate of what this import applied leaves its line
        as it is; one applied before the import read it is unchanged, and says so rather than
        repeating what its first application did."""
        duplicate = answer.get("status") == "duplicate"
        if duplicate and self._reported(import_id, event.idempotency_key):
            return
        record = answer.get("record") or {}
        error = answer.get("error") or {}
        outcome = _outcome(answer)
        warnings = answer.get("warnings") or []
        if duplicate and event.state == "ignored":
            outcome, message = "ignored", event.message
        elif duplicate:
            message = _("Already applied before this import read it: nothing changed.")
        elif outcome == "unmatched" and warnings:
            message = warnings[0]  # why none was taken, not what was made meanwhile
        else:
            message = error.get("message") or event.message
        self._upsert(
            import_id,
            event.idempotency_key,
            {
                "resource": _resource(event.event_type),
                "woo_id": event.woo_resource_id or None,
                "outcome": outcome,
                "message": (message or "")[:250] or None,
                "event_id": event.id,
                "result_model": record.get("model"),
                "result_id": record.get("id"),
                "result_name": record.get("name"),
            },
            overwrite=True,
        )

    @api.model
    def _reported(self, import_id: int, key: str) -> bool:
        """Whether the import's line of this event already says what it did."""
        return bool(
            self.search_count(
                [
                    ("import_id", "=", import_id),
                    ("idempotency_key", "=", key),
                    ("outcome", "!=", "waiting"),
                ],
                limit=1,
            )
        )

    @api.model
    def _invalid(self, envelope, answer: dict) -> None:
        """An envelope of an import that fails the contract: its line says so (it would wait
        for ever otherwise)."""
        meta = envelope.get("meta") if isinstance(envelope, dict) else None
        import_id = meta.get("import_id") if isinstance(meta, dict) else None
        key = envelope.get("idempotency_key") if isinstance(envelope, dict) else None
        if not isinstance(import_id, int) or not isinstance(key, str):
            return
        message = _("Invalid envelope: %s", answer["error"]["message"])
        self._upsert(import_id, key, {"outcome": "failed", "message": message[:250]}, True)

    @api.model
    def _upsert(self, import_id: int, key: str, values: dict, overwrite: bool) -> None:
        """One row per (import, event), from concurrent workers and the import's reader at
        once: the unique index decides, as for the ledger. An import deleted meanwhile
        records nothing."""
        columns = list(values)
        update = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns)
        self.flush_model()
        self.env.cr.execute(
            f"""
            INSERT INTO integration_import_line (
                import_id, idempotency_key, {", ".join(columns)},
                create_uid, write_uid, create_date, write_date)
            SELECT %s, %s, {", ".join(["%s"] * len(columns))},
                   %s, %s, now() at time zone 'UTC', now() at time zone 'UTC'
             WHERE EXISTS (SELECT 1 FROM integration_import WHERE id = %s)
            ON CONFLICT (import_id, idempotency_key) DO
            {f"UPDATE SET {update}, write_date = EXCLUDED.write_date" if overwrite else "NOTHING"}
            """,
            (import_id, key, *values.values(), self.env.uid, self.env.uid, import_id),
        )
        self.invalidate_model()
        self.env["integration.import"].browse(import_id).exists()._settle(values.get("outcome"))

    def action_open_record(self):
        self.ensure_one()
        if not (self.result_model and self.result_id):
            return False
        return {
            "type": "ir.actions.act_window",
            "name": self.result_name,
            "res_model": self.result_model,
            "res_id": self.result_id,
            "view_mode": "form",
        }

    def action_open_event(self):
        """The event behind the line, where it can be read and replayed; a line without one
        (read, not applied yet, or an envelope the ledger refused) says why."""
        self.ensure_one()
        if not self.event_id:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.message
                    or _(
                        "Read from WooCommerce, not applied yet: its event is in Odoo once a "
                        "worker hands it over."
                    ),
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.event_id.display_name,
            "res_model": "integration.event",
            "res_id": self.event_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }


def _resource(event_type: str) -> str | None:
    resource = event_type.removeprefix("woo.").partition(".")[0]
    return resource if resource in ("product", "customer", "order") else None


def _outcome(answer: dict) -> str:
    status = answer.get("status")
    found = answer.get("found") or ""
    if status == "duplicate":
        return "unchanged"
    if status == "processed":
        if found:
            return found
        return "updated" if answer.get("changes") else "unchanged"
    if status == "ignored":
        return "unmatched" if found == "unmatched" else "ignored"
    code = (answer.get("error") or {}).get("code")
    if code == "ambiguous":
        return "unmatched"
    if code == "waiting":  # for another event of the import: retried
        return "waiting"
    return "failed"
