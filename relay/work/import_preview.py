"""A preview of a first sync: the store read page by page as an import reads it (products
with their variations, customers, orders), each page handed to Odoo in one call, which says
what the import would make of every record and which codes of the orders have no value map.
Nothing is enqueued and nothing but the preview's report is written in Odoo."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from relay.clients.odoo import OdooClient, until_odoo_answers
from relay.clients.woo import PER_PAGE, REST_DATE, WooClient
from relay.pipeline.envelope import parse_woo_datetime
from relay.work.first_sync import EVERYTHING

logger = logging.getLogger(__name__)


def preview_store(odoo: OdooClient, woo: WooClient, plan: dict[str, Any]) -> dict[str, int]:
    """Read what the preview `plan` (Odoo's answer to its begin) asks for; returns the
    records read per resource. Odoo keeps the report; a preview it no longer runs (deleted,
    failed) stops the reading."""
    preview_id = plan["preview_id"]
    fields = {"preview_id": preview_id}
    read: dict[str, int] = {}
    for step in plan["steps"]:
        resource = step["resource"]
        since = parse_woo_datetime(step.get("since")) or EVERYTHING
        read[resource] = 0
        for page in store_pages(woo, resource, since):
            answer = until_odoo_answers(
                lambda page=page, resource=resource: odoo.preview_page(preview_id, resource, page),
                fields,
            )
            if answer.get("status") != "running":
                logger.info("preview not running in Odoo: reading stopped", extra=fields | answer)
                return read
            read[resource] += answer["read"]
        logger.info("preview read", extra=fields | {"resource": resource, "read": read[resource]})
    return read


def store_pages(woo: WooClient, resource: str, since: datetime) -> Iterator[list[dict[str, Any]]]:
    """The `resource`s modified after `since`, a page (100) at a time by id; a page of
    products carries the variations of its variable products along. Customers cannot be
    listed by modification: all are read and those modified after `since` kept, as the
    import keeps them."""
    params: dict[str, Any] = {"orderby": "id", "order": "asc", "per_page": PER_PAGE}
    if resource != "customer":  # as the import asks, EVERYTHING included
        params |= {"modified_after": since.strftime(REST_DATE), "dates_are_gmt": "true"}
    # The client's own paging (X-WP-TotalPages); WooCommerce has no cursor to list by.
    for page in woo._pages(f"/{resource}s", params):
        if resource == "customer":
            page = [item for item in page if _modified(item, since) > since]
        if resource == "product":
            page = page + [
                variation
                for item in page
                if item.get("type") == "variable"
                for variation in woo.variations(item["id"])
            ]
        if page:
            yield page


def _modified(item: dict[str, Any], default: datetime) -> datetime:
    return parse_woo_datetime(item.get("date_modified_gmt")) or default
