"""rq-dashboard's settings (`rq-dashboard --config relay.dashboard_config`): the same Redis as
every other process, REDIS_URL or the primary Sentinel names. rq-dashboard 0.9.0 takes a
Sentinel address as a redis+sentinel:// URL (its redis_sentinel_url dependency) and follows a
failover through it; the passwords go in settings of their own, not in the URL."""

import os

from relay.config import SentinelConfig, redis_url_from_env

_sentinel = SentinelConfig.from_env(os.environ)

if _sentinel is None:
    RQ_DASHBOARD_REDIS_URL = redis_url_from_env()
else:
    _hosts = ",".join(f"{host}:{port}" for host, port in _sentinel.sentinels)
    RQ_DASHBOARD_REDIS_URL = f"redis+sentinel://{_hosts}/{_sentinel.master}/{_sentinel.db}"
    RQ_DASHBOARD_REDIS_SENTINEL_PASSWORD = _sentinel.sentinel_password or None
    RQ_DASHBOARD_REDIS_PASSWORD = _sentinel.password or None
