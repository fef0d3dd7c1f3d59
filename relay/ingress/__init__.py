"""The HTTP relay (aiohttp): verify a WooCommerce delivery, make its envelope, put it on RQ or,
while Redis is away, in the spool; /health, /metrics and the timeline API."""
