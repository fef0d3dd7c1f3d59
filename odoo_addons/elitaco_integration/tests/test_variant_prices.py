from odoo import fields
from odoo.tests import tagged

from .common import STORE, IntegrationCase, WorkerCase, envelope

MASTER = "elitaco_integration.product_master"
PRICELIST = "elitaco_integration.pricelist_id"
# The shirt: S 20, M 22, L 25, Blue 3 more, as WooCommerce variation id: (size, colour).
VARIATIONS = {
    140: ("S", "Red"),
    141: ("M", "Red"),
    142: ("L", "Red"),
    143: ("S", "Blue"),
    144: ("M", "Blue"),
    145: ("L", "Blue"),
}
ADDING_UP = {140: 20, 141: 22, 142: 25, 143: 23, 144: 25, 145: 28}


def variable_shirt() -> dict:
    return envelope(
        "woo.product.created",
        id=120,
        type="variable",
        sku="SHIRT-V",
        name="Linen Shirt",
        price="20.00",
        regular_price="",
        attributes=[
            {"id": 1, "name": "Size", "variation": True, "options": ["S", "M", "L"]},
            {"id": 2, "name": "Color", "variation": True, "options": ["Red", "Blue"]},
        ],
        variations=list(VARIATIONS),
    )


def variation(woo_id: int, price: float, modified: str = "2026-02-10T07:45:00", **sale) -> dict:
    """Variation `woo_id` at its regular `price`; `sale`: sale_price and its dates."""
    size, color = VARIATIONS[woo_id]
    return envelope(
        "woo.product.updated",
        id=woo_id,
        parent_id=120,
        type="variation",
        sku=f"SHIRT-{size}-{color}",
        name=f"Linen Shirt - {size}, {color}",
        regular_price=f"{price:.2f}",
        price=sale.get("sale_price") or f"{price:.2f}",
        date_modified_gmt=modified,
        manage_stock=False,
        attributes=[
            {"id": 1, "name": "Size", "option": size},
            {"id": 2, "name": "Color", "option": color},
        ],
        **({"sale_price": ""} | sale),
    )


class VariantPrices:
    """What both test classes check: every variant's price in the pricelist is the store's."""

    def variant(self, woo_id: int):
        return self.env["integration.binding"]._find(STORE, "product.product", woo_id)

    def assert_quoted(self, pricelist, prices: dict, day: str | None = None) -> None:
        date = fields.Datetime.to_datetime(day) if day else False
        quoted = {
            woo_id: pricelist._get_product_price(self.variant(woo_id), 1.0, date=date)
            for woo_id in prices
        }
        self.assertEqual(quoted, {woo_id: float(price) for woo_id, price in prices.items()}, day)

    def rules(self, pricelist):
        return pricelist.item_ids.filtered("woo_variant_price")


@tagged("-at_install", "post_install")
class TestVariantPrices(VariantPrices, IntegrationCase):
    def setUp(self):
        super().setUp()
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        self.pricelist = self.env["product.pricelist"].create({"name": "Shop"})
        params.set_param(PRICELIST, self.pricelist.id)
        self.assertEqual(self.process(variable_shirt())["status"], "processed")
        for woo_id, price in ADDING_UP.items():
            answer = self.process(variation(woo_id, price))
            self.assertEqual(answer["status"], "processed", answer)
            self.assertEqual(answer["warnings"], [])
        self.assert_quoted(self.pricelist, ADDING_UP)
        self.assertFalse(self.pricelist.item_ids, "prices that add up need no rule")

    def test_every_variant_quotes_woocommerces_price(self):
        """S-Blue 24: the extras make Blue 4 more, so M-Blue 26 and L-Blue 29 need a rule."""
        answer = self.process(variation(143, 24, "2026-03-01T00:00:00"))
        self.assertEqual(answer["warnings"], [])
        prices = ADDING_UP | {143: 24}
        self.assert_quoted(self.pricelist, prices)
        rules = self.rules(self.pricelist)
        self.assertEqual(rules.product_id, self.variant(144) | self.variant(145))
        self.assertEqual(sorted(rules.mapped("fixed_price")), [25.0, 28.0])
        self.assertEqual(self.variant(145).lst_price, 29.0, "the extras alone")
        shown = f"Linen Shirt (L, Blue) in {self.pricelist.display_name}: 28.0"
        self.assertIn(shown, "\n".join(answer["changes"]))

        dearer = self.process(variation(145, 30, "2026-03-02T00:00:00"))
        self.assert_quoted(self.pricelist, prices | {145: 30})
        rules = self.rules(self.pricelist)
        self.assertEqual(sorted(rules.mapped("fixed_price")), [25.0, 30.0], "updated, not added")
        self.assertIn(f"in {self.pricelist.display_name}: 30.0", "\n".join(dearer["changes"]))

    def test_a_change_back_that_adds_up_again_removes_the_rules(self):
        self.process(variation(143, 24, "2026-03-01T00:00:00"))
        self.assertEqual(len(self.rules(self.pricelist)), 2)
        answer = self.process(variation(143, 23, "2026-03-02T00:00:00"))
        self.assertFalse(self.pricelist.item_ids)
        self.assert_quoted(self.pricelist, ADDING_UP)
        self.assertIn("WooCommerce price rules removed", "\n".join(answer["changes"]))

    def test_a_sale_wins_while_it_runs(self):
        """The sale rule came first; the variant's price rule, made later, must not win."""
        sale = {
            "sale_price": "26.00",
            "date_on_sale_from_gmt": "2026-03-10T00:00:00",
            "date_on_sale_to_gmt": "2026-03-20T23:59:59",
        }
        self.process(variation(145, 28, "2026-03-01T00:00:00", **sale))
        self.process(variation(143, 24, "2026-03-02T00:00:00"))
        prices = ADDING_UP | {143: 24}
        self.assert_quoted(self.pricelist, prices, "2026-03-05 12:00:00")
        self.assert_quoted(self.pricelist, prices | {145: 26}, "2026-03-10 00:00:00")
        self.assert_quoted(self.pricelist, prices | {145: 26}, "2026-03-20 23:59:59")
        self.assert_quoted(self.pricelist, prices, "2026-03-21 00:00:00")

        always = self.process(variation(145, 28, "2026-03-03T00:00:00", sale_price="26.00"))
        self.assertEqual(always["status"], "processed", always)
        self.assert_quoted(self.pricelist, prices | {145: 26}, "2026-01-01 00:00:00")
        self.assert_quoted(self.pricelist, prices | {145: 26}, "2027-01-01 00:00:00")

        ended = self.process(variation(145, 28, "2026-03-04T00:00:00"))
        self.assertEqual(ended["status"], "processed", ended)
        self.assert_quoted(self.pricelist, prices, "2026-03-15 00:00:00")

    def test_without_a_default_pricelist_the_ledger_says_to_set_one(self):
        self.env["ir.config_parameter"].set_param(PRICELIST, "")
        message = variation(143, 24, "2026-03-01T00:00:00")
        answer = self.process(message)
        self.assertIn("set a default pricelist", "\n".join(answer["warnings"]))
        event = self.env["integration.event"].search([("event_id", "=", message["event_id"])])
        self.assertIn("Linen Shirt (L, Blue) costs 28.0 in WooCommerce", event.warnings)
        self.assertFalse(self.pricelist.item_ids)

    def test_a_rule_in_a_pricelist_no_longer_the_default_goes(self):
        self.process(variation(143, 24, "2026-03-01T00:00:00"))
        other = self.env["product.pricelist"].create({"name": "Shop 2"})
        self.env["ir.config_parameter"].set_param(PRICELIST, other.id)
        self.process(variation(144, 25, "2026-03-02T00:00:00"))
        self.assertFalse(self.rules(self.pricelist))
        self.assert_quoted(other, ADDING_UP | {143: 24})


@tagged("-at_install", "post_install")
class TestVariantPricesAsWorker(VariantPrices, WorkerCase):
    def test_variant_price_rules_made_and_removed_by_the_workers(self):
        params = self.env["ir.config_parameter"]
        params.set_param(MASTER, "woo")
        pricelist = self.env["product.pricelist"].create({"name": "Shop"})
        params.set_param(PRICELIST, pricelist.id)
        self.assertEqual(self.post_event(variable_shirt(), self.api_key)["status"], "processed")
        for woo_id, price in ADDING_UP.items():
            answer = self.post_event(variation(woo_id, price), self.api_key)
            self.assertEqual(answer["status"], "processed", answer)
        answer = self.post_event(variation(143, 24, "2026-03-01T00:00:00"), self.api_key)
        self.assertEqual(answer["status"], "processed", answer)
        self.assert_quoted(pricelist, ADDING_UP | {143: 24})
        self.assertEqual(self.rules(pricelist).create_uid, self.worker)
        back = self.post_event(variation(143, 23, "2026-03-02T00:00:00"), self.api_key)
        self.assertEqual(back["status"], "processed", back)
        self.assertFalse(pricelist.item_ids)
        self.assert_quoted(pricelist, ADDING_UP)
