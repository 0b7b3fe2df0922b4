"""The 12345 hotline push (DESIGN.md §4): signed, idempotent on ``ticket_no``."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from gridcase_events.kit import signing
from gridcase_events.kit.http import bind_case, correlation_id
from intake.cases import service as case_service
from intake.cases.schemas import CaseCreated
from intake.deps import RuntimeDep, SettingsDep
from intake.hotline.schemas import TicketIn

router = APIRouter(tags=["12345 hotline"])
log = structlog.get_logger(__name__)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body (the signature covers its exact bytes), refused past `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(status_code=413, detail=f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(status_code=413, detail=f"body over {limit} bytes")
    return bytes(body)


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors in FastAPI's 422 shape (``loc`` starts at ``body``)."""
    errors: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {**error, "loc": ("body", *error["loc"])}
        if "ctx" in item:
            item["ctx"] = {k: str(v) for k, v in item["ctx"].items()}
        errors.append(item)
    return errors


@router.post(
    "/v1/hotline/tickets",
    status_code=201,
    response_model=CaseCreated,
    summary="Push a 12345 ticket (signed; idempotent on ticket_no)",
    responses={
        200: {"model": CaseCreated, "description": "a repeat: the original case"},
        401: {"description": "bad or missing signature, or timestamp out of tolerance"},
        413: {"description": "body too large"},
        415: {"description": "not application/json"},
        422: {"description": "invalid ticket; nothing stored"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TicketIn.model_json_schema()}},
        },
        "parameters": [
            {
                "name": signing.HEADER,
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "description": 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
            }
        ],
    },
)
async def push_ticket(
    request: Request,
    response: Response,
    runtime: RuntimeDep,
    settings: SettingsDep,
    content_type: Annotated[str | None, Header()] = None,
) -> CaseCreated:
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(status_code=415, detail="send the ticket as application/json")
    body = await read_body(request, settings.max_body_bytes)
    try:
        signing.verify(
            request.headers.get(signing.HEADER),
            body,
            secrets=settings.hotline_secrets,
            now=runtime.clock.now(),
            tolerance=settings.signature_tolerance_seconds,
        )
    except signing.SignatureError as exc:
        log.warning("hotline signature refused", reason=str(exc))
        raise HTTPException(
            status_code=401,
            detail=str(exc),
            headers={"WWW-Authenticate": signing.HEADER},
        ) from exc
    try:
        ticket = TicketIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(validation_errors(exc)) from exc

    report = case_service.Report(
        channel="hotline",
        external_ref=ticket.ticket_no,
        reported_at=ticket.received_at,
        content=ticket.content,
        priority=ticket.urgency,
        category_hint=ticket.category_hint,
        address=ticket.address,
        lat=ticket.lat,
        lon=ticket.lon,
        reporter_name=ticket.caller_name,
        reporter_phone=ticket.caller_phone,
        attachments=tuple(str(url) for url in ticket.attachments),
    )
    async with runtime.transaction() as session:
        case, created = await case_service.report(
            session=session,
            runtime=runtime,
            report=report,
            correlation_id=correlation_id(request),
        )
    bind_case(case.id)
    log.info(
        "hotline ticket accepted" if created else "hotline ticket repeated",
        ticket_no=ticket.ticket_no,
        tracking_no=case.tracking_no,
    )
    response.status_code = 201 if created else 200
    return CaseCreated(case_id=case.id, tracking_no=case.tracking_no)
