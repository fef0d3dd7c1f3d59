"""The store's tax rounding against Odoo's: WooCommerce's "Round tax at subtotal level, instead
of rounding per line" is Odoo's Round Globally. The workers read the store's setting and report
it to Odoo, which keeps it on the store, says on Settings › Integration whether its own company
rounds the same way (with a button to align it) and on an order's timeline when a cent of VAT
had to be moved (docs/money.md)."""

from __future__ import annotations

import logging
from typing import Any

from relay.clients.odoo import OdooClient
from relay.clients.woo import WooClient

logger = logging.getLogger(__name__)


def check_tax_rounding(woo: WooClient, odoo: OdooClient, store_url: str) -> dict[str, Any]:
    """Read the store's tax rounding, report it to Odoo; Odoo's answer says whether they
    agree (logged as a warning when they do not)."""
    answer = odoo.report_tax_rounding(store_url, woo.tax_round_at_subtotal())
    if not answer.get("agree"):
        logger.warning("tax rounding differs: %s", answer.get("message"))
    return answer
