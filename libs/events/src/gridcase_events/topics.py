"""Topic names — they live here and nowhere else (docs/architecture.md).

One topic per producing service, keyed by case id; the log-compacted directory topic
keyed by entity id; and a dead-letter topic beside each. ``GRIDCASE_TOPIC_NAMESPACE``
prefixes every name so that several environments (or test runs) can share a cluster.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

INTAKE = "gridcase.intake.v1"
DISPATCH = "gridcase.dispatch.v1"
ESCALATION = "gridcase.escalation.v1"
NOTIFY = "gridcase.notify.v1"
DIRECTORY = "gridcase.directory.v1"

BY_SOURCE = {
    "intake": INTAKE,
    "dispatch": DISPATCH,
    "escalation": ESCALATION,
    "notify": NOTIFY,
}
CASE_TOPICS = (INTAKE, DISPATCH, ESCALATION, NOTIFY)
DLQ_SUFFIX = ".dlq"

log = logging.getLogger(__name__)


def dlq(topic: str) -> str:
    return topic + DLQ_SUFFIX


def for_event(*, source: str, event_type: str) -> str:
    """The logical topic an event is published to."""
    if event_type.startswith("directory."):
        return DIRECTORY
    try:
        return BY_SOURCE[source]
    except KeyError:
        raise ValueError(f"unknown event source {source!r}") from None


def qualify(namespace: str, topic: str) -> str:
    return f"{namespace}{topic}"


def unqualify(namespace: str, topic: str) -> str:
    return topic[len(namespace) :] if namespace and topic.startswith(namespace) else topic


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str]


def specs(*, partitions: int = 6) -> list[TopicSpec]:
    """Every topic the platform uses, with its configuration."""
    out = [TopicSpec(t, partitions, {"retention.ms": str(14 * 86_400_000)}) for t in CASE_TOPICS]
    out.append(
        TopicSpec(
            DIRECTORY,
            3,
            {"cleanup.policy": "compact", "min.compaction.lag.ms": "60000"},
        )
    )
    out += [
        TopicSpec(dlq(t), 1, {"retention.ms": str(30 * 86_400_000)})
        for t in (*CASE_TOPICS, DIRECTORY)
    ]
    return out


async def ensure(
    bootstrap_servers: str, *, namespace: str = "", partitions: int = 6, replication: int = 1
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="gridcase-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=qualify(namespace, s.name),
                num_partitions=s.partitions,
                replication_factor=replication,
                topic_configs=s.config,
            )
            for s in specs(partitions=partitions)
            if qualify(namespace, s.name) not in existing
        ]
        if not wanted:
            return []
        try:
            response = await admin.create_topics(wanted)
        except TopicAlreadyExistsError:
            response = None
        failed = [
            f"{err[0]}: error {err[1]} {err[2] if len(err) > 2 else ''}".strip()
            for err in (response.topic_errors if response is not None else [])
            if err[1] not in (0, TopicAlreadyExistsError.errno)
        ]
        if failed:
            raise RuntimeError(f"could not create topics: {'; '.join(failed)}")
        # Metadata propagates asynchronously; wait until every topic is listed.
        names = [t.name for t in wanted]
        for _ in range(100):
            if set(names) <= set(await admin.list_topics()):
                return names
            await asyncio.sleep(0.1)
        raise TimeoutError(f"topics not visible after 10 s: {sorted(set(names))}")
    finally:
        await admin.close()
