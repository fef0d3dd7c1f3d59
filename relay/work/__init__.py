"""What the RQ workers do: hand events to Odoo, push Odoo's outbox to WooCommerce, reconcile
missed webhooks, import a store, replay dead letters."""
