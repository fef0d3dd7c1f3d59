"""Prometheus metrics, one registry per app so that apps (and tests) never share counters."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from relay.pipeline.flow import FlowSnapshot


class FlowCollector:
    """Exposes the last FlowSnapshot: the numbers live in Redis, shared by every worker, so
    they are read rather than counted in this process."""

    def __init__(self) -> None:
        self.snapshot = FlowSnapshot()

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot
        applied = CounterMetricFamily(
            "relay_events_applied",
            "Events the workers finished in Odoo, by store and outcome (processed, duplicate, "
            "ignored; failed per failed attempt, dead when dead-lettered).",
            labels=["store", "outcome"],
        )
        for (store, outcome), count in sorted(snapshot.outcomes.items()):
            applied.add_metric([store, outcome], count)
        yield applied
        lag = HistogramMetricFamily(
            "relay_event_lag_seconds",
            "From a delivery accepted by the relay to its event applied in Odoo.",
            labels=["store"],
        )
        for store_lag in snapshot.lags:
            buckets = [
                ("+Inf" if math.isinf(bound) else str(bound), count)
                for bound, count in store_lag.buckets.items()
            ]
            lag.add_metric([store_lag.store], buckets, store_lag.total_seconds)
        yield lag
        oldest = GaugeMetricFamily(
            "relay_queue_oldest_age_seconds",
            "Seconds the oldest job still queued has waited, per queue; 0 when it is empty.",
            labels=["queue", "store"],
        )
        for (queue, store), age in sorted(snapshot.oldest_ages.items()):
            oldest.add_metric([queue, store], age)
        yield oldest


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    flow: FlowCollector = field(default_factory=FlowCollector)

    def __post_init__(self) -> None:
        self.registry.register(self.flow)
        self.deliveries = Counter(
            "relay_webhook_deliveries_total",
            "WooCommerce webhook deliveries by store (its short name, the path's), topic and "
            'outcome; store="(unknown)": a path naming no configured store.',
            ["store", "topic", "outcome"],
            registry=self.registry,
        )
        self.signature_failures = Counter(
            "relay_webhook_signature_failures_total",
            "Deliveries refused because the signature was missing or not the store's, by store "
            "(the one the path names) and reason.",
            ["store", "reason"],
            registry=self.registry,
        )
        self.previous_secret = Counter(
            "relay_webhook_previous_secret_total",
            "Deliveries signed with the store's previous webhook secret (a secret rotation under "
            "way), by store and WooCommerce webhook id.",
            ["store", "webhook_id"],
            registry=self.registry,
        )
        self.rest_errors = Counter(
            "relay_webhook_rest_errors_total",
            "Signed deliveries carrying a WooCommerce REST error instead of the resource "
            "(rest_no_route: a synchronous delivery during a Store API checkout).",
            ["store", "resource", "code"],
            registry=self.registry,
        )
        self.foreign_source = Counter(
            "relay_webhook_foreign_source_total",
            "Signed deliveries whose X-WC-Webhook-Source names another address than their "
            "store's (a staging copy of the shop with the same secret?); accepted as the store's "
            "their path names.",
            ["store"],
            registry=self.registry,
        )
        self.enqueue_seconds = Histogram(
            "relay_enqueue_duration_seconds",
            "Time to put an accepted envelope on RQ or in the spool.",
            ["destination"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=self.registry,
        )
        self.woo_webhooks_disabled = Gauge(
            "relay_woo_webhooks_disabled",
            "WooCommerce webhooks found disabled after failed deliveries (last reconcile).",
            registry=self.registry,
        )
        self.odoo_api_key_expiry = Gauge(
            "relay_odoo_api_key_expiry_timestamp_seconds",
            "When the workers' Odoo API key expires, Unix time; +Inf: never (last check).",
            registry=self.registry,
        )
        self.odoo_api_key_expiry.set(math.nan)  # unknown until a check answers, not 1970
        self.odoo_api_key_refused = Gauge(
            "relay_odoo_api_key_refused",
            "1 when Odoo refused the workers' API key at the last check, else 0.",
            registry=self.registry,
        )
        self.spool_depth = Gauge(
            "relay_spool_depth",
            "Envelopes waiting in the local spool for Redis.",
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "relay_dead_letters",
            "Jobs in RQ's failed-job registry of the events queue: dead letters waiting for a "
            "person (replay in Odoo, Integration › Dead letters, or python -m relay replay).",
            registry=self.registry,
        )
        self.dead_letter_oldest_age = Gauge(
            "relay_dead_letter_oldest_age_seconds",
            "Seconds since the oldest dead letter failed; 0 when there is none.",
            registry=self.registry,
        )
        self.worker_last_error = Gauge(
            "relay_worker_last_error_timestamp_seconds",
            "When the newest failed job of the events or maintenance queue failed, Unix time; "
            "0 when there is none.",
            registry=self.registry,
        )
