"""Runs a service under uvicorn with the project's logging (``python -m <service>``)."""

from __future__ import annotations

import uvicorn


def serve(factory: str, *, host: str, port: int) -> None:
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )
