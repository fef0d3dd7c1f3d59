from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import STORE, WorkerCase, example
from .test_import import CUSTOMER_MATCH, MASTER, SHOP, ImportCase


def woo(event_type: str, **changes) -> dict:
    """A record as the REST API lists it: the example webhook's data."""
    return example(event_type)["data"] | changes


def order(woo_id: int, **changes) -> dict:
    return woo("woo.order.created", id=woo_id, number=str(woo_id)) | changes


UNMAPPED_RATE = {
    "id": 330,
    "rate_id": 9,
    "label": "TVA",
    "rate_percent": 19.6,
    "tax_total": "3.92",
    "shipping_tax_total": "0.00",
}


class PreviewCase(ImportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Preview = cls.env["integration.import.preview"]

    def preview_of(self, run):
        """A preview asked from `run`'s form, as the workers' job begins it."""
        run.action_preview()
        preview = run.preview_ids
        self.assertEqual(self.Import._begin(run.id)["status"], "preview")
        return preview

    def read(self, preview, resource: str, *records: dict) -> None:
        self.Preview._page(preview.id, resource, list(records))

    def lines(self, preview) -> dict:
        return {
            line.key: (line.outcome, line.matched_by or "")
            for line in preview.line_ids
            if line.resource
        }

    def counts(self) -> dict:
        """What an import writes: none of it may change by a preview."""
        models = (
            "sale.order",
            "res.partner",
            "product.product",
            "integration.binding",
            "integration.event",
            "integration.value.map",
        )
        woo_customers = self.env["res.partner"].search_count([("woo_customer", "=", True)])
        return {model: self.env[model].search_count([]) for model in models} | {
            "woo_customer": woo_customers
        }


class TestPreviewMatching(PreviewCase):
    def test_products_matched_by_sku_or_barcode_created_or_ambiguous(self):
        self.env["ir.config_parameter"].set_param(MASTER, "woo")
        self.socks.barcode = "4006381333931"
        self.env["product.product"].create({"name": "Mug", "default_code": "MUG"})
        self.env["product.product"].create({"name": "Mug again", "default_code": "MUG"})
        preview = self.preview_of(self.new_import(import_customers=False, import_orders=False))
        before = self.counts()
        self.read(
            preview,
            "product",
            woo("woo.product.updated"),  # the shirt's SKU
            woo("woo.product.updated", id=123, sku="", global_unique_id="4006381333931"),
            woo("woo.product.updated", id=124, sku="NEW-ONE", type="simple", parent_id=0),
            woo("woo.product.updated", id=125, sku="MUG", type="simple", parent_id=0),
        )
        self.assertEqual(
            self.lines(preview),
            {
                "product:122": ("matched", "sku"),
                "product:123": ("matched", "barcode"),
                "product:124": ("created", ""),
                "product:125": ("unmatched", ""),
            },
        )
        lines = {line.woo_id: line for line in preview.line_ids}
        self.assertEqual(lines[122].result_id, self.shirt.id)
        self.assertEqual(lines[123].result_id, self.socks.id)
        self.assertIn("Mug again", lines[125].message)
        self.assertEqual(self.counts(), before, "a preview binds and creates nothing")
        self.assertEqual((preview.matched_count, preview.unmatched_count), (2, 1))

    def test_where_odoo_is_master_a_product_it_lacks_is_unmatched(self):
        self.env["ir.config_parameter"].set_param(MASTER, "odoo")
        preview = self.preview_of(self.new_import(import_customers=False, import_orders=False))
        self.read(preview, "product", woo("woo.product.updated", id=126, sku="NOT-IN-ODOO"))
        self.assertEqual(self.lines(preview), {"product:126": ("unmatched", "")})

    def test_a_bound_product_is_bound_already(self):
        self.env["integration.binding"]._bind(STORE, self.socks, 127)
        preview = self.preview_of(self.new_import())
        self.read(preview, "product", woo("woo.product.updated", id=127, sku="SOCKS-ORG"))
        self.assertEqual(self.lines(preview), {"product:127": ("updated", "binding")})

    def test_a_customer_is_matched_by_email_and_left_unmarked(self):
        existing = self.env["res.partner"].create(
            {"name": "Zoe Müller", "email": "Zoe.Mueller@example.org"}
        )
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        preview = self.preview_of(self.new_import())
        before = self.counts()
        self.read(preview, "customer", woo("woo.customer.updated"))
        self.assertEqual(self.lines(preview), {"customer:27": ("matched", "email")})
        self.assertEqual(preview.line_ids.result_id, existing.id)
        self.assertFalse(existing.woo_customer, "the import marks it; the preview does not")
        self.assertEqual(self.counts(), before)

    def test_two_contacts_with_one_email_leave_the_customer_unmatched(self):
        for name in ("Zoe Müller", "Z. Müller"):
            self.env["res.partner"].create({"name": name, "email": "zoe.mueller@example.org"})
        self.env["ir.config_parameter"].set_param(CUSTOMER_MATCH, "email")
        preview = self.preview_of(self.new_import())
        self.read(
            preview,
            "customer",
            woo("woo.customer.updated"),
            woo("woo.customer.updated", id=28, email="nobody@example.org", billing={}),
        )
        self.assertEqual(
            self.lines(preview),
            {"customer:27": ("unmatched", ""), "customer:28": ("created", "")},
        )
        ambiguous = preview.line_ids.filtered(lambda line: line.woo_id == 27)
        self.assertIn("Z. Müller", ambiguous.message)

    def test_by_default_a_contact_odoo_has_is_not_taken(self):
        self.env["res.partner"].create({"name": "Zoe Müller", "email": "zoe.mueller@example.org"})
        preview = self.preview_of(self.new_import())
        self.read(preview, "customer", woo("woo.customer.updated"))
        self.assertEqual(self.lines(preview), {"customer:27": ("created", "")})


class TestPreviewCodes(PreviewCase):
    def test_unmapped_codes_of_orders_are_counted_across_pages(self):
        preview = self.preview_of(self.new_import())
        before = self.counts()
        with_rate = order(5001)
        with_rate["tax_lines"] = [*with_rate["tax_lines"], UNMAPPED_RATE]
        self.read(preview, "order", with_rate, order(5002))
        self.read(preview, "order", order(5003, tax_lines=[UNMAPPED_RATE], payment_method="cod"))
        codes = {
            (line.kind, line.code): line.order_count
            for line in preview.line_ids
            if line.outcome == "not_mapped"
        }
        # Rate 1 has a map (common.py); rate 2 has none, Odoo finds its 7 % by percentage.
        self.assertEqual(
            codes,
            {
                ("tax_rate", "9"): 2,
                ("tax_rate", "2"): 2,
                ("payment_method", "stripe"): 2,
                ("payment_method", "cod"): 1,
                ("shipping_method", "flat_rate"): 3,
                ("currency", "EUR"): 3,
            },
        )
        rate = preview.line_ids.filtered(lambda line: line.code == "9")
        self.assertEqual(rate.woo_name, "TVA (19.6 %)")
        self.assertIn("quotations", rate.message)
        self.assertIn("MwSt 7%", preview.line_ids.filtered(lambda line: line.code == "2").message)
        self.assertEqual(self.lines(preview)["order:5001"], ("created", ""))
        self.assertEqual(self.counts(), before, "no value map row is listed by a preview")

    def test_an_unknown_country_is_listed(self):
        preview = self.preview_of(self.new_import())
        billing = woo("woo.order.created")["billing"] | {"country": "QQ"}
        self.read(preview, "order", order(5004, billing=billing))
        [country] = preview.line_ids.filtered(lambda line: line.kind == "country")
        self.assertEqual((country.code, country.order_count), ("QQ", 1))

    def test_map_opens_the_codes_row_or_a_new_one_filled_in(self):
        preview = self.preview_of(self.new_import())
        self.read(preview, "order", order(5005, tax_lines=[UNMAPPED_RATE]))
        rate = preview.line_ids.filtered(lambda line: line.code == "9")
        action = rate.action_map()
        self.assertEqual(action["context"]["default_woo_value"], "9")
        self.assertEqual(action["context"]["default_kind"], "tax_rate")
        row = self.env["integration.value.map"].create({"kind": "tax_rate", "woo_value": "9"})
        self.assertEqual(rate.action_map()["res_id"], row.id)


class TestStartingAsks(PreviewCase):
    def previewed(self, tax_lines: list[dict]):
        run = self.new_import()
        preview = self.preview_of(run)
        self.read(preview, "order", order(5010, tax_lines=tax_lines, payment_method="cod"))
        self.Preview._done(preview.id)
        self.assertEqual(preview.state, "done")
        return run

    def map_cod(self):
        self.env["integration.value.map"].create(
            {"kind": "payment_method", "woo_value": "cod", "invoice_policy": "none"}
        )

    def test_an_unmapped_rate_asks_for_confirmation_naming_it(self):
        run = self.previewed([UNMAPPED_RATE])
        action = run.with_user(self.manager).action_start()
        self.assertEqual(action["res_model"], "integration.import.confirm")
        self.assertEqual(run.state, "draft", "nothing started yet")
        wizard = self.env["integration.import.confirm"].browse(action["res_id"])
        self.assertIn("TVA (19.6 %)", wizard.unmapped)
        self.assertIn("cod", wizard.unmapped)
        self.assertIn("1 order", wizard.unmapped)
        wizard.with_user(self.manager).action_import_anyway()
        self.assertEqual(run.state, "queued")

    def test_nothing_is_asked_when_every_rate_and_method_is_mapped(self):
        run = self.previewed([UNMAPPED_RATE])
        self.env["integration.value.map"].create(
            {"kind": "tax_rate", "woo_value": "9", "tax_id": self.tax_21.id}
        )
        self.map_cod()
        self.assertIs(run.with_user(self.manager).action_start(), True)
        self.assertEqual(run.state, "queued")

    def test_rates_the_store_sent_before_are_named_without_a_preview(self):
        self.map_cod()
        self.env["integration.value.map"].create({"kind": "tax_rate", "woo_value": "12"})
        action = self.new_import().action_start()
        self.assertEqual(action["res_model"], "integration.import.confirm")
        without_orders = self.new_import(import_orders=False)
        self.assertIs(without_orders.action_start(), True, "products and customers: not asked")

    def test_an_import_waits_for_its_preview_and_a_failed_preview_says_why(self):
        run = self.new_import()
        preview = self.preview_of(run)
        with self.assertRaises(UserError):
            run.action_start()
        with self.assertRaises(UserError):
            run.action_preview()
        self.Import._failed(run.id, "store down", True)
        self.assertEqual((preview.state, preview.error), ("failed", "store down"))
        self.assertEqual(run.state, "draft")


@tagged("post_install", "-at_install")
class TestPreviewAsIntegrationUser(WorkerCase):
    """The preview's calls over HTTP with the workers' API key, as the job and the command
    line make them."""

    def call(self, route: str, params: dict) -> dict:
        return self.make_jsonrpc_request(
            f"/elitaco/v1/imports/{route}",
            params,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def test_the_command_lines_preview_reads_pages_and_writes_only_its_report(self):
        orders = self.env["sale.order"].search_count([])
        begun = self.call(
            "preview/begin",
            {"store_url": SHOP, "resources": ["product", "order"], "since": None},
        )
        self.assertEqual(begun["status"], "preview")
        self.assertEqual([step["resource"] for step in begun["steps"]], ["product", "order"])
        page = [order(6001, tax_lines=[UNMAPPED_RATE]), order(6002)]
        params = {"preview_id": begun["preview_id"], "resource": "order", "records": page}
        answer = self.call("preview/page", params)
        self.assertEqual(answer, {"status": "running", "read": 2})
        done = self.call("preview/done", {"preview_id": begun["preview_id"]})
        self.assertEqual(done["counts"]["created"], 2)
        rates = {(code["kind"], code["code"]): code["orders"] for code in done["not_mapped"]}
        self.assertEqual(rates["tax_rate", "9"], 1)
        self.assertEqual(self.env["sale.order"].search_count([]), orders)
        preview = self.env["integration.import.preview"].browse(begun["preview_id"])
        self.assertEqual(preview.line_ids.create_uid, self.worker)
