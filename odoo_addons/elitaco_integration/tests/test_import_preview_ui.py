from odoo.tests import HttpCase, tagged

from .test_import_preview import UNMAPPED_RATE, order


@tagged("-at_install", "post_install")
class TestImportPreviewUI(HttpCase):
    def test_the_preview_names_unmapped_codes_and_starting_asks_first(self):
        """Tour elitaco_import_preview (static/tests/tours/import_preview.js)."""
        run = self.env["integration.import"].create({"store_url": "https://shop.example.com"})
        run.action_preview()
        preview = run.preview_ids
        run._begin(run.id)
        preview._page(
            preview.id, "order", [order(5020, tax_lines=[UNMAPPED_RATE], payment_method="cod")]
        )
        preview._done(preview.id)
        self.start_tour(
            f"/odoo/action-elitaco_integration.integration_import_preview_action/{preview.id}",
            "elitaco_import_preview",
            login="admin",
        )
        self.assertEqual(run.state, "queued", "imported anyway")
