"""The backlog alert: the age of the oldest event in a real RQ queue against the threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from relay.work.alerts import api_key_alert, backlog_alert


def test_an_empty_queue_is_no_backlog(queue) -> None:
    assert backlog_alert(queue, timedelta(minutes=30)) == {"kind": "backlog", "ok": True}


def test_the_oldest_event_waiting_longer_than_the_threshold_is_a_backlog(queue) -> None:
    queue.enqueue("relay.jobs.process_event", {"event_id": "first"})
    queue.enqueue("relay.jobs.process_event", {"event_id": "second"})
    soon = datetime.now(UTC) + timedelta(minutes=5)
    assert backlog_alert(queue, timedelta(minutes=30), now=soon)["ok"] is True
    later = datetime.now(UTC) + timedelta(minutes=45)
    alert = backlog_alert(queue, timedelta(minutes=30), now=later)
    assert (alert["ok"], alert["count"]) == (False, 2)
    assert f"the oldest of 2 events in the queue {queue.name} has waited 4" in alert["message"]
    assert "(more than 30)" in alert["message"]


def test_the_key_check_as_an_alert() -> None:
    fine = {"user": "rq-worker", "refused": False, "warning": None}
    assert api_key_alert(fine) == {"kind": "api_key", "ok": True}
    expiring = fine | {"warning": "the workers' API key expires at …"}
    assert api_key_alert(expiring)["message"] == "the workers' API key expires at …"
    assert api_key_alert(fine | {"refused": True}) is None, "Odoo refused: it cannot be told"
    assert api_key_alert({"user": None, "refused": False}) is None, "Odoo did not answer"
