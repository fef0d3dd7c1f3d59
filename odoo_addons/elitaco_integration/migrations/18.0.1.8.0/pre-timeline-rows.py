"""18.0.1.8.0: the timeline has one row per event (and per push) instead of one per step.
Before the registry loads the new kinds: each event's rows fold into its last outcome row,
its warnings and duplicate deliveries carried over; the steps (received, retried, replayed)
go. Rows without an event keep theirs: a hand-made warning becomes a note."""

OUTCOMES = ("processed", "ignored", "failed", "dead")
KIND_OF_STATE = """
    CASE e.state WHEN 'done' THEN 'processed'
                 WHEN 'ignored' THEN 'ignored'
                 WHEN 'superseded' THEN 'ignored'
                 WHEN 'dead' THEN 'dead'
                 ELSE 'failed' END
"""


def migrate(cr, version):
    cr.execute(
        """
        ALTER TABLE integration_timeline
            ADD COLUMN IF NOT EXISTS warnings text,
            ADD COLUMN IF NOT EXISTS attempts integer,
            ADD COLUMN IF NOT EXISTS repeats integer,
            ADD COLUMN IF NOT EXISTS at timestamp
        """
    )
    cr.execute(
        f"""
        WITH kept AS (
            SELECT DISTINCT ON (event_id) event_id, id
              FROM integration_timeline
             WHERE event_id IS NOT NULL
             ORDER BY event_id, (kind IN %s) DESC, id DESC
        ), folded AS (
            SELECT t.event_id,
                   string_agg(t.message, E'\\n' ORDER BY t.id)
                       FILTER (WHERE t.kind = 'warning') AS warnings,
                   count(*) FILTER (WHERE t.kind = 'duplicate') AS repeats
              FROM integration_timeline t
             WHERE t.event_id IS NOT NULL
             GROUP BY t.event_id
        )
        UPDATE integration_timeline t
           SET warnings = folded.warnings,
               repeats = folded.repeats,
               attempts = GREATEST(e.attempts, 1),
               kind = {KIND_OF_STATE},
               message = CASE WHEN e.state = 'dead' THEN COALESCE(e.message, t.message)
                              ELSE t.message END,
               details = CASE WHEN t.kind = 'failed' THEN NULL ELSE t.details END
          FROM kept, folded, integration_event e
         WHERE t.id = kept.id AND folded.event_id = kept.event_id AND e.id = kept.event_id
        """,
        (OUTCOMES,),
    )
    cr.execute(
        """
        DELETE FROM integration_timeline t
         WHERE t.event_id IS NOT NULL
           AND t.id <> (SELECT max(k.id) FROM integration_timeline k
                         WHERE k.event_id = t.event_id AND k.attempts IS NOT NULL)
        """
    )
    cr.execute(
        """
        UPDATE integration_timeline
           SET kind = CASE kind WHEN 'warning' THEN 'note'
                                WHEN 'received' THEN 'processed'
                                WHEN 'retried' THEN 'failed'
                                WHEN 'replayed' THEN 'processed'
                                WHEN 'duplicate' THEN 'ignored'
                                ELSE kind END,
               attempts = COALESCE(attempts, 1),
               repeats = COALESCE(repeats, 0)
         WHERE event_id IS NULL OR attempts IS NULL
        """
    )
    cr.execute("UPDATE integration_timeline SET at = create_date WHERE at IS NULL")
