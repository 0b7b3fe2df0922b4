"""Counting a wall's public requests (wishes, photos) against its rate limits.

The one place outside the request's unit of work that writes: the count is committed in
a transaction of its own, before the request's, because refused requests must count too
(a client hammering a wall with invalid wishes is still hammering it), whatever becomes
of the request itself. Endpoints call :func:`admit` before taking their session's work.
"""

from __future__ import annotations

from starlette.requests import HTTPConnection

from intake.deps import IntakeRuntime
from intake.walls import service
from intake.walls.models import Wall


def client_address(request: HTTPConnection) -> str:
    """The client's address as the server sees it (run behind a proxy with uvicorn's
    ``--proxy-headers --forwarded-allow-ips`` so that this is the resident's)."""
    return request.client.host if request.client else "unknown"


async def admit(*, runtime: IntakeRuntime, wall_id: str, client: str, kind: str) -> Wall:
    """The wall, once this request is counted for `client` and the wall; raises
    ``WallNotFound`` (404) or ``RateLimited`` (429, after the count is committed)."""
    async with runtime.transaction() as session:
        wall = await service.get_wall(session, wall_id)
        refused = await service.throttle(
            session=session, runtime=runtime, wall=wall, client=client, kind=kind
        )
    if refused is not None:
        raise refused
    return wall
