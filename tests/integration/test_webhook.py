"""POST /webhook/woo against a real Redis."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient
from rq import Queue
from rq.job import Job
from rq.registry import ScheduledJobRegistry

from relay.pipeline.envelope import validate_envelope
from relay.pipeline.queueing import MAINTENANCE_QUEUE, PROCESS_EVENT, RECONCILE_SOON_JOB_ID
from tests.conftest import SECRET, one_store
from tests.woo import WooRequest, example_payload, php_json, woo_delivery, woo_ping


async def post(client: TestClient, request: WooRequest):
    return await client.post("/webhook/woo", data=request.body, headers=request.headers)


def queued_envelopes(queue: Queue) -> list[dict]:
    jobs = [Job.fetch(job_id, connection=queue.connection) for job_id in queue.job_ids]
    assert all(job.func_name == PROCESS_EVENT for job in jobs)
    return [job.args[0] for job in jobs]


async def metric(client: TestClient, name: str) -> float:
    text = await (await client.get("/metrics")).text()
    values = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name)]
    return sum(values)


async def test_valid_order_delivery_is_enqueued_with_a_valid_envelope(client, queue) -> None:
    order = example_payload("woo.order.created")
    response = await post(client, woo_delivery("order.created", order, SECRET))
    assert response.status == 200
    answer = await response.json()
    assert answer["status"] == "accepted" and answer["queued"] == "enqueued"
    assert answer["idempotency_key"] == (
        "woo:4711@shop.example.com:order.created:20260220T100000Z-b07baab3cf74c831"
    )

    [envelope] = queued_envelopes(queue)
    validate_envelope(envelope)
    assert envelope["event_id"] == answer["event_id"]
    assert envelope["data"] == order  # PHP's escaped slashes and \u escapes decoded intact
    assert envelope["data"]["billing"]["first_name"] == "Zoë"
    assert envelope["meta"]["webhook_id"] == "3"
    job = Job.fetch(envelope["event_id"], connection=queue.connection)
    assert job.meta["trace_id"] == envelope["trace_id"]
    assert job.retries_left == 3
    assert await metric(client, 'relay_webhook_deliveries_total{outcome="enqueued"') == 1


async def test_every_handled_example_is_accepted(client, queue) -> None:
    from tests.woo import EXAMPLES

    woo_examples = sorted(EXAMPLES.glob("woo.*.json"))
    for path in woo_examples:
        example = json.loads(path.read_text())
        topic = example["event_type"].removeprefix("woo.")
        response = await post(client, woo_delivery(topic, example["data"], SECRET))
        assert response.status == 200, (topic, await response.text())
    assert queue.count == len(woo_examples) == 17


async def test_wrong_secret_is_refused_and_nothing_enqueued(client, queue) -> None:
    request = woo_delivery("order.created", example_payload("woo.order.created"), "not-it")
    response = await post(client, request)
    assert response.status == 401
    answer = await response.json()
    assert answer["error"] == "invalid signature" and "WOO_WEBHOOK_SECRET" in answer["detail"]
    assert queue.count == 0
    counted = 'relay_webhook_signature_failures_total{reason="mismatch",store="default"}'
    assert await metric(client, counted) == 1


async def test_missing_signature_is_refused(client, queue) -> None:
    request = woo_delivery("order.created", example_payload("woo.order.created"), SECRET)
    del request.headers["X-WC-Webhook-Signature"]
    response = await post(client, request)
    assert response.status == 401
    assert queue.count == 0
    counted = 'relay_webhook_signature_failures_total{reason="missing",store="default"}'
    assert await metric(client, counted) == 1


async def test_secret_with_special_characters(aiohttp_client, settings, queue) -> None:
    from relay.ingress.app import create_app

    secret = "p&ss<wörd>\"' ;{}|~`"
    client = await aiohttp_client(create_app(settings, one_store(secret)))
    good = woo_delivery("order.updated", example_payload("woo.order.updated"), secret)
    assert (await post(client, good)).status == 200
    bad = woo_delivery("order.updated", example_payload("woo.order.updated"), secret[:-1])
    assert (await post(client, bad)).status == 401
    assert queue.count == 1


async def test_previous_secret_is_accepted_during_a_rotation(aiohttp_client, settings, queue):
    from relay.ingress.app import create_app

    rotating = one_store("new-secret", previous_secret=SECRET)
    client = await aiohttp_client(create_app(settings, rotating))
    old = woo_delivery("order.updated", example_payload("woo.order.updated"), SECRET)
    assert (await post(client, old)).status == 200
    new = woo_delivery("order.created", example_payload("woo.order.created"), "new-secret")
    assert (await post(client, new)).status == 200
    assert queue.count == 2
    webhook_id = old.headers["X-WC-Webhook-ID"]
    assert (
        await metric(
            client,
            f'relay_webhook_previous_secret_total{{store="default",webhook_id="{webhook_id}"}}',
        )
        == 1
    )
    stranger = woo_delivery("order.updated", example_payload("woo.order.updated"), "other")
    assert (await post(client, stranger)).status == 401


async def test_ping_gets_exactly_200_and_is_not_enqueued(client, queue) -> None:
    response = await post(client, woo_ping(webhook_id=12))
    assert response.status == 200
    assert queue.count == 0
    assert await metric(client, 'relay_webhook_deliveries_total{outcome="ping"') == 1


async def test_unsigned_body_that_is_not_a_ping_is_refused(client, queue) -> None:
    request = woo_ping()
    request.body = b"webhook_id=12&status=processing"
    assert (await post(client, request)).status == 401


async def test_signed_body_that_is_not_json_gets_400(client, queue) -> None:
    request = woo_delivery("order.updated", None, SECRET, body=b"<html>oops</html>")
    response = await post(client, request)
    assert response.status == 400
    assert "not JSON" in (await response.json())["error"]
    assert queue.count == 0


async def test_oversize_body_gets_413(client, queue, settings) -> None:
    order = example_payload("woo.order.created")
    order["customer_note"] = "x" * settings.max_body_bytes
    response = await post(client, woo_delivery("order.updated", order, SECRET))
    assert response.status == 413
    assert str(settings.max_body_bytes) in (await response.json())["detail"]
    assert queue.count == 0


async def test_oversize_body_without_content_length_gets_413(client, queue, settings) -> None:
    async def chunks():
        yield b"{" + b" " * settings.max_body_bytes
        yield b"}"

    request = woo_delivery("order.updated", {}, SECRET, body=b"{}")
    response = await client.post("/webhook/woo", data=chunks(), headers=request.headers)
    assert response.status == 413
    assert queue.count == 0


async def test_unknown_topic_is_acknowledged_as_ignored(client, queue) -> None:
    request = woo_delivery("action.woocommerce_add_to_cart", {"action": "x", "arg": 5}, SECRET)
    response = await post(client, request)
    assert response.status == 202
    answer = await response.json()
    assert answer["status"] == "ignored" and "not handled" in answer["reason"]
    assert queue.count == 0
    assert await metric(client, 'relay_webhook_deliveries_total{outcome="ignored"') == 1


async def test_rest_error_object_instead_of_a_resource_is_ignored(client, queue) -> None:
    error = {
        "code": "woocommerce_rest_cannot_view",
        "message": "Sorry, you cannot view this resource.",
        "data": {"status": 401},
    }
    response = await post(client, woo_delivery("order.updated", error, SECRET))
    assert response.status == 202
    assert "woocommerce_rest_cannot_view" in (await response.json())["reason"]
    assert queue.count == 0


async def test_rest_no_route_is_a_warning_counted_and_reconciled_soon(
    client, queue, caplog
) -> None:
    """WooCommerce >= 9.4 delivering synchronously at the end of a Store API checkout builds
    the payload without the REST routes: the order is real, only the delivery lost it."""
    error = {"code": "rest_no_route", "message": "No route was found.", "data": {"status": 404}}
    with caplog.at_level(logging.INFO, logger="relay.ingress.webhook"):
        response = await post(client, woo_delivery("order.created", error, SECRET))
    assert response.status == 202
    assert queue.count == 0
    [record] = [r for r in caplog.records if "REST error" in r.getMessage()]
    assert record.levelno == logging.WARNING and record.rest_error == "rest_no_route"
    counted = (
        'relay_webhook_rest_errors_total{code="rest_no_route",resource="order",store="default"}'
    )
    assert await metric(client, counted) == 1
    scheduled = ScheduledJobRegistry(MAINTENANCE_QUEUE, connection=queue.connection)
    assert scheduled.get_job_ids() == [RECONCILE_SOON_JOB_ID]
    job = Job.fetch(RECONCILE_SOON_JOB_ID, connection=queue.connection)
    assert job.func_name == "relay.jobs.reconcile_recent"
    runs_at = scheduled.get_scheduled_time(RECONCILE_SOON_JOB_ID)
    assert runs_at - datetime.now(UTC) < timedelta(minutes=1)
    await post(client, woo_delivery("order.updated", error, SECRET))
    assert scheduled.count == 1, "one pending run, however many deliveries ask"


async def test_same_body_twice_yields_the_same_idempotency_key(client, queue) -> None:
    body = php_json(example_payload("woo.order.updated"))
    answers = []
    for _ in range(2):
        request = woo_delivery("order.updated", None, SECRET, body=body)
        answers.append(await (await post(client, request)).json())
    assert answers[0]["idempotency_key"] == answers[1]["idempotency_key"]
    assert answers[0]["event_id"] != answers[1]["event_id"]
    keys = {envelope["idempotency_key"] for envelope in queued_envelopes(queue)}
    assert keys == {answers[0]["idempotency_key"]}


async def test_get_on_the_webhook_is_not_allowed(client) -> None:
    assert (await client.get("/webhook/woo")).status == 405


async def test_health_reports_queue_failed_jobs_and_spool(client, queue) -> None:
    await post(client, woo_delivery("order.created", example_payload("woo.order.created"), SECRET))
    response = await client.get("/health")
    assert response.status == 200
    report = await response.json()
    assert report["status"] == "ok"
    assert report["redis"] == {"reachable": True}
    assert report["queue"] == {"name": "woo-events", "depth": 1}
    assert report["failed_jobs"] == 0
    assert report["spool"]["depth"] == 0


async def test_metrics_are_prometheus_text(client) -> None:
    await post(client, woo_delivery("order.created", example_payload("woo.order.created"), SECRET))
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    assert (
        'relay_webhook_deliveries_total{outcome="enqueued",store="default",topic="order.created"}'
        " 1.0" in text
    )
    assert 'relay_enqueue_duration_seconds_count{destination="redis"} 1.0' in text
    assert "relay_spool_depth 0.0" in text


async def test_the_store_is_the_configured_one_never_the_unsigned_source_header(
    client, queue, caplog
) -> None:
    """www. or not, the same order is one key; a delivery naming another store (a staging copy
    with the same secret?) is taken as the configured store's, and said."""
    order = example_payload("woo.order.created")
    keys = []
    with caplog.at_level(logging.WARNING, logger="relay.ingress.webhook"):
        for source in ("https://www.shop.example.com/", "https://staging.example.com/"):
            request = woo_delivery("order.created", order, SECRET)
            request.headers["X-WC-Webhook-Source"] = source
            keys.append((await (await post(client, request)).json())["idempotency_key"])
    assert keys[0] == keys[1]
    assert keys[0].startswith("woo:4711@shop.example.com:order.created:")
    assert {envelope["meta"]["store_url"] for envelope in queued_envelopes(queue)} == {
        "https://shop.example.com"
    }
    [warning] = [r for r in caplog.records if "another address" in r.getMessage()]
    assert warning.source == "https://staging.example.com/"
    assert await metric(client, 'relay_webhook_foreign_source_total{store="default"}') == 1
