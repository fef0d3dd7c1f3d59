from odoo.tests import tagged

from .common import WorkerCase, envelope


@tagged("-at_install", "post_install")
class TestVariationsGone(WorkerCase):
    """wp-admin's "Remove" deletes a variation for good and WooCommerce sends no event for it:
    the variable product's next update, listing its variations, archives the variant. As the
    workers apply it: over HTTP, as the Integration User."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].set_param("elitaco_integration.product_master", "woo")
        self.assertEqual(self.post(self.tee([221, 222, 223]))["status"], "processed")
        for woo_id, colour in ((221, "Sand"), (222, "Ink"), (223, "Moss")):
            variation = envelope(
                "woo.product.updated",
                id=woo_id,
                parent_id=220,
                sku=f"TEE-{colour.upper()}",
                attributes=[{"id": 0, "name": "Tee colour", "option": colour}],
                date_modified_gmt="2026-02-10T07:45:00",
            )
            self.assertEqual(self.post(variation)["status"], "processed")

    def post(self, message: dict) -> dict:
        return self.post_event(message, self.api_key)

    def tee(self, variations: list[int], modified: str = "2026-02-01T11:30:00") -> dict:
        return envelope(
            "woo.product.updated",
            id=220,
            type="variable",
            sku="TEE",
            name="Tee",
            price="15.00",
            attributes=[
                {
                    "id": 0,
                    "name": "Tee colour",
                    "variation": True,
                    "options": ["Sand", "Ink", "Moss"],
                }
            ],
            variations=variations,
            date_modified_gmt=modified,
        )

    def variant(self, woo_id: int):
        return (
            self.env["integration.binding"]
            ._find("shop.example.com", "product.product", woo_id)
            .with_context(active_test=False)
        )

    def test_a_variation_no_longer_listed_is_archived(self):
        answer = self.post(self.tee([221, 223], modified="2026-03-01T00:00:00"))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertFalse(self.variant(222).active, "Ink's variation is gone")
        self.assertTrue(self.variant(221).active and self.variant(223).active)
        self.assertIn(
            "Archived, their variations gone from WooCommerce: [TEE-INK] Tee (Ink)",
            answer["changes"],
        )
        self.assertEqual(self.variant(222).write_uid, self.worker)

    def test_a_variation_newer_than_the_product_state_is_kept(self):
        """A variation made after the product's state was read (webhooks are not ordered): not
        listed yet, but not gone either."""
        answer = self.post(self.tee([221, 223], modified="2026-02-05T00:00:00"))
        self.assertEqual(answer["status"], "processed", answer)
        self.assertTrue(self.variant(222).active)
