"""Never twice, even when the process dies between sending and recording.

The guarantee: an attempt is recorded (``sending``, with a lease) and committed before
the provider is called, and the provider gets the delivery's idempotency key. If the
process dies after the provider received the message but before the outcome was
recorded, the delivery stays ``sending`` until its lease runs out; then a worker (the
restarted process or another replica) sends it again WITH THE SAME idempotency key, so
a provider that deduplicates on that key delivers it to the person once.

Here notify runs as a real process (``python -m notify``); the SMS gateway holds the
first request, the test kills the process with SIGKILL while it waits for the answer,
restarts it, and checks what the gateway saw.
"""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from gridcase_events.kit.db import create_engine
from gridcase_events.testing import Recorded, eventually, free_port

pytestmark = pytest.mark.integration


class DedupingGateway:
    """An SMS gateway on a real port that holds its first request until released, and,
    like real providers, sends one SMS per idempotency key (``out_id``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.requests: list[Recorded] = []
        self.sent: dict[str, Recorded] = {}
        self.first_received = asyncio.Event()
        self.release = asyncio.Event()

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Recorded(
            method=scope["method"],
            path=scope["path"],
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=body,
        )
        self.requests.append(request)
        self.sent.setdefault(request.json()["out_id"], request)
        if len(self.requests) == 1:
            self.first_received.set()
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b'{"message_id": "gw-1"}'})


@pytest.fixture
async def gateway() -> AsyncIterator[DedupingGateway]:
    gw = DedupingGateway()
    server = uvicorn.Server(
        uvicorn.Config(
            gw.app,
            host="127.0.0.1",
            port=gw.port,
            log_config=None,
            lifespan="off",
            interface="asgi3",
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield gw
    gw.release.set()
    server.should_exit = True
    await task


def start_notify(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "notify"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as client:

        async def answers() -> bool:
            if proc.poll() is not None:
                raise AssertionError(f"notify exited:\n{tail(log)}")
            try:
                return (await client.get(f"{url}/readyz", timeout=2)).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(answers, timeout=90, interval=0.2)


async def test_a_crash_between_send_and_record_resends_with_the_same_key_once(
    fresh_database: str,
    kafka_bootstrap: str,
    namespace: str,
    gateway: DedupingGateway,
    staff: Any,
    assigned: Any,
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDCASE_", "NOTIFY_"))}
    env |= {
        "GRIDCASE_ENV": "development",
        "DATABASE_URL": fresh_database,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "GRIDCASE_TOPIC_NAMESPACE": namespace,
        "NOTIFY_PORT": str(port),
        "NOTIFY_SMS_GATEWAY_URL": f"http://127.0.0.1:{gateway.port}/sms/send",
        "NOTIFY_SMS_TIMEOUT_SECONDS": "60",
        "NOTIFY_LEASE_SECONDS": "2",
        "NOTIFY_POLL_INTERVAL_SECONDS": "0.1",
        "NOTIFY_QUIET_HOURS": "",
    }
    log = tmp_path / "notify.log"
    proc = start_notify(env, log)
    try:
        await ready(url, proc, log)
        await staff()
        event = await assigned()

        await asyncio.wait_for(gateway.first_received.wait(), timeout=60)
        proc.send_signal(signal.SIGKILL)  # dies while the gateway holds the request
        proc.wait(timeout=10)
        gateway.release.set()
        assert await sms_row(fresh_database, event.subject) == ("sending", 1)

        proc = start_notify(env, log)
        await ready(url, proc, log)

        async def recorded() -> tuple[str, int] | None:
            row = await sms_row(fresh_database, event.subject)
            return row if row[0] == "delivered" else None

        assert await eventually(recorded, timeout=60) == ("delivered", 2)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()

    keys = [r.headers["x-idempotency-key"] for r in gateway.requests]
    assert len(keys) == 2  # the provider was asked twice …
    assert len(set(keys)) == 1  # … with one key,
    assert [r.json()["out_id"] for r in gateway.requests] == keys
    assert len(gateway.sent) == 1  # so the person got one SMS


async def sms_row(database_url: str, case_id: str) -> tuple[str, int]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT status, attempts FROM notify.deliveries"
                        " WHERE case_id = :c AND channel = 'sms'"
                    ),
                    {"c": case_id},
                )
            ).one()
            return str(row[0]), int(row[1])
    finally:
        await engine.dispose()
