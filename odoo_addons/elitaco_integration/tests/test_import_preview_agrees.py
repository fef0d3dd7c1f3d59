from .common import envelope
from .test_import import CUSTOMER_MATCH, MASTER, of_import
from .test_import_preview import PreviewCase, woo

# The import's outcome of a record, for each of the preview's (nothing else may happen).
IMPORT_OUTCOMES = {
    "matched": {"matched"},
    "created": {"created"},
    "unmatched": {"unmatched"},
    "updated": {"updated", "unchanged"},
}


class TestPreviewAgreesWithTheImport(PreviewCase):
    """The same records previewed, then imported: each does what the preview said."""

    def test_products_and_customers_do_what_their_preview_said(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        self.socks.barcode = "4006381333931"
        for name in ("Mug", "Mug again"):
            self.env["product.product"].create({"name": name, "default_code": "MUG"})
        for name in ("Ann Example", "A. Example"):
            self.env["res.partner"].create({"name": name, "email": "ann@example.org"})
        self.env["res.partner"].create({"name": "Zoe Müller", "email": "zoe.mueller@example.org"})
        products = [
            woo("woo.product.updated"),
            woo("woo.product.updated", id=123, sku="", global_unique_id="4006381333931"),
            woo("woo.product.updated", id=124, sku="NEW-ONE", type="simple", parent_id=0),
            woo("woo.product.updated", id=125, sku="MUG", type="simple", parent_id=0),
        ]
        customers = [
            woo("woo.customer.updated"),
            woo("woo.customer.updated", id=28, email="ann@example.org", billing={}),
            woo("woo.customer.updated", id=29, email="new@example.org", billing={}),
        ]
        run = self.new_import()
        preview = self.preview_of(run)
        self.read(preview, "product", *products)
        self.read(preview, "customer", *customers)
        self.Preview._done(preview.id)
        said = {line.key: line.outcome for line in preview.line_ids if line.resource}
        self.assertEqual(
            sorted(said.values()),
            sorted(
                ["matched", "matched", "created", "unmatched", "matched", "unmatched", "created"]
            ),
        )

        run.with_context(import_anyway=True).action_start()
        self.Import._begin(run.id)
        for resource, records in (("product", products), ("customer", customers)):
            for data in records:
                event_type = f"woo.{resource}.updated"
                self.process(of_import(envelope(event_type, data), run.id))
        done = {f"{line.resource}:{line.woo_id}": line.outcome for line in run.line_ids}
        for key, outcome in said.items():
            self.assertIn(done[key], IMPORT_OUTCOMES[outcome], key)
