"""Every service's request bodies are bounded before parsing and before authentication."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, UploadFile
from pydantic import BaseModel

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.bodylimit import MULTIPART_OVERHEAD
from gridcase_events.kit.runtime import ServiceSchema, create_service_app
from gridcase_events.kit.settings import PlatformSettings

LIMIT = 4096
UPLOAD_LIMIT = 16 * 1024


class Note(BaseModel):
    text: str


def an_app() -> Any:
    router = APIRouter()

    @router.post("/v1/notes")
    async def add_note(note: Note, principal: CurrentPrincipal) -> dict[str, str]:
        return {"text": note.text}

    @router.post("/v1/files")
    async def upload(file: UploadFile, principal: CurrentPrincipal) -> dict[str, str]:
        return {"name": file.filename or ""}

    settings = PlatformSettings(
        env="development", max_body_bytes=LIMIT, max_upload_bytes=UPLOAD_LIMIT
    )
    return create_service_app(
        service="bodytest",
        title="body limit test",
        description="",
        settings=settings,
        schema=ServiceSchema.create("bodytest", Path("/nonexistent")),
        routers=[router],
    )


async def post(path: str, **kwargs: Any) -> httpx.Response:
    # No lifespan: an answer other than 413 or 401 would need the runtime.
    transport = httpx.ASGITransport(app=an_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path, **kwargs)


def big_json(size: int) -> bytes:
    return b'{"text": "' + b"x" * size + b'"}'


async def test_declared_body_over_the_limit_is_413_before_authentication() -> None:
    answer = await post(
        "/v1/notes", content=big_json(LIMIT), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json() == {"detail": f"body over the limit of {LIMIT} bytes"}


async def test_chunked_body_over_the_limit_is_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(LIMIT // 512 + 1):
            yield b"x" * 512
        yield b'"}'

    answer = await post("/v1/notes", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in answer.request.headers
    assert answer.status_code == 413


async def test_body_within_the_limit_reaches_authentication() -> None:
    answer = await post(
        "/v1/notes", content=big_json(LIMIT // 2), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401


async def test_multipart_upload_over_the_upload_limit_is_413_before_authentication() -> None:
    answer = await post(
        "/v1/files", files={"file": ("big.bin", b"x" * (UPLOAD_LIMIT + MULTIPART_OVERHEAD + 1))}
    )
    assert answer.status_code == 413


async def test_multipart_upload_within_the_upload_limit_may_exceed_the_body_limit() -> None:
    answer = await post("/v1/files", files={"file": ("ok.bin", b"x" * (LIMIT * 2))})
    assert answer.status_code == 401
