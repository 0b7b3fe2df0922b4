"""Runs a service under uvicorn with the project's logging (``python -m <service>``)."""

from __future__ import annotations

import argparse
import gc
import importlib
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


def freeze_imports(module: str) -> int:
    """Imports `module` (the app the server will build) and freezes everything made so
    far out of the collector's walks; returns how many objects were frozen. A full
    collection walks every object the process holds, and most of them (modules,
    classes, functions, schemas, mappers) are made at import and live as long as the
    process: at 150 pushes a second a full collection took ~120 ms of CPU, and of the
    event loop, three times a minute, and the collector ~8 % of intake's CPU
    (docs/benchmarks.md, "intake's collector"). Frozen, a full collection walks only
    what was made since. Called by each service's ``python -m``, before serving."""
    importlib.import_module(module)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
