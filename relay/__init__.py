"""Elitaco relay: WooCommerce webhooks in, RQ jobs out, Odoo on the other side."""
