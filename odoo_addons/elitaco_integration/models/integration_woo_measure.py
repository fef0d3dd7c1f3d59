import math

from odoo import _, api, models

from ..tools import amount

WEIGHT_UNIT = "elitaco_integration.weight_unit"
DIMENSION_UNIT = "elitaco_integration.dimension_unit"
KG_PER = {"kg": 1.0, "g": 0.001, "lbs": 0.45359237, "oz": 0.028349523125}
M_PER = {"m": 1.0, "cm": 0.01, "mm": 0.001, "in": 0.0254, "yd": 0.9144, "ft": 0.3048}


class IntegrationWooMeasure(models.AbstractModel):
    """A product's weight and volume between WooCommerce's units (Settings) and Odoo's, both
    ways."""

    _name = "integration.woo.measure"
    _description = "WooCommerce weight and dimension units to and from Odoo's"

    @api.model
    def _measures(self, data: dict) -> dict:
        """Weight and volume in the units Odoo shows (kg or lb, m³ or ft³), from WooCommerce's
        (Settings: its weight and dimensions units); what WooCommerce leaves empty is kept."""
        params = self.env["ir.config_parameter"].sudo()
        values = {}
        if data.get("weight") not in (None, ""):
            kg = amount(data["weight"], _("Weight")) * KG_PER[params.get_param(WEIGHT_UNIT, "kg")]
            in_lbs = params.get_param("product.weight_in_lbs") == "1"
            values["weight"] = kg / KG_PER["lbs"] if in_lbs else kg
        sides = [(data.get("dimensions") or {}).get(side) for side in ("length", "width", "height")]
        if all(side not in (None, "") for side in sides):
            metre = M_PER[params.get_param(DIMENSION_UNIT, "cm")]
            cubic_metres = math.prod(amount(side, _("Dimensions")) * metre for side in sides)
            in_feet = params.get_param("product.volume_in_cubic_feet") == "1"
            values["volume"] = cubic_metres / M_PER["ft"] ** 3 if in_feet else cubic_metres
        return values

    @api.model
    def _woo_weight(self, product) -> str:
        """The product's weight in WooCommerce's unit, as WooCommerce writes it ('' for none)."""
        params = self.env["ir.config_parameter"].sudo()
        in_lbs = params.get_param("product.weight_in_lbs") == "1"
        kg = product.weight * (KG_PER["lbs"] if in_lbs else 1)
        weight = kg / KG_PER[params.get_param(WEIGHT_UNIT, "kg")]
        return f"{weight:.3f}".rstrip("0").rstrip(".") if product.weight else ""
