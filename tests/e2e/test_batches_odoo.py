"""A backlog drained as deployed: signed deliveries through the relay wait on Redis, then two
`python -m relay worker` processes send them to a real Odoo 18 running worker processes,
several events per request (relay/work/event_batches.py), as the Integration User."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis
from rq.job import Job, JobStatus

from tests.e2e.conftest import deliver
from tests.e2e.test_real_odoo import ledger, map_currency_and_replay, new_order, sale_order
from tests.waiting import wait_for

ENDED = (JobStatus.FINISHED, JobStatus.FAILED)


def test_a_backlog_reaches_odoo_in_batches_and_each_event_ends_as_alone(
    odoo, relay, start_worker, redis_url
) -> None:
    """Twelve orders created pending, one in a currency Odoo does not know, then each paid a
    second later: every order is applied once and ends paid, the refused one becomes a dead
    letter at once without holding up its neighbours, and Odoo served batches."""
    logged = odoo.log_path.stat().st_size
    odoo.stop()
    odoo.start(workers=2, log_level="info")  # info: Odoo logs each request's path
    try:
        created_at = datetime.now(UTC).replace(microsecond=0)
        orders = [new_order("pending", created_at) for _ in range(12)]
        refused = new_order("processing", created_at, currency="ZZB")
        accepted = [deliver(relay, "order.created", order) for order in orders]
        refused_event = deliver(relay, "order.created", refused)["event_id"]
        paid_at = (created_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
        accepted += [
            deliver(
                relay,
                "order.updated",
                order | {"status": "processing", "date_modified_gmt": paid_at},
            )
            for order in orders
        ]
        events = [answer["event_id"] for answer in accepted] + [refused_event]
        connection = Redis.from_url(redis_url)

        def ended() -> bool:
            jobs = Job.fetch_many(events, connection=connection)
            return all(job is not None and job.get_status() in ENDED for job in jobs)

        start_worker()
        start_worker()
        wait_for(ended, 180, "every event applied or dead")

        for order in orders:
            rows = ledger(odoo, order["id"])
            assert len(rows) == 2, rows
            assert all(row["attempts"] == 1 for row in rows), rows
            assert {row["state"] for row in rows} <= {"done", "ignored", "superseded"}, rows
            result = sale_order(odoo, order["id"])
            assert (result["woo_status"], result["state"]) == ("processing", "sale")
        for event_id in events[:-1]:
            assert Job.fetch(event_id, connection=connection).get_status() == JobStatus.FINISHED
        refused_job = Job.fetch(refused_event, connection=connection)
        assert refused_job.get_status() == JobStatus.FAILED
        [dead] = ledger(odoo, refused["id"])
        assert dead["state"] == "dead" and dead["attempts"] == 1, dead
        # Replayed in Odoo once its currency is mapped: no dead letter stays for other tests.
        map_currency_and_replay(odoo, "ZZB", dead["id"])
        assert sale_order(odoo, refused["id"])["state"] == "sale"
        with odoo.log_path.open() as log:
            log.seek(logged)
            written = log.read()
        assert "POST /elitaco/v1/events/batch" in written, "Odoo served no batch"
        assert "Traceback" not in written, written[-3000:]
    finally:
        odoo.stop()
        odoo.start()
