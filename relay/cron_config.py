"""RQ cron configuration: `rq cron relay.cron_config --url $REDIS_URL`."""

import os

from rq import cron

from relay.jobs import reconcile_orders

cron.register(
    reconcile_orders,
    queue_name="woo-maintenance",
    interval=int(os.environ.get("RECONCILE_INTERVAL", "300")),
    name="reconcile-orders",
)
