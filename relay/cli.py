"""The relay's one CLI: python -m relay serve | worker | spool | replay | reconcile | import |
register-webhooks | api-token | healthcheck | check-secrets | tax-rounding | drift | cron.
The commands on stores take --store NAME (relay/store_commands.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import socket
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from aiohttp import web
from redis.exceptions import RedisError
from rq import Queue
from rq.cron import CronScheduler

from relay.clients.odoo import OdooClient
from relay.clients.woo import WooAuthError
from relay.config import (
    EVENTS_QUEUE,
    ConfigError,
    OdooConfig,
    Settings,
    check_secrets,
    check_worker_environment,
    events_queue_name,
    secret,
)
from relay.ingress.api import api_token
from relay.ingress.app import create_app
from relay.ingress.processes import serve_processes
from relay.ingress.served_stores import load_served_stores
from relay.ingress.server import serve
from relay.ingress.spool import Spool
from relay.ingress.spool_owners import PROCESS_PREFIX
from relay.logs import configure_logging
from relay.pipeline.queueing import MAINTENANCE_QUEUE, PROCESS_EVENT
from relay.redis_connection import redis_from_env
from relay.store_commands import (
    check_stores_file,
    check_webhooks_command,
    drift_command,
    import_command,
    preview_command,
    reconcile_command,
    register_webhooks_command,
    tax_rounding_command,
)
from relay.stores import load_stores
from relay.work import liveness
from relay.work.replay import replay_dead_letters
from relay.work.worker import wait_for_redis, work_until_stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relay", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the webhook relay (RELAY_HOST, RELAY_PORT)")
    serve.add_argument("--host", help="overrides RELAY_HOST (default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="overrides RELAY_PORT (default 8080)")
    serve.add_argument(
        "--processes",
        type=int,
        help="relay processes sharing the port, each with its own spool "
        "(overrides RELAY_PROCESSES, default 1)",
    )

    worker = commands.add_parser("worker", help="run an RQ worker with its scheduler")
    worker.add_argument(
        "--queue",
        action="append",
        help="queue to listen on, repeatable, served in this order "
        f"(default {MAINTENANCE_QUEUE}, then RELAY_QUEUE or {EVENTS_QUEUE})",
    )
    worker.add_argument("--burst", action="store_true", help="stop when the queues are empty")

    spool = commands.add_parser("spool", help="show the envelopes waiting in the local spool")
    spool.add_argument("--dir", type=Path, help="overrides RELAY_SPOOL_DIR (default ./spool)")
    spool.add_argument("--json", action="store_true", help="print the envelopes as JSON lines")
    spool.add_argument(
        "--set-aside",
        action="store_true",
        help="show what was set aside (what the pipeline cannot carry) instead, with reasons",
    )

    replay = commands.add_parser("replay", help="re-enqueue dead letters (RQ's failed jobs)")
    replay.add_argument("--event-id", action="append", help="one dead letter by event id")
    replay.add_argument("--type", help="all dead letters of one event type, e.g. woo.order.created")
    replay.add_argument("--all", action="store_true", help="every dead letter")
    replay.add_argument("--queue", help=f"default RELAY_QUEUE or {EVENTS_QUEUE}")

    commands.add_parser("api-token", help="print the bearer token of the relay's API (APP_SECRET)")

    reconcile = commands.add_parser(
        "reconcile", help="enqueue orders, products and customers modified since a moment"
    )
    reconcile.add_argument("--since", help="UTC, e.g. 2026-02-01T00:00:00 (default: checkpoint)")
    add_store_argument(reconcile)

    first_sync = commands.add_parser(
        "import", help="first sync: enqueue a shop's existing products, customers and orders"
    )
    first_sync.add_argument("what", choices=("products", "customers", "orders", "all"))
    first_sync.add_argument(
        "--since", help="UTC, e.g. 2026-02-01T00:00:00 (default: where the last import stopped)"
    )
    first_sync.add_argument(
        "--dry-run",
        action="store_true",
        help="enqueue nothing: report in Odoo (Integration › Configuration › Import previews) "
        "what the import would match, create or leave unmatched, and the codes of the orders "
        "with no value map (default since: everything)",
    )
    add_store_argument(first_sync)
    register = commands.add_parser(
        "register-webhooks", help="create the WooCommerce webhooks this system needs"
    )
    register.add_argument(
        "--url",
        required=True,
        help="https://<relay>/webhook/woo; a store of STORES_FILE gets .../webhook/woo/<name>",
    )
    register.add_argument(
        "--update-secret",
        action="store_true",
        help="also give existing webhooks WOO_WEBHOOK_SECRET (rotation: docs/operations.md)",
    )
    register.add_argument(
        "--check",
        action="store_true",
        help="change nothing: report missing topics and webhooks disabled or delivering to "
        "another URL or API version (exit 1 when there are some)",
    )
    add_store_argument(register)

    health = commands.add_parser(
        "healthcheck",
        help="exit 1 unless a worker (or RQ cron scheduler) of this host has a fresh heartbeat "
        "in Redis (the compose healthchecks)",
    )
    health.add_argument("process", choices=("worker", "cron"))
    health.add_argument(
        "--max-age",
        type=float,
        help=f"seconds a heartbeat stays fresh (default {liveness.WORKER_MAX_AGE:g} for a "
        f"worker, {liveness.CRON_MAX_AGE:g} for cron)",
    )

    secrets = commands.add_parser(
        "check-secrets",
        help="exit 2 unless each named variable is set and not a placeholder (compose's check), "
        "and the stores file (STORES_FILE), when set, can be used",
    )
    secrets.add_argument("names", nargs="*", metavar="VARIABLE")
    tax_rounding = commands.add_parser(
        "tax-rounding",
        help="read the store's tax rounding and tell Odoo; exit 1 when Odoo rounds otherwise",
    )
    add_store_argument(tax_rounding)

    drift_parser = commands.add_parser(
        "drift", help="compare the store with Odoo (Integration › Drift) and print what differs"
    )
    drift_parser.add_argument(
        "--since", help="orders modified after, UTC, e.g. 2026-02-01T00:00:00 (default: 30 days)"
    )
    add_store_argument(drift_parser)

    commands.add_parser(
        "cron",
        help="run RQ's cron scheduler with relay/cron_config.py's jobs, on REDIS_URL or Sentinel",
    )

    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            return serve_command(args.host, args.port, args.processes)
        if args.command == "worker":
            queues = args.queue or [MAINTENANCE_QUEUE, events_queue_name()]
            return worker_command(queues, args.burst)
        if args.command == "replay":
            return replay_command(
                args.queue or events_queue_name(), args.event_id, args.type, args.all
            )
        if args.command == "api-token":
            return api_token_command()
        if args.command == "reconcile":
            return reconcile_command(args.since, args.store)
        if args.command == "import" and args.dry_run:
            return preview_command(args.what, args.since, args.store)
        if args.command == "import":
            return import_command(args.what, args.since, args.store)
        if args.command == "register-webhooks" and args.check:
            return check_webhooks_command(args.url, args.store)
        if args.command == "register-webhooks":
            return register_webhooks_command(args.url, args.update_secret, args.store)
        if args.command == "healthcheck":
            return healthcheck_command(args.process, args.max_age)
        if args.command == "check-secrets":
            check_secrets(args.names)
            check_stores_file()
            return 0
        if args.command == "drift":
            return drift_command(args.since, args.store)
        if args.command == "tax-rounding":
            return tax_rounding_command(args.store)
        if args.command == "cron":
            return cron_command()
        return spool_command(args.dir, args.json, args.set_aside)
    except (ConfigError, WooAuthError) as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="NAME",
        help="the store of the stores file (STORES_FILE) to work on (default: every store, "
        "one after the other)",
    )


def serve_command(host: str | None, port: int | None, processes: int | None = None) -> int:
    stores = load_served_stores()
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    if processes is not None:
        settings = replace(settings, processes=processes)
    if settings.processes < 1:
        raise ConfigError(
            f"--processes (RELAY_PROCESSES) must be 1 or more, not {settings.processes}"
        )
    if settings.processes > 1:
        return serve_processes(settings, stores, host or settings.host, port or settings.port)
    app = create_app(settings, stores)
    with contextlib.suppress(web.GracefulExit, KeyboardInterrupt):
        asyncio.run(serve(app, host or settings.host, port or settings.port))
    return 0


def worker_command(queue_names: list[str], burst: bool) -> int:
    check_worker_environment()
    load_stores()  # a stores file the jobs cannot use stops the worker here, naming its line
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    connection = redis_from_env()
    importlib.import_module("relay.jobs")  # once here, not in each forked work horse
    work_until_stopped(connection, queue_names, burst)
    return 0


def replay_command(
    queue_name: str, event_ids: list[str] | None, event_type: str | None, everything: bool
) -> int:
    if not (event_ids or event_type or everything):
        print(
            "say which dead letters to replay: --event-id ID, --type TYPE or --all", file=sys.stderr
        )
        return 2
    queue = Queue(queue_name, connection=redis_from_env())
    odoo = OdooConfig.from_env()
    states_of = OdooClient(odoo).event_states if odoo.api_key else None
    report = replay_dead_letters(
        queue, event_ids=event_ids, event_type=event_type, states_of=states_of
    )
    not_asked = "no ODOO_API_KEY" if states_of is None else report.odoo_not_asked
    if not_asked and report.requeued:
        print(
            f"Odoo was not asked which of them it has done ({not_asked}): those are requeued "
            "too, and Odoo's ledger answers them as duplicates",
            file=sys.stderr,
        )
    for job, state in report.done_in_odoo:
        envelope = job.args[0]
        print(
            f"already done in Odoo, not requeued: {job.id}  {envelope['event_type']}  "
            f"{envelope['idempotency_key']}  ({state['state']})"
        )
    for job in report.requeued:
        if job.func_name == PROCESS_EVENT:
            envelope = job.args[0]
            print(f"requeued {job.id}  {envelope['event_type']}  {envelope['idempotency_key']}")
        else:
            print(f"requeued {job.id}  {job.func_name}")
    for event_id in report.not_found:
        print(f"not a dead letter: {event_id}", file=sys.stderr)
    summary = f"{len(report.requeued)} dead letter(s) requeued on {queue_name}"
    if report.done_in_odoo:
        summary += f"; {len(report.done_in_odoo)} already done in Odoo removed from RQ"
    print(summary)
    return 1 if report.not_found else 0


def api_token_command() -> int:
    app_secret = secret(os.environ, "APP_SECRET")
    if not app_secret:
        raise ConfigError("APP_SECRET is not set; the relay's API token is derived from it")
    print(api_token(app_secret))
    return 0


def healthcheck_command(process: str, max_age: float | None) -> int:
    """0 when a worker (or cron scheduler) of this host beat its heart in Redis within max_age
    seconds; 1 when none did (hung, stopped, or never started) or Redis does not answer."""
    hostname = socket.gethostname()
    if process == "worker":
        limit = liveness.WORKER_MAX_AGE if max_age is None else max_age
        check = liveness.worker_heartbeat_age
    else:
        limit = liveness.CRON_MAX_AGE if max_age is None else max_age
        check = liveness.cron_heartbeat_age
    connection = redis_from_env(timeout=5)
    try:
        age = check(connection, hostname)
    except RedisError as exc:
        print(f"unhealthy: Redis does not answer: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if age is None:
        print(f"unhealthy: no {process} of host {hostname} is registered in Redis", file=sys.stderr)
        return 1
    if age > limit:
        print(
            f"unhealthy: the {process} of host {hostname} last beat {age:.0f} s ago "
            f"(more than {limit:g} s): hung or stopped",
            file=sys.stderr,
        )
        return 1
    print(f"healthy: the {process} of host {hostname} beat {age:.0f} s ago")
    return 0


def spool_command(directory: Path | None, as_json: bool, set_aside: bool = False) -> int:
    """Each spool under RELAY_SPOOL_DIR: the single process's, and process-N's of `serve
    --processes`."""
    root = directory or Path(os.environ.get("RELAY_SPOOL_DIR", "spool"))
    spools = [root, *sorted(root.glob(f"{PROCESS_PREFIX}*"))]
    for spool_dir in [path for path in spools if path == root or path.is_dir()]:
        show_spool(Spool(spool_dir), as_json, set_aside)
    return 0


def show_spool(spool: Spool, as_json: bool, set_aside: bool) -> None:
    if set_aside:
        set_aside_command(spool, as_json)
        return
    entries = spool.entries()
    if as_json:
        print_json_lines(entries)
        return
    print(f"spool {spool.path}: {len(entries)} envelope(s) waiting for Redis")
    if spool.set_aside_count:
        print(f"{spool.set_aside_count} set aside in {spool.rejected_path}: see --set-aside")
    if not entries:
        return
    by_type = Counter(entry.get("event_type", "?") for entry in entries)
    for event_type, count in sorted(by_type.items()):
        print(f"  {count:6d}  {event_type}")
    received = [entry.get("meta", {}).get("received_at", "?") for entry in entries]
    print(f"oldest received {received[0]}, newest {received[-1]}")
    for entry in entries[:20]:
        print(f"  {entry.get('event_id')}  {entry.get('idempotency_key')}")
    if len(entries) > 20:
        print(f"  ... and {len(entries) - 20} more (--json lists them all)")


def set_aside_command(spool: Spool, as_json: bool) -> int:
    entries = spool.set_aside_entries()
    if as_json:
        return print_json_lines(entries)
    print(f"{spool.rejected_path}: {len(entries)} set aside")
    for entry in entries:
        print(f"  {entry['set_aside_at']}  {entry['reason']}  ({len(entry['line'])} characters)")
    return 0


def print_json_lines(entries: list[dict]) -> int:
    for entry in entries:
        print(json.dumps(entry, ensure_ascii=False))
    return 0


def cron_command() -> int:
    """`rq cron` with our connection: RQ's CLI builds its own from --url (no Sentinel), and its
    scheduler quits when Redis goes away; this one waits for the (new) primary and goes on."""
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    connection = redis_from_env()
    scheduler = CronScheduler(connection=connection)
    scheduler.load_config_from_file("relay.cron_config")
    while True:
        wait_for_redis(connection, who="the cron scheduler")
        try:
            scheduler.start()  # returns on SIGTERM or SIGINT
            return 0
        except RedisError as exc:
            scheduler.log.warning("cron scheduler lost Redis (%s); it waits for it", exc)
