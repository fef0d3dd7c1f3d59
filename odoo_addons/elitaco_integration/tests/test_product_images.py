import base64

from .common import STORE, IntegrationCase, envelope

MASTER = "elitaco_integration.product_master"
# A 1 x 1 PNG, and another one (a different pixel).
RED = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJ"
    "RU5ErkJggg=="
)
BLUE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPj/HwADBwIAMCbHYQAAAABJ"
    "RU5ErkJggg=="
)
SRC = "https://shop.example.com/wp-content/uploads/mug.png"


def with_image(
    message: dict, content: str | None = RED, version: str = "9:2026-02-10T07:45:00"
) -> dict:
    image = {"id": 9, "src": SRC, "date_modified_gmt": version.split(":", 1)[1]}
    message["data"]["images"] = [image]
    if content:
        message["fetched"] = {
            "image": {
                "version": f"{version}:{SRC}",
                "src": SRC,
                "content_type": "image/png",
                "content": content,
            }
        }
    return message


class TestProductImages(IntegrationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param(MASTER, "woo")

    def mug(self, **changes) -> dict:
        values = {"id": 124, "type": "simple", "parent_id": 0, "sku": "MUG-IMG"} | changes
        return envelope("woo.product.updated", **values)

    def product(self):
        return self.env["integration.binding"]._find(STORE, "product.product", 124)

    def binding(self):
        return self.env["integration.binding"]._binding(STORE, "product.product", 124)

    def test_the_image_the_workers_read_becomes_the_products_once(self):
        answer = self.process(with_image(self.mug()))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertTrue(self.product().image_1920)
        self.assertEqual(self.binding().woo_image, f"9:2026-02-10T07:45:00:{SRC}")
        self.assertIn(f"Image: {SRC}", answer["changes"])
        event = self.Event.search([("event_id", "=", answer["event_id"])])
        self.assertNotIn("content", event.payload["fetched"]["image"], "no copy in the ledger")

        again = self.process(with_image(self.mug(stock_quantity=3), content=BLUE))
        self.assertNotIn(f"Image: {SRC}", again["changes"], "the same version is not rewritten")
        newer = self.process(
            with_image(self.mug(stock_quantity=4), content=BLUE, version="9:2026-03-01T00:00:00")
        )
        self.assertIn(f"Image: {SRC}", newer["changes"])
        self.assertEqual(self.binding().woo_image, f"9:2026-03-01T00:00:00:{SRC}")

    def test_an_image_removed_in_woocommerce_is_removed(self):
        self.process(with_image(self.mug()))
        answer = self.process(self.mug(images=[], stock_quantity=2))
        self.assertIn("Image removed, as in WooCommerce", answer["changes"])
        self.assertFalse(self.product().image_1920)
        self.assertFalse(self.binding().woo_image)

    def test_an_image_not_read_leaves_the_one_odoo_has(self):
        self.process(with_image(self.mug()))
        message = with_image(
            self.mug(stock_quantity=5), content=None, version="9:2026-03-01T00:00:00"
        )
        message["fetched"] = {"image_error": f"{SRC}: larger than 5242880 bytes"}
        answer = self.process(message)
        self.assertEqual(answer["status"], "processed")
        self.assertIn("larger than", answer["warnings"][0])
        self.assertTrue(self.product().image_1920)
        self.assertEqual(self.binding().woo_image, f"9:2026-02-10T07:45:00:{SRC}")

    def test_a_file_that_is_no_image_is_a_warning_not_a_failure(self):
        garbage = base64.b64encode(b"GIF89a, or so it says").decode()
        answer = self.process(with_image(self.mug(), content=garbage))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertTrue(any("not taken" in warning for warning in answer["warnings"]))
        self.assertFalse(self.product().image_1920)
        self.assertFalse(self.binding().woo_image)

    def test_markup_is_never_an_image(self):
        svg = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>').decode()
        answer = self.process(with_image(self.mug(), content=svg))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertFalse(self.product().image_1920)

    def test_a_variable_products_image_is_its_templates(self):
        attributes = [{"id": 2, "name": "Size", "variation": True, "options": ["S", "M"]}]
        message = envelope(
            "woo.product.updated",
            id=300,
            parent_id=0,
            type="variable",
            sku="TEE",
            attributes=attributes,
        )
        self.process(with_image(message))
        template = self.env["integration.binding"]._find(STORE, "product.template", 300)
        self.assertTrue(template.image_1920)
