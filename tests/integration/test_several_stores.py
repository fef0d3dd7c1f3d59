"""One worker pool serves every store of the stores file (STORES_FILE): each store's work is done
with its own REST key, the cron jobs run once per store of the file as it is when they run, each
store keeps its own state in Redis (with the one-store keys as fallback), and /health and
/metrics tell the stores apart by name. Real Redis, real RQ workers, two fake WooCommerces."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job

from relay.cli import main as cli_main
from relay.ingress.app import create_app
from relay.pipeline import flow, status
from relay.pipeline.envelope import format_utc
from relay.pipeline.queueing import MAINTENANCE_QUEUE, enqueue_envelope
from relay.stores import load_stores
from relay.work.per_store import woo_client
from relay.work.reconcile import (
    CHECKPOINT_KEY,
    OVERLAP,
    checkpoint_key,
    read_checkpoint,
    reconcile_orders,
)
from tests.fake_woo import FakeWoo
from tests.integration.test_first_sync import numbered
from tests.integration.test_flow_metrics import sample
from tests.integration.test_outbound import acks, stock
from tests.integration.test_reconcile import make_order
from tests.integration.test_worker import NO_WAIT, fresh
from tests.woo import EXAMPLES


@pytest.fixture
def second_woo():
    fake = FakeWoo(key="ck_fr", secret="cs_fr")
    fake.start()
    yield fake
    fake.stop()


def write_stores(path: Path, *stores: tuple[str, FakeWoo, str]) -> Path:
    """A stores file of (name, fake store, consumer secret given to the workers)."""
    path.write_text(
        "".join(
            f'[stores.{name}]\nurl = "{fake.url}"\nwebhook_secret = "hook-{name}"\n'
            f'consumer_key = "{fake.key}"\nconsumer_secret = "{secret}"\n\n'
            for name, fake, secret in stores
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def stores_file(tmp_path, fake_woo, second_woo, monkeypatch) -> Path:
    for name in ("WOO_STORE_URL", "WOO_CONSUMER_KEY", "WOO_CONSUMER_SECRET", "WOO_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WOO_BACKOFF_FACTOR", "0")
    path = write_stores(
        tmp_path / "stores.toml", ("de", fake_woo, fake_woo.secret), ("fr", second_woo, "cs_fr")
    )
    monkeypatch.setenv("STORES_FILE", str(path))
    return path


def run_maintenance(queue: Queue) -> Queue:
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    SimpleWorker([maintenance, queue], connection=queue.connection).work(burst=True)
    return maintenance


def test_the_outbox_is_pushed_per_store_with_its_key_and_a_wrong_key_fails_alone(
    fake_odoo, fake_woo, second_woo, stores_file, queue, tmp_path
) -> None:
    write_stores(stores_file, ("de", fake_woo, fake_woo.secret), ("fr", second_woo, "wrong"))
    de_row, fr_row = stock(131, 9), stock(131, 4)
    fake_odoo.add_outbox(de_row, fake_woo.store)
    fake_odoo.add_outbox(fr_row, second_woo.store)

    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    cron = maintenance.enqueue("relay.jobs.push_outbox")
    run_maintenance(queue)

    assert set(cron.return_value()["stores"]) == {"de", "fr"}, "one job per store"
    assert fake_woo.stock == {131: 9}, "de's row pushed to de with de's key"
    assert second_woo.stock == {}, "fr refused the wrong key"
    assert acks(fake_odoo) == {de_row["event_id"]: True, fr_row["event_id"]: False}
    fr_ack = next(row for row in fake_odoo.outbox if row["store"] == second_woo.store)["acks"][0]
    assert "401" in fr_ack["error"] or "key" in fr_ack["error"].lower()

    write_stores(stores_file, ("de", fake_woo, fake_woo.secret), ("fr", second_woo, "cs_fr"))
    fresh_row = stock(132, 2)
    fake_odoo.add_outbox(fresh_row, second_woo.store)
    maintenance.enqueue("relay.jobs.push_outbox")
    run_maintenance(queue)
    assert second_woo.stock[132] == 2, "the corrected file is used by the next job"


def test_a_cron_job_serves_a_store_added_to_the_file_and_never_piles_up_runs(
    fake_odoo, fake_woo, second_woo, stores_file, queue
) -> None:
    write_stores(stores_file, ("de", fake_woo, fake_woo.secret))
    fake_odoo.add_outbox(stock(131, 9), fake_woo.store)
    fake_odoo.add_outbox(stock(141, 1), second_woo.store)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    maintenance.enqueue("relay.jobs.push_outbox")
    run_maintenance(queue)
    assert (fake_woo.stock, second_woo.stock) == ({131: 9}, {})

    write_stores(stores_file, ("de", fake_woo, fake_woo.secret), ("fr", second_woo, "cs_fr"))
    # Two cron runs before any worker: each store's job of the first still waits.
    for _ in range(2):
        maintenance.enqueue("relay.jobs.push_outbox", at_front=True)
        SimpleWorker([maintenance], connection=queue.connection).work(burst=True, max_jobs=1)
    per_store = [Job.fetch(job_id, connection=queue.connection) for job_id in maintenance.job_ids]
    assert sorted(job.args for job in per_store) == [("de",), ("fr",)]
    assert {job.meta["store"] for job in per_store} == {fake_woo.store, second_woo.store}
    run_maintenance(queue)
    assert second_woo.stock == {141: 1}, "the store added to the file is served"


def test_reconcile_keeps_a_checkpoint_per_store_and_starts_from_the_one_store_key(
    fake_woo, second_woo, stores_file, queue
) -> None:
    fake_woo.orders = [make_order(n) for n in range(3)]
    second_woo.orders = [make_order(n) for n in range(200, 205)]
    legacy = datetime(2026, 2, 1, 0, 1, tzinfo=UTC)
    queue.connection.set(CHECKPOINT_KEY, legacy.strftime("%Y-%m-%dT%H:%M:%S"))
    de, fr = load_stores()

    assert read_checkpoint(queue.connection, de.url) == legacy, "the one-store key, read"
    report = reconcile_orders(woo_client(de), queue, de.url)
    assert report.since == format_utc(legacy - OVERLAP), "an upgraded store goes on from it"
    assert queue.connection.get(CHECKPOINT_KEY) is None, "done with once a store has its own"
    assert read_checkpoint(queue.connection, de.url) == datetime(2026, 2, 1, 0, 2, 30, tzinfo=UTC)

    report = reconcile_orders(woo_client(fr), queue, fr.url, since=legacy)
    assert report.enqueued == 5
    assert read_checkpoint(queue.connection, fr.url) == datetime(2026, 2, 3, 3, 24, 30, tzinfo=UTC)
    assert read_checkpoint(queue.connection, de.url) == datetime(2026, 2, 1, 0, 2, 30, tzinfo=UTC)
    assert checkpoint_key(de.url, "order") != checkpoint_key(fr.url, "order")
    stores_of = {
        Job.fetch(job_id, connection=queue.connection).args[0]["meta"]["store_url"]
        for job_id in queue.job_ids
    }
    assert stores_of == {de.url, fr.url}, "each store's orders named after their store"


def test_the_store_option_selects_one_and_an_unknown_name_exits_2_with_the_names(
    fake_woo, second_woo, stores_file, queue, redis_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    fake_woo.orders = [make_order(1)]
    second_woo.orders = [make_order(2), make_order(3)]

    assert cli_main(["reconcile", "--store", "fr", "--since", "2026-01-01T00:00:00"]) == 0
    out = capsys.readouterr().out
    assert "== store fr" in out and "== store de" not in out
    assert "orders modified since 2026-01-01T00:00:00Z: 2 enqueued" in out
    assert fake_woo.requests == [], "de is not read"

    assert cli_main(["reconcile", "--store", "nope"]) == 2
    error = capsys.readouterr().err
    assert "no store named 'nope'" in error and "the stores are: de, fr" in error

    assert cli_main(["reconcile", "--since", "2026-01-01T00:00:00"]) == 0
    out = capsys.readouterr().out
    assert out.index("== store de") < out.index("== store fr"), "every store, in the file's order"


def test_an_event_is_worked_with_its_own_stores_key(
    fake_odoo, fake_woo, second_woo, stores_file, queue
) -> None:
    refunded = json.loads((EXAMPLES / "woo.order.updated.refunded.json").read_text())
    envelope = copy.deepcopy(refunded)
    del envelope["fetched"]
    envelope["meta"]["store_url"] = second_woo.url
    second_woo.refunds[4711] = copy.deepcopy(refunded["fetched"]["refunds"])
    enqueue_envelope(queue, envelope, NO_WAIT)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert fake_woo.requests == [], "not the other store"
    assert sorted(second_woo.requests) == [
        "GET /wp-json/wc/v3/orders/4711/refunds/4801?",
        "GET /wp-json/wc/v3/orders/4711/refunds/4802?",
    ]
    (applied,) = [row for row in fake_odoo.ledger.values() if row["state"] == "done"]
    assert applied is not None


async def test_health_and_metrics_tell_the_stores_apart(
    aiohttp_client, settings, fake_woo, second_woo, stores_file, queue
) -> None:
    stores = load_stores()
    de, fr = stores
    connection = queue.connection
    status.save_last_reconcile(connection, de.url)
    problem = {"problem": "missing", "topic": "order.created", "message": "no webhook sends …"}
    status.save_webhook_report(connection, fr.url, [], [problem], "https://relay/webhook/woo/fr")
    waiting = fresh("woo.order.created")
    waiting["meta"]["store_url"] = fr.url
    enqueue_envelope(queue, waiting, NO_WAIT)
    job = Job.fetch(waiting["event_id"], connection=connection)
    job.enqueued_at = datetime.now(UTC) - timedelta(hours=2)
    job.save()
    for store_url in (de.url, fr.url, fr.url, "https://gone.example.com"):
        envelope = fresh("woo.order.created")
        envelope["meta"]["store_url"] = store_url
        flow.record_outcome(connection, envelope, "processed")

    client = await aiohttp_client(create_app(settings, stores))
    health = await (await client.get("/health")).json()
    assert set(health["stores"]) == {"de", "fr"}
    assert health["stores"]["de"]["status"] == "ok"
    assert health["stores"]["de"]["last_reconcile"] is not None
    assert health["stores"]["fr"]["status"] == "degraded"
    assert health["stores"]["fr"]["webhooks"]["problems"] == [problem]
    assert health["stores"]["fr"]["backlog"]["oldest_age_seconds"]["woo-events"] >= 7200
    assert health["stores"]["de"]["backlog"]["oldest_age_seconds"]["woo-events"] == 0
    assert health["status"] == "degraded"
    assert any(p.startswith("store fr: 1 WooCommerce webhook problem") for p in health["problems"])
    assert not any(p.startswith("store de:") for p in health["problems"])

    text = await (await client.get("/metrics")).text()
    applied = "relay_events_applied_total"
    assert sample(text, applied, store="de", outcome="processed") == 1
    assert sample(text, applied, store="fr", outcome="processed") == 2
    assert sample(text, applied, store="gone.example.com", outcome="processed") == 1
    age = sample(text, "relay_queue_oldest_age_seconds", queue="woo-events", store="fr")
    assert age >= 7200
    assert sample(text, "relay_queue_oldest_age_seconds", queue="woo-events", store="de") == 0


def test_each_stores_oldest_queued_job_is_found_behind_another_stores(queue) -> None:
    for n, (store_url, seconds) in enumerate(
        [("https://de.example.com", 900)] * 15 + [("https://fr.example.com", 600)]
    ):
        envelope = fresh("woo.order.created")
        envelope["meta"]["store_url"] = store_url
        enqueue_envelope(queue, envelope, NO_WAIT)
        job = Job.fetch(envelope["event_id"], connection=queue.connection)
        job.enqueued_at = datetime.now(UTC) - timedelta(seconds=seconds - n)
        job.save()
    ages = flow.oldest_queued_by_store(queue, {"de.example.com", "fr.example.com"})
    assert 899 <= ages["de.example.com"] < 960, "the head"
    assert 584 <= ages["fr.example.com"] < 650, "the first of its own, past the first chunk"

    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    maintenance.enqueue("relay.jobs.sync_dead_letters")  # a job of every store
    every = flow.oldest_queued_by_store(maintenance, {"de.example.com", "fr.example.com"})
    assert set(every) == {"de.example.com", "fr.example.com"}
    assert flow.oldest_queued_by_store(Queue("empty", connection=queue.connection), {"x"}) == {}


def test_an_import_reads_the_store_odoo_names_with_its_key(
    fake_odoo, fake_woo, second_woo, stores_file, queue
) -> None:
    steps = [{"resource": "customer", "state": "pending", "since": None, "read_up_to": None}]
    fake_odoo.imports[5] = {
        "status": "running",
        "import_id": 5,
        "store_url": second_woo.url,
        "steps": steps,
    }
    second_woo.customers = numbered("woo.customer.updated", 3, 40)
    maintenance = Queue(MAINTENANCE_QUEUE, connection=queue.connection)
    job = maintenance.enqueue("relay.jobs.run_import", 5)
    SimpleWorker([maintenance], connection=queue.connection).work(burst=True)
    assert job.return_value() == {"customer": 3}
    assert fake_woo.requests == [], "not the other store"
    stores_of = {
        Job.fetch(job_id, connection=queue.connection).args[0]["meta"]["store_url"]
        for job_id in queue.job_ids
    }
    assert stores_of == {second_woo.url}
