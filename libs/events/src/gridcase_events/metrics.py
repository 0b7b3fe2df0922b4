"""Prometheus metrics of the event plumbing, one naming scheme: ``gridcase_*``."""

from __future__ import annotations

import functools
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PUBLISHED = Counter(
    "gridcase_events_published_total",
    "Events published to Kafka by the outbox relay",
    ["service", "topic", "type"],
)
EVENTS_CONSUMED = Counter(
    "gridcase_events_consumed_total",
    "Events handled by a consumer, by outcome (handled, duplicate, ignored)",
    ["consumer", "topic", "type", "outcome"],
)
EVENTS_FAILED = Counter(
    "gridcase_events_failed_total",
    "Failed attempts to handle an event (each retry counts)",
    ["consumer", "topic", "type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "gridcase_events_dead_lettered_total",
    "Events sent to a dead-letter topic",
    ["consumer", "topic", "type", "reason"],
)
OUTBOX_BACKLOG = Gauge(
    "gridcase_outbox_backlog",
    "Outbox rows not yet published",
    ["service"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "gridcase_outbox_oldest_pending_age_seconds",
    "Age of the oldest unpublished outbox row (0 when empty)",
    ["service"],
)
OUTBOX_PUBLISH_LATENCY = Histogram(
    "gridcase_outbox_publish_latency_seconds",
    "Time from outbox insert to acknowledged publish",
    ["service"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
CONSUMER_LAG = Gauge(
    "gridcase_consumer_lag",
    "Messages between a consumer group's position and the partition's high watermark",
    ["consumer", "topic", "partition"],
)
EVENT_HANDLE_SECONDS = Histogram(
    "gridcase_event_handle_seconds",
    "Time to handle one event, inbox and commit included",
    ["consumer", "type"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENT_BATCH_SIZE = Histogram(
    "gridcase_event_batch_size",
    "Events applied together in one transaction by a consumer (a poll, or one partition's run of it)",
    ["consumer"],
    buckets=(2, 5, 10, 25, 50, 100, 250, 500),
)


# The labelled children the consumer runner and the relay touch per event, looked up
# once per label set (``labels()`` takes a lock and builds a key on every call). Only
# counters and histograms, whose children are never removed; the lag gauge's are.
_CHILDREN = 4096


@functools.lru_cache(maxsize=_CHILDREN)
def consumed(consumer: str, topic: str, event_type: str, outcome: str) -> Any:
    return EVENTS_CONSUMED.labels(consumer, topic, event_type, outcome)


@functools.lru_cache(maxsize=_CHILDREN)
def handle_seconds(consumer: str, event_type: str) -> Any:
    return EVENT_HANDLE_SECONDS.labels(consumer, event_type)


@functools.lru_cache(maxsize=_CHILDREN)
def batch_size(consumer: str) -> Any:
    return EVENT_BATCH_SIZE.labels(consumer)


@functools.lru_cache(maxsize=_CHILDREN)
def published(service: str, topic: str, event_type: str) -> Any:
    return EVENTS_PUBLISHED.labels(service, topic, event_type)


@functools.lru_cache(maxsize=_CHILDREN)
def publish_latency(service: str) -> Any:
    return OUTBOX_PUBLISH_LATENCY.labels(service)
