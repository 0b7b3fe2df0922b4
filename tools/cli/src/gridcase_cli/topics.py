"""``gridcase topics``: the Kafka topics."""

from __future__ import annotations

import asyncio

import typer

from gridcase_cli.common import (
    _settings,
    console,
)
from gridcase_events import topics

app = typer.Typer(help="Kafka topics.", no_args_is_help=True)


@app.command("create")
def topics_create() -> None:
    """Create every topic that does not exist yet."""
    settings = _settings()
    created = asyncio.run(
        topics.ensure(
            settings.kafka_bootstrap_servers,
            namespace=settings.topic_namespace,
            partitions=settings.topic_partitions,
        )
    )
    console.print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
