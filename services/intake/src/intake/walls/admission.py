"""Counting a wall's public requests (wishes, photos) against its rate limits, and the
bytes of its anonymous uploads against their budgets.

The one place outside the request's unit of work that writes: the count is committed in
a transaction of its own, before the request's, because refused requests must count too
(a client hammering a wall with invalid wishes is still hammering it), whatever becomes
of the request itself. Endpoints call :func:`admit` before taking their session's work.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from intake.deps import IntakeRuntime
from intake.ratelimits import service as rate_service
from intake.ratelimits.schemas import Limit
from intake.walls import service
from intake.walls.models import Wall


def client_address(request: HTTPConnection) -> str:
    """The client's address as the server sees it (run behind a proxy with uvicorn's
    ``--proxy-headers --forwarded-allow-ips`` so that this is the resident's)."""
    return request.client.host if request.client else "unknown"


async def admit(*, runtime: IntakeRuntime, wall_id: str, client: str, kind: str) -> Wall:
    """The wall, once this request is counted for `client` and the wall; raises
    ``WallNotFound`` (404), ``WallClosed`` (409: a closed wall counts nothing) or
    ``RateLimited`` (429, after the count is committed)."""
    async with runtime.transaction() as session:
        wall = await service.get_wall(session, wall_id)
        service.ensure_open(wall)
        refused = await service.throttle(
            session=session, runtime=runtime, wall=wall, client=client, kind=kind
        )
    if refused is not None:
        raise refused
    return wall


async def admit_bytes(*, runtime: IntakeRuntime, wall: Wall, client: str, size: int) -> None:
    """Takes an anonymous upload's `size` from the client's byte budget (across every
    wall) and the wall's; raises ``BudgetExceeded`` (429) if either would be exceeded.
    Committed at once, like the counts above, so concurrent uploads see each other."""
    settings = runtime.settings
    window = settings.public_upload_window_seconds
    budgets = (
        (
            f"client:{client}",
            Limit("public-upload-bytes-client", settings.public_upload_client_bytes, window),
        ),
        (
            f"wall:{wall.id}",
            Limit("public-upload-bytes-wall", settings.public_upload_wall_bytes, window),
        ),
    )
    now = runtime.clock.now()
    # Raised inside the transaction: a refusal by the wall's budget rolls back what the
    # client's took.
    async with runtime.transaction() as session:
        for key, limit in budgets:
            refused = await rate_service.charge(
                session=session, key=key, amount=size, limit=limit, now=now
            )
            if refused is not None:
                raise refused
