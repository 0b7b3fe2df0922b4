"""Uploading and serving attachments (photos and PDFs of reports). A wall's anonymous
upload is the walls domain's (``intake.walls.endpoints``): it is counted like wishes."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Path, Response, UploadFile

from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.errors import NotFound
from intake.attachments import service
from intake.attachments.schemas import UPLOAD_RESPONSES, AttachmentRead, CaseAttachmentsRead
from intake.deps import RuntimeDep, SessionDep, SettingsDep, StorageDep
from intake.idempotency.deps import IdempotencyDep, respond

router = APIRouter(tags=["attachments"])


@router.post(
    "/v1/attachments",
    status_code=201,
    response_model=AttachmentRead,
    summary="Upload a photo or PDF for a report (staff); the same content gives the same URL",
    responses=UPLOAD_RESPONSES,
)
async def upload(
    file: Annotated[UploadFile, File(description="JPEG, PNG, WebP or PDF")],
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    settings: SettingsDep,
    session: SessionDep,
    storage: StorageDep,
    key: IdempotencyDep,
) -> Any:
    # The whole body is capped by the kit's body limit; the file itself by accept().
    return respond(
        await service.accept(
            session=session,
            storage=storage,
            upload=file,
            limit=settings.attachments_max_bytes,
            base_url=settings.public_base_url,
            key=key,
            scope=f"staff:{principal.sub}",
            now=runtime.clock.now(),
        )
    )


@router.get(
    "/v1/attachments/{name}",
    summary="Download an attachment (staff who can see a case it belongs to; its uploader)",
    response_class=Response,
    responses={
        403: {
            "description": "a role that handles no cases, or a file of no case the caller "
            "can see (a file no case references yet: its uploader's alone)"
        },
        404: {"description": "no such attachment"},
    },
)
async def download(
    name: Annotated[str, Path(pattern=service.NAME.pattern)],
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
) -> Response:
    attachment = await service.downloadable(
        session=session, principal=principal, name=name, base_url=settings.public_base_url
    )
    content = await storage.read(name)
    if content is None:
        raise NotFound("no such attachment")
    return Response(
        content,
        media_type=attachment.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(
    "/v1/cases/{case_id}/attachments",
    response_model=CaseAttachmentsRead,
    summary="附件: a case's files (its report's, merged duplicates', resolutions' evidence), "
    "for whoever may read the case",
    responses={
        403: {"description": "a role that handles no cases (as for downloads)"},
        404: {"description": "no such case, or a case outside your scope"},
    },
)
async def case_attachments(
    case_id: UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> CaseAttachmentsRead:
    return await service.of_case(
        session=session, principal=principal, case_id=case_id, base_url=settings.public_base_url
    )
