"""Open311 GeoReport v2 (the intake channels in ``docs/architecture.md``) under ``/open311/v2/``: JSON or XML by the
resource's suffix, and the specification's error document for every refusal."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import parse_qsl

import structlog
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from prometheus_client import Counter
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.routing import Match

from gridcase_events.kit.errors import DomainError
from gridcase_events.kit.http import correlation_id
from intake import district
from intake.config import IntakeSettings
from intake.deps import RuntimeDep, SessionDep
from intake.idempotency.deps import IdempotencyDep
from intake.idempotency.schemas import Replay
from intake.idempotency.service import REPLAYED_HEADER, idempotent
from intake.open311 import formats
from intake.open311 import service as open311
from intake.open311.schemas import FORMATS, RequestCreate, RequestCreated

log = structlog.get_logger(__name__)

SUBMISSIONS = Counter(
    "gridcase_open311_submissions_total",
    "Open311 POST requests by outcome (created, or the HTTP status of the refusal)",
    ["outcome"],
)
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_FORMAT = "json or xml: the answer's format"
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "invalid request: the specification's errors document"},
    404: {"description": "no such service, request or format"},
}


class Open311Route(APIRoute):
    """Every refusal as the specification's errors document, in the requested format —
    never FastAPI's ``{"detail": ...}``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            fmt = str(request.path_params.get("fmt", "json"))
            if fmt not in FORMATS:
                return formats.errors(
                    "json", 404, [(404, f"format {fmt!r} is not offered: use .json or .xml")]
                )
            try:
                return await handler(request)
            except open311.Open311Error as exc:
                return formats.errors(fmt, exc.status_code, exc.items)
            except DomainError as exc:
                return formats.errors(
                    fmt, exc.status_code, [(exc.status_code, exc.detail)], headers=exc.headers
                )
            except RequestValidationError as exc:
                items = [(400, d) for d in open311.validation_errors(list(exc.errors()))]
                return formats.errors(fmt, 400, items)
            except HTTPException as exc:
                return formats.errors(
                    fmt,
                    exc.status_code,
                    [(exc.status_code, str(exc.detail))],
                    headers=dict(exc.headers or {}),
                )

        return route


router = APIRouter(tags=["Open311 GeoReport v2"], route_class=Open311Route)


@router.get(
    "/open311/discovery.{fmt}",
    response_class=Response,
    summary="Service discovery: the GeoReport v2 endpoint, its formats and changeset",
    responses=_ERRORS,
)
async def service_discovery(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    fmt: Annotated[str, Path(description=_FORMAT)],
) -> Response:
    settings = runtime.settings
    url = settings.open311_public_url or str(request.base_url).rstrip("/") + "/open311/v2"
    document = await open311.discovery(
        session=session,
        url=url,
        production=settings.env == "production",
        contact=settings.open311_contact,
        key_service=settings.open311_key_service,
        started=runtime.clock.now(),
    )
    return formats.render(fmt, "discovery", document)


@router.get(
    "/open311/v2/services.{fmt}",
    response_class=Response,
    summary="GET Service List: the category catalogue",
    responses=_ERRORS,
)
async def service_list(
    session: SessionDep, fmt: Annotated[str, Path(description=_FORMAT)]
) -> Response:
    services = await open311.services(session=session)
    return formats.render(fmt, "services", services)


@router.get(
    "/open311/v2/services/{service_code:path}.{fmt}",
    response_class=Response,
    summary="GET Service Definition (service_code as in the list, e.g. environment/garbage-overflow)",
    responses=_ERRORS,
)
async def service_definition(
    session: SessionDep,
    service_code: Annotated[str, Path()],
    fmt: Annotated[str, Path(description=_FORMAT)],
) -> Response:
    definition = await open311.definition(session=session, service_code=service_code)
    return formats.render(fmt, "service_definition", definition)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise open311.Open311Error(413, f"the request body is over {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise open311.Open311Error(413, f"the request body is over {limit} bytes")
    return bytes(body)


async def _fields(request: Request, media_type: str, body: bytes) -> dict[str, str]:
    """The form's fields, the first value of each (files are ignored)."""
    fields: dict[str, str] = {}
    if media_type == FORM:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            raise open311.Open311Error(400, "the form is not valid UTF-8") from None
        for key, value in pairs:
            fields.setdefault(key, value)
        return fields

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=10)
    except (HTTPException, MultiPartException) as exc:
        detail = exc.detail if isinstance(exc, HTTPException) else exc.message
        raise open311.Open311Error(400, f"the multipart form is malformed: {detail}") from None
    try:
        for name, item in form.multi_items():
            if not isinstance(item, UploadFile):
                fields.setdefault(name, item)
    finally:
        await form.close()
    return fields


async def _submission(
    request: Request, settings: IntakeSettings, where: district.District
) -> tuple[str, RequestCreate]:
    """The API key and the request a POST carries, once its media type, size, key and
    fields are checked (415, 413, 403, 400)."""
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type not in (FORM, MULTIPART):
        raise open311.Open311Error(415, f"send the request as {FORM} (or {MULTIPART})")
    body = await _read_body(request, settings.max_body_bytes)
    fields = await _fields(request, media_type, body)
    api_key = open311.check_api_key(
        fields.pop("api_key", None) or request.query_params.get("api_key"),
        settings.open311_api_keys,
    )
    # "Optional" in the specification: an empty parameter is one not sent.
    data = {k: v for k, v in fields.items() if v.strip() and not k.startswith("attribute[")}
    try:
        form = RequestCreate.model_validate(data, context={"district": where})
    except ValidationError as exc:
        raise open311.Open311Error(
            400, *open311.validation_errors([dict(e) for e in exc.errors(include_url=False)])
        ) from None
    return api_key, form


@router.post(
    "/open311/v2/requests.{fmt}",
    response_class=Response,
    status_code=201,
    summary="POST Service Request (form-encoded, with api_key): creates a case",
    responses={
        **_ERRORS,
        201: {"description": "created: [{service_request_id, service_notice, account_id}]"},
        403: {"description": "missing or invalid api_key"},
        422: {"description": "Idempotency-Key reused with another request"},
        413: {"description": "body too large"},
        415: {"description": "not form-encoded"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["api_key", "service_code"],
                        "properties": {
                            "api_key": {"type": "string"},
                            **RequestCreate.model_json_schema(by_alias=True)["properties"],
                        },
                    }
                }
            },
        }
    },
)
async def create_request(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    key: IdempotencyDep,
    fmt: Annotated[str, Path(description=_FORMAT)],
) -> Response:
    try:
        api_key, form = await _submission(
            request, runtime.settings, await district.current(session, runtime)
        )
        # A client's repeat with the same Idempotency-Key gets the first answer.
        outcome = await idempotent(
            session=session,
            key=key,
            scope=f"open311:{open311.fingerprint(api_key)}",
            payload=form.model_dump(by_alias=True),
            effect=lambda: open311.submit(
                session=session,
                runtime=runtime,
                form=form,
                api_key=api_key,
                correlation_id=correlation_id(request),
            ),
        )
    except open311.Open311Error as exc:
        SUBMISSIONS.labels(str(exc.status_code)).inc()
        log.info("open311 request refused", status=exc.status_code, errors=exc.items)
        raise
    if isinstance(outcome, Replay):
        SUBMISSIONS.labels("repeat").inc()
        return formats.render(
            fmt,
            "service_requests",
            [RequestCreated.model_validate(outcome.body)],
            status_code=outcome.status_code,
            headers={REPLAYED_HEADER: "true"},
        )
    SUBMISSIONS.labels("created").inc()
    log.info(
        "open311 request created",
        tracking_no=outcome.service_request_id,
        service_code=form.service_code,
        api_key_fingerprint=open311.fingerprint(api_key),
    )
    return formats.render(fmt, "service_requests", [outcome], status_code=201)


@router.get(
    "/open311/v2/requests.{fmt}",
    response_class=Response,
    summary="GET Service Requests sent through Open311 (default: the last 90 days, newest "
    "first, at most 1000); service_request_id finds any channel's",
    responses=_ERRORS,
)
async def list_requests(
    runtime: RuntimeDep,
    session: SessionDep,
    fmt: Annotated[str, Path(description=_FORMAT)],
    service_request_id: Annotated[
        str | None,
        Query(
            description="comma-separated; overrides every other argument (and finds a case "
            "of any channel)"
        ),
    ] = None,
    service_code: Annotated[str | None, Query(description="comma-separated")] = None,
    start_date: Annotated[str | None, Query(description="W3C, e.g. 2026-11-01T00:00:00Z")] = None,
    end_date: Annotated[str | None, Query(description="W3C; at most 90 days after start")] = None,
    status: Annotated[
        str | None, Query(description="open, closed or both, comma-separated")
    ] = None,
    jurisdiction_id: Annotated[str | None, Query(description="ignored: one jurisdiction")] = None,
    page: Annotated[str | None, Query(description="pagination extension: from 1")] = None,
    page_size: Annotated[str | None, Query(description="pagination extension: ≤ 1000")] = None,
) -> Response:
    found = await open311.requests(
        session=session,
        now=runtime.clock.now(),
        service_request_id=service_request_id,
        service_code=service_code,
        start_date=start_date,
        end_date=end_date,
        status=status,
        page=page,
        page_size=page_size,
    )
    return formats.render(fmt, "service_requests", found)


@router.get(
    "/open311/v2/requests/{service_request_id}.{fmt}",
    response_class=Response,
    summary="GET Service Request (the service_request_id is the case's tracking number)",
    responses=_ERRORS,
)
async def get_request(
    session: SessionDep,
    service_request_id: Annotated[str, Path(max_length=32)],
    fmt: Annotated[str, Path(description=_FORMAT)],
) -> Response:
    found = await open311.request(session=session, service_request_id=service_request_id)
    return formats.render(fmt, "service_requests", [found])


@router.api_route(
    "/open311/{rest:path}",
    methods=["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
async def unknown(request: Request, rest: str) -> Response:
    """Anything else under /open311/: 405 for a known resource, else 404."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    allowed = sorted(
        {
            method
            for route in router.routes
            if isinstance(route, APIRoute)
            and route.endpoint is not unknown
            and route.path.startswith("/open311/")
            and route.matches(request.scope)[0] == Match.PARTIAL
            for method in route.methods or ()
        }
    )
    if allowed:
        return formats.errors(
            fmt,
            405,
            [(405, f"{request.method} is not allowed here: use {', '.join(allowed)}")],
            headers={"Allow": ", ".join(allowed)},
        )
    return formats.errors(fmt, 404, [(404, f"no such resource: /open311/{rest}")])
