"""18.0.1.7.0: an import whose report has failed records is "Done with errors", no longer a
neutral "Read"."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE integration_import run SET state = 'done_errors'
         WHERE run.state = 'done'
           AND EXISTS (SELECT 1 FROM integration_import_line line
                        WHERE line.import_id = run.id AND line.outcome = 'failed')
        """
    )
