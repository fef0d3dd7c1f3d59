"""The clients of the two systems: Odoo's JSON-RPC endpoint and WooCommerce's REST API."""
