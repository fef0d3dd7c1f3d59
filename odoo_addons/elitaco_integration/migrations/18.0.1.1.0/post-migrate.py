"""18.0.1.1.0: customers are matched by e-mail only among contacts marked as WooCommerce
customers. Mark those the integration made or bound before: bound partners and the customers of
WooCommerce orders."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE res_partner SET woo_customer = TRUE
         WHERE id IN (SELECT res_id FROM integration_binding WHERE model = 'res.partner')
            OR id IN (SELECT partner_id FROM sale_order WHERE woo_order_id IS NOT NULL
                                                          AND woo_order_id != 0)
        """
    )
