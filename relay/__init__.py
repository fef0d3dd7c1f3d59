"""Elitaco relay: WooCommerce webhooks in, RQ jobs out, Odoo on the other side.

Layout (docs/architecture.md): ingress/ is the HTTP relay, work/ what the RQ workers do,
clients/ how both talk to Odoo and WooCommerce, pipeline/ what the two halves share through
Redis; cli.py, jobs.py and cron_config.py are the entry points, config.py and logs.py the
settings and logs of them all."""
