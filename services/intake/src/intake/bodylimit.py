"""A request-body limit for intake's JSON and upload endpoints (413, never a 500).

A pure ASGI middleware that counts the bytes as the endpoint reads them, so a body
without a Content-Length (chunked) is cut off too; the 413 is raised as an
``HTTPException`` from ``receive``, which FastAPI turns into the response — under
``/open311/`` the Open311 route class turns it into the GeoReport v2 error document
(JSON or XML by the path's suffix), like every other Open311 refusal."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.config import IntakeSettings

# Room for the multipart envelope around an uploaded file.
MULTIPART_OVERHEAD = 64 * 1024


def limits(settings: IntakeSettings) -> Callable[[str], int | None]:
    """The limit for a path: uploads get the attachment size, the hotline push checks
    its own (it must read the exact signed bytes), everything else ``max_body_bytes``."""

    def limit_for(path: str) -> int | None:
        if path.startswith("/v1/hotline/"):
            return None
        if path == "/v1/attachments" or (
            path.startswith("/v1/public/walls/") and path.endswith("/attachments")
        ):
            return settings.attachments_max_bytes + MULTIPART_OVERHEAD
        return settings.max_body_bytes

    return limit_for


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str], int | None]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in {"POST", "PUT", "PATCH"}:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"content-length"), ""
        )
        received = 0

        def refuse() -> HTTPException:
            return HTTPException(status_code=413, detail=f"body over the limit of {limit} bytes")

        async def limited() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > limit:
                raise refuse()
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refuse()
            return message

        await self.app(scope, limited, send)


async def require_json(request: Request) -> None:
    """A router dependency: 415 for a request body that is not JSON (rather than a
    confusing 422). Requests without a body pass."""
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if request.method not in {"POST", "PUT", "PATCH"} or not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415, detail="send the body as application/json")
