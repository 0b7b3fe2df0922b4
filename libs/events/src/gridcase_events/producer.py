"""The idempotent Kafka producer every service publishes through."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer


def create_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    """An idempotent producer: ``acks=all`` and ``enable_idempotence`` (off by default in
    aiokafka), so broker-side retries never duplicate or reorder a partition's records."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )
