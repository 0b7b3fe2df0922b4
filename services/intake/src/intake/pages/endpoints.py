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
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from intake.cases import service as case_service
from intake.catalogue import service as catalogue_service
from intake.config import IntakeSettings
from intake.deps import RuntimeDep, SettingsDep
from intake.idempotency import endpoints as idempotency_endpoints
from intake.idempotency import service as idempotency_service
from intake.pages import service
from intake.walls import endpoints as wall_endpoints
from intake.walls import repository as wall_repository
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
    settings: IntakeSettings = request.app.state.runtime.settings
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


async def _wall_and_categories(runtime: Any, wall_id: str) -> tuple[Wall | None, list[Any]]:
    if not _WALL_ID.match(wall_id):
        return None, []
    async with runtime.sessionmaker() as session:
        wall = await wall_repository.get(session, wall_id)
        categories = await catalogue_service.categories(session=session) if wall else []
    return wall, categories


def _form(
    request: Request,
    *,
    wall: Wall,
    categories: list[Any],
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
async def wall_page(wall_id: str, request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """The page a wall's QR code points at: a form for a wish."""
    wall, categories = await _wall_and_categories(runtime, wall_id)
    if wall is None:
        return _not_found(request, "这面心愿墙")
    return _form(request, wall=wall, categories=categories)


@router.post("/walls/{wall_id}")
async def submit_wall_page(
    wall_id: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> Response:
    """The form posted: the same submission as ``POST /v1/public/walls/{id}/wishes``
    (validation, district, rate limits, the token as Idempotency-Key)."""
    wall, categories = await _wall_and_categories(runtime, wall_id)
    if wall is None:
        return _not_found(request, "这面心愿墙")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _FORM_TYPES:
        return _form(
            request,
            wall=wall,
            categories=categories,
            errors={"form": "请通过本页的表单提交"},
            status_code=415,
        )
    try:
        form = await request.form(max_files=0)
    except (HTTPException, MultiPartException) as exc:
        # Over the body limit (413), or a malformed form (400): the page, not JSON.
        too_large = isinstance(exc, HTTPException) and exc.status_code == 413
        return _form(
            request,
            wall=wall,
            categories=categories,
            errors={"form": "内容太长了，请精简后再提交" if too_large else "表单有误，请重新填写"},
            status_code=413 if too_large else 400,
        )
    fields = {k: v for k, v in form.multi_items() if not isinstance(v, UploadFile)}
    await form.close()
    values = {name: str(fields.get(name, "")) for name in _FIELDS}
    token = str(fields.get("token", "")).strip() or None

    def again(errors: dict[str, str], status_code: int, **kwargs: Any) -> HTMLResponse:
        return _form(
            request,
            wall=wall,
            categories=categories,
            values=values,
            errors=errors,
            status_code=status_code,
            **kwargs,
        )

    try:
        idempotency = idempotency_endpoints.for_key(
            token, request=request, runtime=runtime, settings=settings
        )
    except idempotency_service.InvalidKey:
        return again({"form": "表单已失效，请再提交一次"}, 422)
    try:
        wish = WishIn.model_validate(
            {
                "content": values["content"],
                "phone": values["phone"].strip() or None,
                "category_hint": values["category_hint"].strip() or None,
            }
        )
    except ValidationError as exc:
        errors = [dict(e) for e in exc.errors(include_url=False)]
        return again(service.form_errors(errors), 422, token=token)
    try:
        result = await wall_endpoints.submit_public_wish(
            wall_id=wall.id,
            body=wish,
            request=request,
            runtime=runtime,
            settings=settings,
            idempotency=idempotency,
        )
    except RequestValidationError as exc:
        return again(service.form_errors(list(exc.errors())), 422, token=token)
    except HTTPException as exc:
        if exc.status_code == 429:
            retry = (exc.headers or {}).get("Retry-After", "60")
            return again(
                {"form": f"提交太频繁了，请 {retry} 秒后再试"},
                429,
                token=token,
                headers={"Retry-After": retry},
            )
        if exc.status_code == 404:
            return _not_found(request, "这面心愿墙")
        # The token was used for another wish (422): this form was sent already.
        return again({"form": "这张表单已经提交过了；如需再写一条心愿，请再次提交"}, 422)
    created = (
        WishCreated.model_validate_json(bytes(result.body))
        if isinstance(result, JSONResponse)
        else result
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
    base = request.app.state.runtime.settings.public_base_url.rstrip("/")
    return RedirectResponse(f"{base}/status/{normalized}", status_code=303)


@router.get("/status/{tracking_no}")
async def status_page(
    tracking_no: str, request: Request, runtime: RuntimeDep, settings: SettingsDep
) -> HTMLResponse:
    """A case's public status (what ``GET /v1/public/cases/{tracking_no}`` returns)."""
    if not _TRACKING_NO.match(tracking_no):
        return _not_found(request, f"编号为 {tracking_no} 的问题")
    async with runtime.sessionmaker() as session:
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
