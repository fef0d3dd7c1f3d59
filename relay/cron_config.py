"""RQ cron configuration: `rq cron relay.cron_config --url $REDIS_URL`."""

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
