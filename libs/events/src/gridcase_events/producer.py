"""The idempotent Kafka producer every service publishes through."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer


def create_producer(
    bootstrap_servers: str, *, client_id: str, linger_ms: int = 5
) -> AIOKafkaProducer:
    """An idempotent producer: ``acks=all`` and ``enable_idempotence`` (off by default in
    aiokafka), so broker-side retries never duplicate or reorder a partition's records.
    `linger_ms`: how long a record waits for others to share its request."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=linger_ms,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )
