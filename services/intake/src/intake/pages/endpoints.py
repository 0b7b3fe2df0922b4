"""Pages for residents (server-rendered HTML, no personal data): the wish form a
wall's QR code points at, and a case's status by tracking number."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from gridcase_events.kit.http import correlation_id
from intake.attachments.service import AttachmentsUnknown
from intake.cases import service as case_service
from intake.catalogue import service as catalogue_service
from intake.catalogue.models import Category
from intake.config import IntakeSettings
from intake.deps import RuntimeDep, SessionDep, SettingsDep, get_runtime
from intake.idempotency import service as idempotency_service
from intake.idempotency.deps import key_for
from intake.idempotency.schemas import Key
from intake.pages import service
from intake.ratelimits.service import RateLimited
from intake.walls import service as wall_service
from intake.walls.admission import admit, client_address
from intake.walls.models import Wall
from intake.walls.schemas import WishCreated, WishIn

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals.update(status_words=service.status_words, label=service.label)
templates.env.globals.update(channel_words=service.channel_words)

_WALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_TRACKING_NO = re.compile(r"^GC-\d{8}-[0-9A-Z]{6}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_FIELDS = ("content", "phone", "category_hint")


def _local(moment: datetime | None, settings: IntakeSettings) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(settings.public_timezone)).strftime("%Y-%m-%d %H:%M")


def _page(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    settings = get_runtime(request).settings
    response = templates.TemplateResponse(
        request,
        name,
        {"base_url": settings.public_base_url.rstrip("/"), **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
    return response


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _page(request, "not_found.html", {"what": what}, status_code=404)


def _closed(request: Request, wall: Wall, *, status_code: int) -> HTMLResponse:
    """A closed wall (停用): said so, no form (a wish sent anyway is refused, 409)."""
    return _page(request, "wall_closed.html", {"wall": wall}, status_code=status_code)


async def _wall_and_categories(
    session: AsyncSession, wall_id: str
) -> tuple[Wall | None, list[Category]]:
    if not _WALL_ID.match(wall_id):
        return None, []
    try:
        wall = await wall_service.get_wall(session, wall_id)
    except wall_service.WallNotFound:
        return None, []
    return wall, await catalogue_service.categories(session=session)


def _form(
    request: Request,
    *,
    wall: Wall,
    categories: list[Category],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    token: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return _page(
        request,
        "wall.html",
        {
            "wall": wall,
            "categories": categories,
            "values": values or {},
            "errors": errors or {},
            # The form's token is its Idempotency-Key: a double tap submits once.
            "token": token or secrets.token_urlsafe(24),
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/walls/{wall_id}")
async def wall_page(wall_id: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The page a wall's QR code points at: a form for a wish."""
    wall, categories = await _wall_and_categories(session, wall_id)
    if wall is None:
        return _not_found(request, "这面心愿墙")
    if wall.closed_at is not None:
        return _closed(request, wall, status_code=200)
    return _form(request, wall=wall, categories=categories)


class _Refused(Exception):
    """The form cannot be taken as sent: the page answers with it again."""

    def __init__(self, errors: dict[str, str], status_code: int, **kwargs: Any) -> None:
        super().__init__(errors)
        self.errors = errors
        self.status_code = status_code
        self.kwargs = kwargs


async def _read_form(request: Request) -> dict[str, str]:
    """The form's text fields (files are ignored); :class:`_Refused` for a body that is
    not a form, too large (413) or malformed (400)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _FORM_TYPES:
        raise _Refused({"form": "请通过本页的表单提交"}, 415)
    try:
        form = await request.form(max_files=0)
    except (HTTPException, MultiPartException) as exc:
        # Over the body limit (413), or a malformed form (400): the page, not JSON.
        if isinstance(exc, HTTPException) and exc.status_code == 413:
            raise _Refused({"form": "内容太长了，请精简后再提交"}, 413) from None
        raise _Refused({"form": "表单有误，请重新填写"}, 400) from None
    fields = {k: str(v) for k, v in form.multi_items() if not isinstance(v, UploadFile)}
    await form.close()
    return fields


def _wish(values: dict[str, str], token: str | None) -> WishIn:
    try:
        return WishIn.model_validate(
            {
                "content": values["content"],
                "phone": values["phone"].strip() or None,
                "category_hint": values["category_hint"].strip() or None,
            }
        )
    except ValidationError as exc:
        errors = [dict(e) for e in exc.errors(include_url=False)]
        raise _Refused(service.form_errors(errors), 422, token=token) from None


async def _take(
    *,
    request: Request,
    runtime: RuntimeDep,
    session: AsyncSession,
    wall: Wall,
    wish: WishIn,
    key: Key | None,
    token: str | None,
) -> WishCreated:
    """The wish through the walls service, its refusals as the form's messages."""
    client = client_address(request)
    try:
        await admit(runtime=runtime, wall_id=wall.id, client=client, kind="wishes")
        # The page answers a refusal rather than raising it, so the request's unit of
        # work commits: a savepoint keeps a refused wish's writes (its key) out of it.
        async with session.begin_nested():
            outcome = await wall_service.take_public_wish(
                session=session,
                runtime=runtime,
                wall=wall,
                wish=wish,
                client=client,
                key=key,
                correlation_id=correlation_id(request),
            )
    except (RequestValidationError, AttachmentsUnknown) as exc:
        errors = list(exc.errors())
        raise _Refused(service.form_errors(errors), 422, token=token) from None
    except RateLimited as exc:
        retry = str(max(1, exc.retry_after))
        raise _Refused(
            {"form": f"提交太频繁了，请 {retry} 秒后再试"},
            429,
            token=token,
            headers={"Retry-After": retry},
        ) from None
    except idempotency_service.KeyReused:
        # The token was used for another wish: this form was sent already.
        raise _Refused(
            {"form": "这张表单已经提交过了；如需再写一条心愿，请再次提交"}, 422
        ) from None
    if isinstance(outcome, WishCreated):
        return outcome
    return WishCreated.model_validate(outcome.body)


@router.post("/walls/{wall_id}")
async def submit_wall_page(
    wall_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> Response:
    """The form posted: the same submission as ``POST /v1/public/walls/{id}/wishes``
    (validation, rate limits, the token as Idempotency-Key), through the walls service."""
    wall, categories = await _wall_and_categories(session, wall_id)
    if wall is None:
        return _not_found(request, "这面心愿墙")
    values: dict[str, str] = {}
    try:
        fields = await _read_form(request)
        values = {name: fields.get(name, "") for name in _FIELDS}
        token = fields.get("token", "").strip() or None
        try:
            key = key_for(token, request=request, runtime=runtime)
        except idempotency_service.InvalidKey:
            raise _Refused({"form": "表单已失效，请再提交一次"}, 422) from None
        wish = _wish(values, token)
        created = await _take(
            request=request,
            runtime=runtime,
            session=session,
            wall=wall,
            wish=wish,
            key=key,
            token=token,
        )
    except wall_service.WallNotFound:
        return _not_found(request, "这面心愿墙")
    except wall_service.WallClosed:
        return _closed(request, wall, status_code=409)
    except _Refused as refused:
        return _form(
            request,
            wall=wall,
            categories=categories,
            values=values,
            errors=refused.errors,
            status_code=refused.status_code,
            **refused.kwargs,
        )
    return _page(
        request,
        "thanks.html",
        {"wall": wall, "tracking_no": created.tracking_no},
        status_code=201,
    )


@router.get("/status")
async def status_form(request: Request, tracking_no: str | None = None) -> Response:
    """A form to type a tracking number in; a number sent with it goes to its page."""
    if tracking_no is None:
        return _page(request, "status_form.html", {"value": "", "error": None})
    normalized = re.sub(r"\s+", "", tracking_no).upper()
    if not _TRACKING_NO.match(normalized):
        return _page(
            request,
            "status_form.html",
            {
                "value": tracking_no,
                "error": "编号的格式是 GC-年月日-六位字母数字，例如 GC-20261121-7K3M9Q",
            },
            status_code=422,
        )
    base = get_runtime(request).settings.public_base_url.rstrip("/")
    return RedirectResponse(f"{base}/status/{normalized}", status_code=303)


@router.get("/status/{tracking_no}")
async def status_page(
    tracking_no: str, request: Request, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """A case's public status (what ``GET /v1/public/cases/{tracking_no}`` returns)."""
    if not _TRACKING_NO.match(tracking_no):
        return _not_found(request, f"编号为 {tracking_no} 的问题")
    status = await case_service.public_status(session=session, tracking_no=tracking_no)
    if status is None:
        return _not_found(request, f"编号为 {tracking_no} 的问题")
    steps = [
        {"at": _local(step.at, settings), "text": step.text} for step in service.timeline(status)
    ]
    return _page(
        request,
        "status.html",
        {
            "case": status,
            "steps": steps,
            "reported_at": _local(status.reported_at, settings),
            "expected_at": _local(status.expected_at, settings) if status.expected_at else None,
        },
    )
