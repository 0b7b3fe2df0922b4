"""The in-app inbox: a list, and a live Server-Sent Events stream per staff member.

The stream replays what the caller missed after ``Last-Event-ID`` (header, or the
``last_event_id`` query parameter for clients that cannot set headers), then follows
new items by polling the table every ``NOTIFY_INBOX_POLL_SECONDS``; comment lines keep
idle connections open (``NOTIFY_INBOX_HEARTBEAT_SECONDS``). The stream ends when the
caller's token expires (by the service's clock; the client reconnects with a fresh
token and its Last-Event-ID), and one staff member may hold at most
``NOTIFY_INBOX_MAX_STREAMS`` streams at once on one replica (429 beyond).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.errors import InvalidFields, TooManyRequests
from notify.deps import NotifyRuntime, RuntimeDep, SessionDep, SettingsDep
from notify.inbox import repository
from notify.inbox.models import InboxItem
from notify.inbox.schemas import InboxItemRead

log = structlog.get_logger(__name__)
router = APIRouter(tags=["inbox"])
_BATCH = 100
MAX_ID = 2**63 - 1  # PostgreSQL's bigint: beyond it a query would fail, not find nothing


class StreamSlots:
    """The streams open per staff member in this process (``app.state.inbox_streams``)."""

    def __init__(self) -> None:
        self.open: Counter[str] = Counter()

    def take(self, staff_id: str, *, limit: int) -> StreamSlot | None:
        if self.open[staff_id] >= limit:
            return None
        self.open[staff_id] += 1
        return StreamSlot(self, staff_id)


class StreamSlot:
    """One open stream; released once, by whichever comes first: the stream's end or the
    response's background task."""

    def __init__(self, slots: StreamSlots, staff_id: str) -> None:
        self.slots = slots
        self.staff_id = staff_id
        self.released = False

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        self.slots.open[self.staff_id] -= 1
        if self.slots.open[self.staff_id] <= 0:
            del self.slots.open[self.staff_id]


def _slots(request: Request) -> StreamSlots:
    state = request.app.state
    if not hasattr(state, "inbox_streams"):
        state.inbox_streams = StreamSlots()
    slots: StreamSlots = state.inbox_streams
    return slots


def sse_frame(item: InboxItem) -> str:
    """One event: ``id`` (for Last-Event-ID), ``event`` (the event type), JSON ``data``."""
    data = InboxItemRead.model_validate(item).model_dump(mode="json")
    return (
        f"id: {item.id}\nevent: {item.event_type}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
    )


@router.get("/v1/inbox", response_model=list[InboxItemRead], summary="My in-app notifications")
async def my_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[InboxItemRead]:
    items = await repository.latest(
        session, staff_id=principal.sub, limit=limit, before_id=before_id
    )
    return [InboxItemRead.model_validate(i) for i in items]


async def _stream(
    *,
    request: Request,
    runtime: NotifyRuntime,
    staff_id: str,
    after_id: int,
    poll: float,
    beat: float,
    expires: datetime | None,
    slot: StreamSlot,
) -> AsyncIterator[str]:
    try:
        async for frame in _frames(
            request=request,
            runtime=runtime,
            staff_id=staff_id,
            after_id=after_id,
            poll=poll,
            beat=beat,
            expires=expires,
        ):
            yield frame
    finally:
        slot.release()


async def _frames(
    *,
    request: Request,
    runtime: NotifyRuntime,
    staff_id: str,
    after_id: int,
    poll: float,
    beat: float,
    expires: datetime | None,
) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    yield ": connected\n\n"  # tells proxies and clients the stream is open
    last_sent = loop.time()
    while True:
        if expires is not None and runtime.clock.now() >= expires:
            log.info("inbox stream closed: the token expired", staff_id=staff_id)
            yield ": token expired\n\n"
            return
        # A stream outlives any request-scoped unit of work: each poll reads in a
        # short session of its own, so no transaction stays open while it waits.
        async with runtime.sessionmaker() as session:
            items = await repository.after(
                session, staff_id=staff_id, after_id=after_id, limit=_BATCH
            )
        for item in items:
            yield sse_frame(item)
            after_id = item.id
            last_sent = loop.time()
        if len(items) == _BATCH:
            continue
        if loop.time() - last_sent >= beat:
            yield ": heartbeat\n\n"
            last_sent = loop.time()
        if await request.is_disconnected():
            return
        await asyncio.sleep(poll)


@router.get(
    "/v1/inbox/stream",
    summary="My live task inbox (Server-Sent Events), replaying after Last-Event-ID",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}},
        429: {"description": "too many open streams for this staff member"},
    },
)
async def inbox_stream(
    request: Request,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
) -> StreamingResponse:
    after_id = last_event_id or 0
    if last_event_id_header is not None and last_event_id_header.strip():
        try:
            after_id = int(last_event_id_header)
            if not 0 <= after_id <= MAX_ID:
                raise ValueError(after_id)
        except ValueError:
            # 422 like any other bad field (not 0: a client that sends a broken id must
            # learn of it rather than be replayed everything)
            raise InvalidFields.at(
                ["header", "Last-Event-ID"],
                f"must be an inbox item id (an integer from 0 to {MAX_ID})",
                "int_parsing",
            ) from None
    slot = _slots(request).take(principal.sub, limit=settings.inbox_max_streams)
    if slot is None:
        raise TooManyRequests(
            f"at most {settings.inbox_max_streams} open inbox streams per person",
            retry_after=round(settings.inbox_poll_seconds),
        )
    return StreamingResponse(
        _stream(
            request=request,
            runtime=runtime,
            staff_id=principal.sub,
            after_id=after_id,
            poll=settings.inbox_poll_seconds,
            beat=settings.inbox_heartbeat_seconds,
            expires=principal.exp,
            slot=slot,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        background=BackgroundTask(slot.release),
    )
