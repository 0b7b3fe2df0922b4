"""The 12345 hotline push (the intake channels in ``docs/architecture.md``): signed,
idempotent on ``ticket_no``; one ticket, or a batch of up to 500 with a result per
ticket."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit import signing, text
from gridcase_events.kit.errors import PayloadTooLarge, Unauthorized, UnsupportedMediaType
from gridcase_events.kit.http import bind_case, correlation_id
from intake import district
from intake.cases import service as case_service
from intake.cases.schemas import CaseCreated
from intake.deps import IntakeRuntime, RuntimeDep, SessionDep, get_runtime
from intake.hotline.schemas import (
    TicketBatchIn,
    TicketBatchResult,
    TicketIn,
    TicketResult,
)

router = APIRouter(tags=["12345 hotline"])
log = structlog.get_logger(__name__)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body (the signature covers its exact bytes), refused past `limit`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"body over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
    return bytes(body)


def _json_safe(value: Any) -> Any:
    """An error's input as JSON can carry it: bytes decoded, NaN and ±Infinity as text."""
    if isinstance(value, bytes | bytearray):
        return bytes(value[:1000]).decode("utf-8", errors="replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return text.replace_surrogates(value)


def validation_errors(
    exc: ValidationError, prefix: tuple[str | int, ...] = ("body",)
) -> list[dict[str, Any]]:
    """Pydantic's errors in FastAPI's 422 shape (``loc`` starts at ``body``)."""
    errors: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {**error, "loc": (*prefix, *error["loc"])}
        if error["type"] == "json_invalid":
            # The sender has its body; echoing it (maybe megabytes, maybe not UTF-8) helps nobody.
            item.pop("input", None)
        elif "input" in item:
            item["input"] = _json_safe(item["input"])
        if "ctx" in item:
            item["ctx"] = {k: str(v) for k, v in item["ctx"].items()}
        errors.append(item)
    return errors


SIGNATURE_PARAMETER = {
    "name": signing.HEADER,
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
}

CONTENT_TYPE_PARAMETER = {  # the single push reads it from the request, not as a dependency
    "name": "content-type",
    "in": "header",
    "required": False,
    "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Content-Type"},
}


async def signed_json_body(
    request: Request,
    *,
    runtime: IntakeRuntime,
    content_type: str | None,
    limit: int,
) -> bytes:
    """The raw JSON body, once its media type, size and signature are checked (415, 413,
    401, in that order: nothing is parsed before it is known to come from the hotline)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise UnsupportedMediaType("send the ticket as application/json")
    body = await read_body(request, limit)
    settings = runtime.settings
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
        raise Unauthorized(str(exc), headers={"WWW-Authenticate": signing.HEADER}) from exc
    return body


def to_report(ticket: TicketIn) -> case_service.Report:
    return case_service.Report(
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


async def validated_ticket(
    body: bytes, *, session: AsyncSession, runtime: IntakeRuntime
) -> TicketIn:
    """The ticket, checked against the district's grids as read up to
    ``INTAKE_BOUNDARY_RECHECK_SECONDS`` ago (no query per push); a point those grids
    refuse is checked again against the grids as stored, so a 422 is never stale."""
    where = await district.current(session, runtime, recent=True)
    try:
        return TicketIn.model_validate_json(
            body, context={"district": where, "now": runtime.clock.now()}
        )
    except ValidationError as exc:
        if not district.refuses(where, exc):
            raise RequestValidationError(validation_errors(exc)) from exc
    where = await district.current(session, runtime)
    try:
        return TicketIn.model_validate_json(
            body, context={"district": where, "now": runtime.clock.now()}
        )
    except ValidationError as exc:
        raise RequestValidationError(validation_errors(exc)) from exc


@router.post(
    "/v1/hotline/tickets",
    status_code=201,
    response_model=CaseCreated,
    response_model_exclude_none=True,
    summary="Push a 12345 ticket (signed; idempotent on ticket_no)",
    responses={
        200: {"model": CaseCreated, "description": "a repeat: the original case"},
        401: {"description": "bad or missing signature, or timestamp out of tolerance"},
        413: {"description": "body too large"},
        415: {"description": "not application/json"},
        422: {
            "description": "invalid ticket (or coordinates outside the district); nothing stored"
        },
        503: {
            "description": "busy (INTAKE_MAX_IN_FLIGHT): retry after Retry-After, same ticket_no"
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": TicketIn.model_json_schema()}},
        },
        "parameters": [CONTENT_TYPE_PARAMETER, SIGNATURE_PARAMETER],
    },
)
async def push_ticket(request: Request) -> Response:
    # No FastAPI dependency of its own (the runtime, the session, the headers): this is
    # intake's hottest path, and each dependency (the session's above all, an
    # AsyncExitStack around a generator) and the answer's validation through its
    # response model cost CPU per push (docs/benchmarks.md, "intake's push without
    # dependencies"). The transaction is SessionDep's: committed before the answer is
    # sent, rolled back on any error.
    runtime = get_runtime(request)
    settings = runtime.settings
    body = await signed_json_body(
        request,
        runtime=runtime,
        content_type=request.headers.get("content-type"),
        limit=settings.max_body_bytes,
    )
    async with runtime.transaction() as session:
        ticket = await validated_ticket(body, session=session, runtime=runtime)
        case, created = await case_service.report(
            session=session,
            runtime=runtime,
            report=to_report(ticket),
            correlation_id=correlation_id(request),
        )
    bind_case(case.id)
    log.info(
        "hotline ticket accepted" if created else "hotline ticket repeated",
        ticket_no=ticket.ticket_no,
        tracking_no=case.tracking_no,
        merged_into=case.duplicate_of_tracking_no,
    )
    return Response(
        created_body(case.id, case.tracking_no, case.duplicate_of_tracking_no),
        status_code=201 if created else 200,
        media_type="application/json",
    )


def created_body(case_id: UUID, tracking_no: str, merged_into: str | None) -> bytes:
    """:class:`CaseCreated` as the route answers it (``None`` left out), written
    directly: the same JSON its response model would give, without building and
    validating it per push."""
    answer: dict[str, str] = {"case_id": str(case_id), "tracking_no": tracking_no}
    if merged_into is not None:
        answer["merged_into"] = merged_into
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def parse_batch(body: bytes, *, max_tickets: int) -> TicketBatchIn:
    """The batch's envelope (each ticket still raw); 422 for no tickets or too many."""
    try:
        batch = TicketBatchIn.model_validate_json(body)
    except ValidationError as exc:
        # pydantic's strict parser refuses the whole body for one ticket's lone surrogate
        # (or NaN); Python's reads it, and that ticket alone is then refused below.
        try:
            batch = TicketBatchIn.model_validate(json.loads(body))
        except (ValueError, ValidationError):
            raise RequestValidationError(validation_errors(exc)) from exc
    if len(batch.tickets) > max_tickets:
        raise RequestValidationError(
            [
                {
                    "type": "too_long",
                    "loc": ("body", "tickets"),
                    "msg": f"at most {max_tickets} tickets per batch, got {len(batch.tickets)}",
                    "input": None,
                    "ctx": {"max_length": str(max_tickets)},
                }
            ]
        )
    return batch


def validate_tickets(
    batch: TicketBatchIn, *, context: dict[str, Any]
) -> tuple[list[tuple[int, TicketIn]], list[TicketResult]]:
    """The valid tickets (with their index), and a result for each invalid one."""
    valid: list[tuple[int, TicketIn]] = []
    invalid: list[TicketResult] = []
    for index, item in enumerate(batch.tickets):
        sent_no = item.get("ticket_no") if isinstance(item, dict) else None
        try:
            # Through JSON again, so that a ticket in a batch is read exactly as one alone.
            ticket = TicketIn.model_validate_json(
                json.dumps(item, ensure_ascii=False), context=context
            )
        except ValidationError as exc:
            invalid.append(
                TicketResult(
                    index=index,
                    ticket_no=sent_no if isinstance(sent_no, str) else None,
                    result="invalid",
                    errors=validation_errors(exc, ("body", "tickets", index)),
                )
            )
            continue
        valid.append((index, ticket))
    return valid, invalid


@router.post(
    "/v1/hotline/tickets:batch",
    status_code=207,
    response_model=TicketBatchResult,
    response_model_exclude_none=True,
    summary="Push up to 500 12345 tickets at once (signed; a result per ticket)",
    description=(
        'The body `{"tickets": [...]}` is signed as a whole, like a single push. Each '
        "ticket is validated on its own; the valid ones are stored in one transaction "
        "(each case with its event): an invalid ticket never blocks the others. The 207 "
        "answer lists, in order, `created`, `duplicate` (the ticket_no was already "
        "stored, or came earlier in the batch: the original ids) or `invalid` (with the "
        "field errors of a 422). More than 500 tickets, or none: 422, nothing stored."
    ),
    responses={
        401: {"description": "bad or missing signature, or timestamp out of tolerance"},
        413: {"description": "body too large (INTAKE_BATCH_MAX_BODY_BYTES)"},
        415: {"description": "not application/json"},
        422: {"description": "not a batch: no tickets, too many, or not JSON; nothing stored"},
        503: {
            "description": "busy (INTAKE_MAX_IN_FLIGHT): retry after Retry-After; nothing stored"
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["tickets"],
                        "properties": {
                            "tickets": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 500,
                                "items": TicketIn.model_json_schema(),
                            }
                        },
                    }
                }
            },
        },
        "parameters": [SIGNATURE_PARAMETER],
    },
)
async def push_ticket_batch(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    content_type: Annotated[str | None, Header()] = None,
) -> TicketBatchResult:
    settings = runtime.settings
    body = await signed_json_body(
        request, runtime=runtime, content_type=content_type, limit=settings.batch_max_body_bytes
    )
    batch = parse_batch(body, max_tickets=settings.batch_max_tickets)
    # Every ticket is validated first, then the valid ones are stored in one
    # transaction: an invalid ticket never blocks the others, and a failure of the
    # database stores none of them (the hotline retries; repeats are idempotent).
    valid, results = validate_tickets(
        batch,
        context={"district": await district.current(session, runtime), "now": runtime.clock.now()},
    )
    correlation = correlation_id(request)
    await case_service.lock_for_merging(
        session=session, runtime=runtime, reports=[to_report(ticket) for _, ticket in valid]
    )
    for index, ticket in valid:
        case, created = await case_service.report(
            session=session, runtime=runtime, report=to_report(ticket), correlation_id=correlation
        )
        results.append(
            TicketResult(
                index=index,
                ticket_no=ticket.ticket_no,
                result="created" if created else "duplicate",
                case_id=case.id,
                tracking_no=case.tracking_no,
                merged_into=case.duplicate_of_tracking_no,
            )
        )
    results.sort(key=lambda r: r.index)
    counts = {
        kind: sum(r.result == kind for r in results) for kind in ("created", "duplicate", "invalid")
    }
    log.info("hotline batch taken", tickets=len(results), **counts)
    return TicketBatchResult(**counts, results=results)
