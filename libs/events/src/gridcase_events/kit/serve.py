"""Runs a service under uvicorn with the project's logging (``python -m <service>``)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

import uvicorn


def parse_role(service: str, argv: Sequence[str] | None = None) -> None:
    """Reads ``--role api|worker|all`` (``python -m <service> --role worker``) into
    ``GRIDCASE_ROLE``, which the service's settings read; without the flag the
    environment's ``GRIDCASE_ROLE`` stands, else `all`."""
    parser = argparse.ArgumentParser(prog=f"python -m {service}")
    parser.add_argument(
        "--role",
        choices=("api", "worker", "all"),
        help="api: HTTP only (and the outbox relay); worker: consumers and background "
        "workers, HTTP health and metrics only; all: both (the default)",
    )
    role = parser.parse_args(argv).role
    if role is not None:
        os.environ["GRIDCASE_ROLE"] = role


def serve(factory: str, *, host: str, port: int) -> None:
    """uvloop's event loop and httptools' parser (pinned dependencies of the kit): the
    consumers, the relay and the HTTP API share one loop, and these make it cheaper."""
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )
