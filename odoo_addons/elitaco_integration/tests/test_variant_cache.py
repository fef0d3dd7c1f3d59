from odoo import Command
from odoo.tests.common import TransactionCase


class TestVariantCache(TransactionCase):
    """A variant the workers create empties the caches that remember variants, here, and
    leaves the other processes to clear theirs (variant_cache.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        size = cls.env["product.attribute"].create(
            {
                "name": "Cache size",
                "create_variant": "dynamic",
                "value_ids": [Command.create({"name": "S"}), Command.create({"name": "M"})],
            }
        )
        cls.template = cls.env["product.template"].create(
            {
                "name": "Cache shirt",
                "attribute_line_ids": [
                    Command.create(
                        {"attribute_id": size.id, "value_ids": [Command.set(size.value_ids.ids)]}
                    )
                ],
            }
        )
        cls.small = cls.template.attribute_line_ids.product_template_value_ids.filtered(
            lambda value: value.name == "S"
        )
        cls.params = cls.env["ir.config_parameter"].sudo()

    def cached_parameters(self) -> set:
        cache, prefix, _counter = type(self.params)._get_param.__cache__.lru(self.params)
        return {key for key in list(cache) if key[: len(prefix)] == prefix}

    def test_a_new_variant_is_found_where_none_was_remembered(self):
        self.assertFalse(self.template._get_variant_for_combination(self.small))
        variant = self.template.with_context(elitaco_from_woo=True)._create_product_variant(
            self.small
        )
        self.assertTrue(variant)
        self.assertEqual(self.template._get_variant_for_combination(self.small), variant)

    def test_the_other_caches_are_kept_and_the_other_processes_told(self):
        self.params.get_param("web.base.url")
        remembered = self.cached_parameters()
        self.assertTrue(remembered)
        self.registry.cache_invalidated.discard("default")
        self.template.with_context(elitaco_from_woo=True)._create_product_variant(self.small)
        self.assertLessEqual(remembered, self.cached_parameters())
        self.assertIn("default", self.registry.cache_invalidated)
        self.assertNotIn("clear_cache", vars(self.registry), "Odoo's own method is back")

    def test_outside_the_workers_odoo_clears_every_cache(self):
        self.params.get_param("web.base.url")
        self.assertTrue(self.cached_parameters())
        self.template._create_product_variant(self.small)
        self.assertFalse(self.cached_parameters())
