"""The one way every process reaches Redis: the primary Sentinel names (REDIS_SENTINELS), or
REDIS_URL. A Sentinel client asks the sentinels again whenever its connection breaks, so the
relay, the workers, the cron scheduler and the dashboard follow a failover by themselves."""

from __future__ import annotations

from typing import Any

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from redis.sentinel import Sentinel

from relay.config import SentinelConfig, redis_url_from_env


def redis_connection(
    url: str,
    sentinel: SentinelConfig | None,
    timeout: float | None = None,
    *,
    pinned: bool = False,
    retries: int | None = None,
) -> Redis:
    """A client of the Redis primary.

    `pinned`: one connection and no silent retry, for a writer that sends WAIT after its
    MULTI/EXEC. WAIT counts the replicas that acknowledged the last write *of its own
    connection*: on another connection, or on one reconnected in between (which has written
    nothing), it would answer at once that every replica has the job.
    `retries`: attempts after a connection error, at once (redis-py's default: 10, backing
    off for about 3 s in all, which a relay answering a delivery cannot wait).
    """
    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if retries is not None:
        options["retry"] = Retry(NoBackoff(), retries)
    if pinned:
        options |= {"max_connections": 1, "retry": Retry(NoBackoff(), 0)}
    if sentinel is None:
        return Redis.from_url(url, **options)
    return sentinel_manager(sentinel, timeout).master_for(
        sentinel.master, password=sentinel.password or None, db=sentinel.db, **options
    )


def redis_from_env(timeout: float | None = None) -> Redis:
    """For the commands beside the relay (worker, cron, replay, import, ...)."""
    return redis_connection(redis_url_from_env(), SentinelConfig.from_env(), timeout)


def sentinel_manager(sentinel: SentinelConfig, timeout: float | None = None) -> Sentinel:
    return Sentinel(
        list(sentinel.sentinels),
        sentinel_kwargs={
            "password": sentinel.sentinel_password or None,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        },
    )


def sentinel_view(sentinel: SentinelConfig, timeout: float = 1.0) -> str:
    """What the sentinels say of the primary, in words, for /health while it is unreachable:
    the address they name, and whether they see it down or are failing over."""
    seen = []
    for host, port in sentinel.sentinels:
        client = Redis(
            host=host,
            port=port,
            password=sentinel.sentinel_password or None,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        try:
            state = client.sentinel_master(sentinel.master)
        except RedisError as exc:
            seen.append(f"sentinel {host}:{port} unreachable ({exc})")
            continue
        finally:
            client.close()
        return describe_primary(state)
    return "; ".join(seen) or "no sentinel configured"


def describe_primary(state: dict[str, Any]) -> str:
    """One sentinel's SENTINEL MASTER answer as a sentence."""
    address = f"{state['ip']}:{state['port']}"
    flags = set(str(state.get("flags", "")).split(","))
    if "failover_in_progress" in flags or state.get("failover-state", "none") != "none":
        return f"Sentinel reports a failover in progress (primary was {address})"
    if flags & {"s_down", "o_down"}:
        return f"Sentinel sees the primary {address} down; a failover follows once a quorum agrees"
    return f"Sentinel names {address} as the primary"


def replica_problem(connection: Redis, min_replicas: int) -> str | None:
    """Fewer replicas attached to the primary than RELAY_REDIS_MIN_REPLICAS, in words."""
    if min_replicas <= 0:
        return None
    attached = int(connection.info("replication").get("connected_slaves", 0))
    if attached >= min_replicas:
        return None
    return (
        f"the Redis primary has {attached} replica(s) attached and RELAY_REDIS_MIN_REPLICAS "
        f"is {min_replicas}: deliveries wait in the spool until a replica is back"
    )
