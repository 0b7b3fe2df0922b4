"""The live inbox over Server-Sent Events, against the app served on a real port."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from gridcase_events.kit import auth
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.settings import DEV_JWT_SECRET
from gridcase_events.testing import HttpSink, bearer, eventually, free_port
from notify.config import NotifySettings
from notify.main import create_app

pytestmark = pytest.mark.integration

GM111A = bearer("gm111a", "grid_member", "510302001001001")
GM112A = bearer("gm112a", "grid_member", "510302001001002")


@pytest.fixture
async def server(
    fresh_database: str,
    kafka_bootstrap: str,
    namespace: str,
    clock: ManualClock,
    http_sink: HttpSink,
) -> AsyncIterator[str]:
    settings = NotifySettings(
        env="development",
        database_url=fresh_database,
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_namespace=namespace,
        sms_gateway_url=f"{http_sink.url}/sms/send",
        poll_interval_seconds=0.05,
        inbox_poll_seconds=0.05,
        inbox_heartbeat_seconds=0.2,
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


class Stream:
    """Reads one SSE connection into events and comments."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.comments: list[str] = []
        self.status: int | None = None
        self.content_type: str | None = None

    async def read(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        async with client.stream("GET", url, headers=headers) as response:
            self.status = response.status_code
            self.content_type = response.headers.get("content-type")
            event: dict[str, Any] = {}
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    self.comments.append(line)
                elif line == "":
                    if event:
                        self.events.append(event)
                    event = {}
                else:
                    field, _, value = line.partition(": ")
                    event[field] = value


async def test_stream_replays_after_last_event_id_then_goes_live_for_its_owner_only(
    server: str, staff: Any, assigned: Any
) -> None:
    await staff()
    await staff("gm112a", "13800000012")
    for n in (1, 2, 3):
        await assigned(tracking_no=f"GC-20261121-INBOX{n}")
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:

        async def three() -> list[dict[str, Any]] | None:
            items: list[dict[str, Any]] = (await client.get("/v1/inbox", headers=GM111A)).json()
            return items if len(items) == 3 else None

        listed = sorted(await eventually(three), key=lambda i: i["id"])
        first, second, third = listed

        mine, theirs = Stream(), Stream()
        readers = [
            asyncio.create_task(
                mine.read(client, "/v1/inbox/stream", {**GM111A, "Last-Event-ID": str(first["id"])})
            ),
            asyncio.create_task(theirs.read(client, "/v1/inbox/stream?last_event_id=0", GM112A)),
        ]
        try:

            async def replayed() -> bool:
                return len(mine.events) == 2

            await eventually(replayed)
            await assigned(tracking_no="GC-20261121-INBOX4")

            async def live() -> bool:
                return len(mine.events) == 3 and len(theirs.comments) >= 3

            await eventually(live)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    assert mine.status == 200
    assert mine.content_type is not None
    assert mine.content_type.startswith("text/event-stream")
    ids = [int(e["id"]) for e in mine.events]
    assert ids[:2] == [second["id"], third["id"]]
    assert ids[2] > third["id"]
    data = [json.loads(e["data"]) for e in mine.events]
    assert [d["title"].split()[-1] for d in data] == [
        second["title"].split()[-1],
        third["title"].split()[-1],
        "GC-20261121-INBOX4",
    ]
    assert {e["event"] for e in mine.events} == {"case.assigned"}
    assert theirs.events == []  # another staff member never sees them
    assert any(c.startswith(": heartbeat") for c in theirs.comments)


async def test_stream_needs_a_token_and_a_numeric_last_event_id(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        anonymous = await client.get("/v1/inbox/stream")
        garbled = await client.get(
            "/v1/inbox/stream", headers={**GM111A, "Last-Event-ID": "yesterday"}
        )
    assert anonymous.status_code == 401
    assert garbled.status_code == 422


def token(sub: str, *, now: datetime, ttl: timedelta) -> dict[str, str]:
    minted = auth.mint(
        DEV_JWT_SECRET,
        sub=sub,
        role="grid_member",
        area_code="510302001001001",
        now=now,
        ttl=ttl,
    )
    return {"Authorization": f"Bearer {minted}"}


async def test_stream_ends_when_the_token_expires(server: str, clock: ManualClock) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    clock.set(now)
    stream = Stream()
    headers = token("gm111a", now=now, ttl=timedelta(minutes=10))
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        reader = asyncio.create_task(stream.read(client, "/v1/inbox/stream", headers))
        try:

            async def connected() -> bool:
                return len(stream.comments) >= 2  # connected, and a heartbeat

            await eventually(connected)
            assert not reader.done()  # the token is still good: the stream stays open
            clock.advance(timedelta(minutes=10))
            await asyncio.wait_for(reader, timeout=10)  # the server ends it
        finally:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    assert stream.status == 200
    assert stream.comments[-1] == ": token expired"


async def test_one_person_may_hold_three_streams_at_once(server: str) -> None:
    streams = [Stream() for _ in range(3)]
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        readers = [asyncio.create_task(s.read(client, "/v1/inbox/stream", GM111A)) for s in streams]
        try:

            async def all_open() -> bool:
                return all(s.comments for s in streams)

            await eventually(all_open)
            fourth = await client.get("/v1/inbox/stream", headers=GM111A)
            other = Stream()
            readers.append(asyncio.create_task(other.read(client, "/v1/inbox/stream", GM112A)))

            async def other_open() -> bool:
                return bool(other.comments)

            await eventually(other_open)  # another person is not counted against them
            readers[0].cancel()
            await asyncio.gather(readers[0], return_exceptions=True)

            async def slot_freed() -> bool:
                again = Stream()
                task = asyncio.create_task(again.read(client, "/v1/inbox/stream", GM111A))
                try:

                    async def answered() -> bool:
                        return again.status is not None

                    await eventually(answered)
                finally:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
                return again.status == 200

            await eventually(slot_freed)
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    assert fourth.status_code == 429
    assert "3" in fourth.json()["detail"]


async def test_ids_beyond_a_bigint_are_field_errors_not_server_errors(server: str) -> None:
    huge = str(2**63)
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        largest = await client.get("/v1/inbox", params={"before_id": 2**63 - 1}, headers=GM111A)
        before = await client.get("/v1/inbox", params={"before_id": huge}, headers=GM111A)
        query = await client.get("/v1/inbox/stream", params={"last_event_id": huge}, headers=GM111A)
        header = await client.get("/v1/inbox/stream", headers={**GM111A, "Last-Event-ID": huge})
        negative = await client.get("/v1/inbox/stream", headers={**GM111A, "Last-Event-ID": "-1"})

    assert largest.status_code == 200
    assert largest.json() == []
    for answer, field in (
        (before, "before_id"),
        (query, "last_event_id"),
        (header, "Last-Event-ID"),
        (negative, "Last-Event-ID"),
    ):
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1] == field
