"""The commands that work on stores (`python -m relay reconcile | import | register-webhooks |
tax-rounding | drift`), each for the store `--store NAME` names or, without it, for every store
of the stores file one after the other, each reported under its name. One store's failure (no
REST key, the store down) is reported and the next store goes on; the exit status is the worst."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import requests
from redis.exceptions import RedisError
from rq import Queue

from relay.clients.odoo import OdooClient, OdooError, OdooRefused, OdooUnavailable
from relay.clients.woo import WooAuthError
from relay.config import ConfigError, ImportWindow, OdooConfig, events_queue_name
from relay.logs import configure_logging
from relay.pipeline.envelope import parse_woo_datetime
from relay.pipeline.status import save_delivery_url
from relay.redis_connection import redis_from_env
from relay.stores import Store, Stores, load_stores
from relay.work import drift
from relay.work.first_sync import RESOURCES, import_resource
from relay.work.import_preview import preview_store
from relay.work.per_store import woo_client
from relay.work.reconcile import (
    check_webhooks,
    reconcile_customers,
    reconcile_orders,
    reconcile_products,
)
from relay.work.tax_rounding import check_tax_rounding
from relay.work.webhooks import (
    API_VERSION,
    check_webhook_health,
    register_webhooks,
    webhook_problems,
)

StoreCommand = Callable[[Store], int]


def for_each_store(store_name: str | None, command: StoreCommand) -> int:
    """`command` for the named store, or every store; an unknown name is refused (exit 2)
    with the names there are."""
    stores = load_stores()
    selected = stores.select(store_name)
    headed = stores.from_file or len(selected) > 1
    worst = 0
    for store in selected:
        if headed:
            print(f"== store {store.name} ({store.url})")
        which = f"store {store.name}: " if headed else ""
        try:
            worst = max(worst, command(store))
        except (ConfigError, WooAuthError) as exc:
            for line in str(exc).splitlines():
                print(f"error: {which}{line}", file=sys.stderr)
            worst = 2
        except requests.RequestException as exc:
            if not headed:
                raise  # one store: as before
            print(f"error: {which}WooCommerce: {exc}", file=sys.stderr)
            worst = max(worst, 1)
    return worst


def parse_since(since: str | None) -> datetime | None:
    if not since:
        return None
    start = parse_woo_datetime(since)
    if start is None:
        raise ConfigError(
            f"--since must be a date and time like 2026-02-01T00:00:00, got {since!r}"
        )
    return start


def import_command(what: str, since: str | None, store_name: str | None = None) -> int:
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING").upper())
    start = parse_since(since)
    queue = Queue(events_queue_name(), connection=redis_from_env())
    window = ImportWindow.from_env()
    resources = RESOURCES if what == "all" else (what.removesuffix("s"),)

    def one(store: Store) -> int:
        woo = woo_client(store)
        for resource in resources:

            def progress(_envelopes, report, resource=resource) -> None:
                if sys.stderr.isatty():
                    print(f"\r{resource}s: {report.enqueued} enqueued", end="", file=sys.stderr)
                wait_for_room(queue, window)

            report = import_resource(woo, queue, store.url, resource, start, progress)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            print(
                f"{resource}s: {report.enqueued} enqueued"
                + (f", {len(report.skipped)} skipped" if report.skipped else "")
                + (f"; imported up to {report.checkpoint}" if report.checkpoint else "")
            )
            for skipped in report.skipped:
                print(f"  skipped {skipped}")
        return 0

    return for_each_store(store_name, one)


def wait_for_room(queue: Queue, window: ImportWindow) -> None:
    """After a page: while the events queue holds the window, the command sleeps (it holds
    no worker, unlike the import job, which pauses instead), so that Redis holds a window of
    the import, not the whole store."""
    waiting = False
    while len(queue) >= window.size:
        if not waiting:
            print(
                f"\nwaiting: the queue holds {len(queue)} events (IMPORT_QUEUE_WINDOW "
                f"{window.size}); the workers apply them",
                file=sys.stderr,
            )
            waiting = True
        time.sleep(window.pause_seconds)


def reconcile_command(since: str | None, store_name: str | None = None) -> int:
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    start = parse_since(since)
    queue = Queue(events_queue_name(), connection=redis_from_env())

    def one(store: Store) -> int:
        woo = woo_client(store)
        for name, run in (
            ("orders", reconcile_orders),
            ("products", reconcile_products),
            ("customers", reconcile_customers),
        ):
            report = run(woo, queue, store.url, since=start)
            print(
                f"{name} modified since {report.since}: {report.enqueued} enqueued; checkpoint "
                f"now {report.checkpoint or 'unchanged'}"
            )
            for reason in report.skipped:
                print(f"  skipped {reason}")
        for hook in check_webhooks(woo, queue.connection):
            print(
                f"WARNING: WooCommerce disabled webhook {hook['id']} ({hook['topic']} -> "
                f"{hook['delivery_url']}); re-enable it with register-webhooks"
            )
        return 0

    return for_each_store(store_name, one)


def tax_rounding_command(store_name: str | None = None) -> int:
    odoo = OdooClient(OdooConfig.from_env())

    def one(store: Store) -> int:
        try:
            answer = check_tax_rounding(woo_client(store), odoo, store.url)
        except (OdooError, OdooRefused, OdooUnavailable) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(answer["message"])
        return 0 if answer["agree"] else 1

    return for_each_store(store_name, one)


def delivery_url_of(stores: Stores, store: Store, url: str) -> str:
    """The relay's address for the store's webhooks: --url itself for the one store of
    WOO_STORE_URL, --url/<name> for a store of the stores file (unless --url names it)."""
    url = url.rstrip("/")
    if not stores.from_file or url.endswith(f"/{store.name}"):
        return url
    return f"{url}/{store.name}"


def register_webhooks_command(
    delivery_url: str, update_secret: bool, store_name: str | None = None
) -> int:
    stores = load_stores()

    def one(store: Store) -> int:
        store.require("webhook_secret")
        url = delivery_url_of(stores, store, delivery_url)
        woo = woo_client(store)
        for line in register_webhooks(woo, url, store.webhook_secret, update_secret):
            print(line)
        # /health reports webhook problems from the last check: it sees the fixed ones now.
        # The URL is kept for the watchdog, which checks the webhooks still deliver there.
        try:
            connection = redis_from_env()
            save_delivery_url(connection, store.url, url)
            report = check_webhook_health(woo, connection, url)
        except RedisError as exc:
            print(f"WARNING: could not refresh the webhook state for /health in Redis: {exc}")
            return 0
        print(
            f"webhook state refreshed for /health: {len(report['webhooks'])} disabled, "
            f"{len(report['problems'])} problem(s)"
        )
        return 0

    return for_each_store(store_name, one)


def check_webhooks_command(delivery_url: str, store_name: str | None = None) -> int:
    """register-webhooks --check: what is wrong with each store's webhooks, changing nothing
    in WooCommerce; /health (and, through the watchdog, Odoo) report the same."""
    stores = load_stores()

    def one(store: Store) -> int:
        url = delivery_url_of(stores, store, delivery_url)
        woo = woo_client(store)
        try:
            connection = redis_from_env()
            problems = check_webhook_health(woo, connection, url)["problems"]
        except RedisError as exc:
            print(f"WARNING: could not refresh the webhook state for /health in Redis: {exc}")
            problems = webhook_problems(woo.webhooks(), url)
        for found in problems:
            print(f"PROBLEM  {found['problem']}  {found['topic']}: {found['message']}")
        if not problems:
            print(f"ok: every topic has an active webhook to {url} ({API_VERSION})")
        return 1 if problems else 0

    return for_each_store(store_name, one)


def drift_command(since: str | None, store_name: str | None = None) -> int:
    """A drift run made and read here, at once; Odoo keeps it with its lines and fixes.
    Exits 1 when drift was found, so that a script can tell."""
    from relay.clients.odoo import default_client

    configure_logging(os.environ.get("LOG_LEVEL", "WARNING").upper())
    start = parse_since(since) or datetime.now(UTC) - timedelta(days=30)
    client = default_client()

    def one(store: Store) -> int:
        woo = woo_client(store)
        run_id = drift.start_run(client, store.url, start, "cli")
        report = drift.run_drift(client, lambda _store: woo, run_id)
        print(report.summary)
        print(f"Integration › Drift, run {run_id}: each difference with the button that fixes it")
        return 1 if report.drift else 0

    return for_each_store(store_name, one)


def preview_command(what: str, since: str | None, store_name: str | None = None) -> int:
    """`import ... --dry-run`: the store read as the import would, each page looked at by Odoo,
    nothing enqueued; the report is in Odoo, a summary here."""
    configure_logging(os.environ.get("LOG_LEVEL", "WARNING").upper())
    start = parse_since(since)
    odoo = OdooClient(OdooConfig.from_env())
    resources = list(RESOURCES) if what == "all" else [what.removesuffix("s")]

    def one(store: Store) -> int:
        woo = woo_client(store)
        try:
            since_utc = start.strftime("%Y-%m-%dT%H:%M:%S") if start else None
            plan = odoo.begin_preview(store.url, resources, since_utc)
            try:
                read = preview_store(odoo, woo, plan)
            except Exception as exc:
                odoo.preview_done(plan["preview_id"], f"{type(exc).__name__}: {exc}")
                raise
            summary = odoo.preview_done(plan["preview_id"])
        except (OdooError, OdooRefused, OdooUnavailable) as exc:
            print(f"error: Odoo: {exc}", file=sys.stderr)
            return 2
        if summary.get("status") != "done":
            print(f"error: Odoo stopped preview {plan['preview_id']}: {summary}", file=sys.stderr)
            return 1
        for resource, count in read.items():
            print(f"{resource}s: {count} read")
        counts = summary["counts"]
        print(
            f"would match {counts['matched']}, create {counts['created']}, update "
            f"{counts['updated']} (bound already), leave {counts['unmatched']} unmatched, "
            f"ignore {counts['ignored']}"
        )
        for code in summary["not_mapped"]:
            print(
                f"  not mapped: {code['kind']} {code['code']} ({code['name']}), "
                f"orders: {code['orders']}; {code['note']}"
            )
        print(
            f"report: Integration › Configuration › Import previews › preview {plan['preview_id']}"
        )
        return 0

    return for_each_store(store_name, one)


def check_stores_file() -> None:
    """`check-secrets`: the stores file (STORES_FILE) read and checked like the relay and the
    workers read it; a file they cannot use is refused naming its line."""
    if not os.environ.get("STORES_FILE", "").strip():
        return
    stores = load_stores()
    print(f"{stores.source}: {len(stores)} store(s): {', '.join(stores.names)}")
    for store in stores:
        for key, why in store.missing.items():
            if key != "previous_webhook_secret":
                print(f"  store {store.name}: no {key} ({why})")
