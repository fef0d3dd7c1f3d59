"""18.0.1.4.0: with WooCommerce as master, variable products are templates and variations their
variants. Earlier versions made each variation a product of its own; each becomes its variant
(the same record, so order lines and stock keep it) on the next event of its variation, once its
variable product is in Odoo. The upgrade says how many wait, and how to bring them over now."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    for store, count in standalone_variations(cr):
        _logger.warning(
            "%s WooCommerce variations of %s are products of their own, made by an earlier "
            "version: each becomes its variable product's variant on its next update. To merge "
            "them all now, run `python -m relay import products` (it resends every product).",
            count,
            store,
        )


def standalone_variations(cr) -> list[tuple[str, int]]:
    """(store, how many variation bindings point at a product that is not a variant)."""
    cr.execute(
        """
        SELECT b.store, count(*)
          FROM integration_binding b
          JOIN product_product p ON p.id = b.res_id
         WHERE b.model = 'product.product' AND b.woo_parent_id > 0
           AND NOT EXISTS (SELECT 1 FROM product_variant_combination c
                            WHERE c.product_product_id = p.id)
         GROUP BY b.store ORDER BY b.store
        """
    )
    return cr.fetchall()
