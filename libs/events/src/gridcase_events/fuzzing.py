"""A property-based run (schemathesis) over a service's OpenAPI document, for tests.

The service runs for real (migrations, producer, relay, consumers) behind uvicorn on a
free loopback port; schemathesis runs as its own process against it, with the headers
given (a bearer token, so that generated requests get past authentication and reach
validation and the database). Every answer's status is counted as the service sent it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gridcase_events.testing import free_port


class StatusCounter:
    """An ASGI wrapper that counts the statuses of the answers the app sends, by path."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.answers: Counter[tuple[str, int]] = Counter()

    @property
    def statuses(self) -> Counter[int]:
        counted: Counter[int] = Counter()
        for (_, status), n in self.answers.items():
            counted[status] += n
        return counted

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.answers[path, message["status"]] += 1
            await send(message)

        await self.app(scope, receive, record)


@dataclass
class FuzzRun:
    returncode: int
    output: str
    statuses: Counter[int] = field(default_factory=Counter)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    report: Any = None
    """schemathesis's JSON report, as parsed (None when it wrote none)."""

    @property
    def server_errors(self) -> dict[int, int]:
        return {s: n for s, n in self.statuses.items() if s >= 500}

    def statuses_where(self, path: Callable[[str], bool]) -> Counter[int]:
        """The statuses of the answers to requests whose path `path` accepts (e.g. the
        staff endpoints, to see that the token got requests past authentication)."""
        counted: Counter[int] = Counter()
        for (p, status), n in self.answers.items():
            if path(p):
                counted[status] += n
        return counted


Prepare = Callable[[str], Awaitable[None]]
"""Runs against the served app (given its base URL) before schemathesis starts."""


async def fuzz_openapi(
    app: Any,
    *,
    workdir: Path,
    headers: dict[str, str],
    exclude_paths: tuple[str, ...] = (),
    max_examples: int = 30,
    seed: int = 20261121,
    timeout: float = 240.0,
    prepare_before_fuzzing: Prepare | None = None,
) -> FuzzRun:
    """Serves `app` and runs schemathesis (check ``not_a_server_error``) against its
    ``/openapi.json``; `exclude_paths` leaves out operations that never end on their own
    (event streams). `prepare_before_fuzzing` puts data in through the served app first
    (a directory to import, say); the answers it gets are not counted in the run."""
    import uvicorn

    counted = StatusCounter(app)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(counted, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    args = [
        "run",
        f"http://127.0.0.1:{port}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        str(workdir / "report.json"),
    ]
    for name, value in headers.items():
        args += ["--header", f"{name}: {value}"]
    for path in exclude_paths:
        args += ["--exclude-path", path]
    try:
        while not server.started:
            if serving.done():
                raise RuntimeError("the service did not start")
            await asyncio.sleep(0.05)
        if prepare_before_fuzzing is not None:
            await prepare_before_fuzzing(f"http://127.0.0.1:{port}")
            counted.answers.clear()
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("schemathesis")),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
            cwd=workdir,  # its cache (.schemathesis/) stays out of the work tree
        )
        output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    finally:
        server.should_exit = True
        await serving
    report = workdir / "report.json"
    return FuzzRun(
        returncode=process.returncode or 0,
        output=output.decode(errors="replace"),
        statuses=counted.statuses,
        answers=counted.answers,
        report=json.loads(report.read_text()) if report.exists() else None,
    )
