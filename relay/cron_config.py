"""RQ cron configuration: `python -m relay cron` (or `rq cron relay.cron_config --url $REDIS_URL`).

The jobs of a store (reconcile-orders with the webhook watchdog, reconcile-customers,
push-outbox, drift-daily, drift-requests, check-tax-rounding) are registered once, without a
store: each run enqueues one job per store of the stores file as it is then (relay/jobs.py), so a
store added to the file is served without restarting cron, and one store's failure is its own
job's in RQ's failed jobs. check-backlog tells Odoo of each store's backlog in one job; the API
key check and the dead letters' sync serve every store at once."""

import os

from rq import cron

from relay.jobs import (
    check_backlog,
    check_odoo_access,
    check_tax_rounding,
    drift_daily,
    drift_requests,
    push_outbox,
    reconcile_customers,
    reconcile_recent,
    sync_dead_letters,
)
from relay.pipeline.queueing import MAINTENANCE_QUEUE

cron.register(
    reconcile_recent,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("RECONCILE_INTERVAL", "300")),
    name="reconcile-orders",
)

cron.register(
    reconcile_customers,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("CUSTOMER_RECONCILE_INTERVAL", "86400")),
    name="reconcile-customers",
)

cron.register(
    push_outbox,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("OUTBOX_INTERVAL", "10")),
    name="push-outbox",
)

cron.register(
    check_odoo_access,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("ODOO_ACCESS_CHECK_INTERVAL", "3600")),
    name="check-odoo-access",
)

cron.register(
    sync_dead_letters,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("DEAD_LETTER_SYNC_INTERVAL", "300")),
    name="sync-dead-letters",
)

cron.register(
    drift_daily,
    queue_name=MAINTENANCE_QUEUE,
    # A time of day, not an interval: RQ runs an interval job as soon as the scheduler starts,
    # which would read the whole store at every restart of the cron service.
    cron=os.environ.get("DRIFT_CRON", "30 3 * * *"),
    name="drift-daily",
)

cron.register(
    drift_requests,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("DRIFT_REQUESTS_INTERVAL", "60")),
    name="drift-requests",
)

cron.register(
    check_tax_rounding,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("TAX_ROUNDING_CHECK_INTERVAL", "3600")),
    name="check-tax-rounding",
)

cron.register(
    check_backlog,
    queue_name=MAINTENANCE_QUEUE,
    interval=int(os.environ.get("BACKLOG_CHECK_INTERVAL", "300")),
    name="check-backlog",
)
