"""A request-body limit for every service (413, never a 500, never a full read first).

A pure ASGI middleware that counts the bytes as the endpoint reads them, so a body
without a Content-Length (chunked) is cut off too, and a declared Content-Length over
the limit is refused before a byte is read. FastAPI reads a declared body (JSON or a
multipart form, whose files it spools to disk) before it solves the dependencies, so
the limit applies before parsing and before authentication. The 413 is raised as an
``HTTPException`` from ``receive``, which FastAPI turns into the JSON error response —
or a service's own route class into its own format (intake's Open311 routes answer in
the GeoReport v2 error format).

:func:`create_service_app` installs it with :func:`default_limits` unless a service
passes its own ``body_limit``.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridcase_events.kit.settings import PlatformSettings

# Room for the multipart envelope (boundaries, part headers) around an uploaded file.
MULTIPART_OVERHEAD = 64 * 1024

LimitFor = Callable[[Scope], int | None]
"""The byte limit of a request's body, or ``None`` for an endpoint that bounds its own
reads (e.g. one that must see the exact signed bytes)."""


def media_type(scope: Scope) -> str:
    raw = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return raw.decode("latin-1").split(";")[0].strip().lower()


def default_limits(settings: PlatformSettings, *, upload_bytes: int | None = None) -> LimitFor:
    """``max_upload_bytes`` (or ``upload_bytes``) plus the multipart envelope for
    multipart forms, ``max_body_bytes`` for every other body."""
    uploads = (upload_bytes or settings.max_upload_bytes) + MULTIPART_OVERHEAD

    def limit_for(scope: Scope) -> int | None:
        if media_type(scope) == "multipart/form-data":
            return uploads
        return settings.max_body_bytes

    return limit_for


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
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
            if declared.strip().isdigit() and int(declared) > limit:
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
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not kind.endswith("+json"):
        raise HTTPException(status_code=415, detail="send the body as application/json")
