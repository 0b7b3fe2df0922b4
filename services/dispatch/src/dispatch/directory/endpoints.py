"""Directory administration and reads (the directory data of `docs/architecture.md`)."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Query, Request, UploadFile

from dispatch.deps import RuntimeDep, SettingsDep
from dispatch.directory import repository, service
from dispatch.directory.schemas import (
    AreaRead,
    AreasRepublished,
    DepartmentRead,
    DepartmentsRead,
    ImportKind,
    ImportSummary,
    StaffRead,
)
from gridcase_events.areas import district_of
from gridcase_events.kit.auth import CurrentPrincipal, Principal, require_roles, scope_of
from gridcase_events.kit.errors import Forbidden, Invalid, NotFound, PayloadTooLarge
from gridcase_events.kit.http import correlation_id
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["directory"])
log = structlog.get_logger(__name__)
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.post(
    "/v1/directory/import",
    response_model=ImportSummary,
    summary="Import one kind of directory data (all or nothing; idempotent)",
    responses={
        403: {
            "description": "rows beyond the admin's district, or changing the city's "
            "departments or categories (an admin of a district); nothing was applied"
        },
        413: {"description": "file too large"},
        422: {"description": "the file has problems; nothing was applied"},
    },
)
async def import_directory(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: Admin,
    kind: Annotated[ImportKind, Query()],
    file: UploadFile,
) -> Any:
    if file.size is not None and file.size > settings.max_import_bytes:
        raise PayloadTooLarge(f"file over {settings.max_import_bytes} bytes")
    raw = await file.read(settings.max_import_bytes + 1)
    if len(raw) > settings.max_import_bytes:
        raise PayloadTooLarge(f"file over {settings.max_import_bytes} bytes")
    rows = service.parse(kind, raw)
    summary = await service.import_rows(
        session=session,
        runtime=runtime,
        pii=runtime.pii,
        kind=kind,
        rows=rows,
        correlation_id=correlation_id(request),
        district=_wall(principal),
    )
    log.info("directory imported", by=principal.sub, **summary.model_dump())
    return summary


@router.post(
    "/v1/directory/areas/republish",
    response_model=AreasRepublished,
    summary="Announce every stored area again on the directory topic (admin)",
    responses={403: {"description": "not an admin"}},
)
async def republish_areas(
    request: Request, session: SessionDep, runtime: RuntimeDep, principal: Admin
) -> AreasRepublished:
    """Heals consumers that missed areas (intake draws the districts' boundary from the
    grids' polygons): every area of the admin's district, or of every district for an
    admin of the whole deployment, is announced again. Consumers upsert, so a repeat
    changes nothing."""
    district = _wall(principal)
    count = await service.republish_areas(
        session=session, runtime=runtime, district=district, correlation_id=correlation_id(request)
    )
    log.info("areas republished", by=principal.sub, district=district, areas=count)
    return AreasRepublished(district=district, areas=count)


def _wall(principal: Principal) -> str | None:
    """The district the caller is walled in (None: the city level)."""
    mine = scope_of(principal)
    return None if mine.everything else mine.district


def _inside_wall(principal: Principal, code: str) -> None:
    """Another district's people are not the caller's to look up (403)."""
    wall = _wall(principal)
    if wall is not None and district_of(code) != wall:
        raise Forbidden(f"area {code} is in another district")


@router.get("/v1/directory/areas", response_model=list[AreaRead], summary="The area hierarchy")
async def list_areas(
    session: SessionDep,
    principal: CurrentPrincipal,
    level: Annotated[str | None, Query(pattern="^(district|street|community|grid)$")] = None,
    parent_code: Annotated[str | None, Query(max_length=32)] = None,
) -> list[AreaRead]:
    """The areas of the caller's district (every district's at the city level)."""
    wall = _wall(principal)
    areas = await repository.areas(session, level=level, parent_code=parent_code)
    return [
        AreaRead.model_validate(a) for a in areas if wall is None or district_of(a.code) == wall
    ]


@router.get(
    "/v1/directory/areas/{code}/staff",
    response_model=list[StaffRead],
    summary="Who works in an area, their posts, and whether they are on duty now",
    responses={404: {}},
)
async def area_staff(
    code: str, session: SessionDep, runtime: RuntimeDep, principal: CurrentPrincipal
) -> list[StaffRead]:
    if await repository.get_area(session, code) is None:
        raise NotFound("no such area")
    _inside_wall(principal, code)
    staff = await repository.staff_of_area(session, code)
    absent = await repository.absent_now(session, [s.staff_id for s in staff], runtime.clock.now())
    return [
        StaffRead.model_validate(s).model_copy(update={"on_duty": s.staff_id not in absent})
        for s in staff
    ]


@router.get(
    "/v1/directory/on-duty",
    response_model=list[StaffRead],
    summary="Who is on duty now in an area (and the areas below it) or a department",
    responses={422: {"description": "name an area_code or a department_code"}},
)
async def on_duty(
    session: SessionDep,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    area_code: Annotated[str | None, Query(pattern=r"^\d{6,15}$")] = None,
    department_code: Annotated[str | None, Query(max_length=32)] = None,
) -> list[StaffRead]:
    if (area_code is None) == (department_code is None):
        raise Invalid("name exactly one of area_code, department_code")
    if area_code is not None:
        _inside_wall(principal, area_code)
        staff = await repository.staff_within_area(session, area_code)
    else:
        # A department's operators in the caller's district (the code is the city's).
        wall = _wall(principal)
        staff = [
            s
            for s in await repository.staff_of_department(session, department_code or "")
            if wall is None or district_of(s.area_code) in (None, wall)
        ]
    absent = await repository.absent_now(session, [s.staff_id for s in staff], runtime.clock.now())
    return [StaffRead.model_validate(s) for s in staff if s.staff_id not in absent]


@router.get(
    "/v1/directory/departments",
    response_model=DepartmentsRead,
    summary="The departments to dispatch or transfer to, with names (optionally filtered)",
    responses={401: {"description": "not signed in"}},
)
async def list_departments(
    session: SessionDep,
    principal: CurrentPrincipal,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=50, description="a part of the code or the name"),
    ] = None,
    code: Annotated[
        list[str] | None, Query(max_length=100, description="only these codes (repeatable)")
    ] = None,
) -> DepartmentsRead:
    """Any signed-in staff member may list them: each may have to transfer a case of
    theirs to a department (the assignee or a supervisor, see the workflow rules). No
    case data is shown; a department operator's own department is marked ``mine``."""
    if code is not None and any(not c or len(c) > 32 for c in code):
        raise Invalid("a department code is 1 to 32 characters")
    found = await repository.departments(session, q=q.strip() if q else None, codes=code)
    return DepartmentsRead(
        items=[
            DepartmentRead(
                code=d.code,
                name=d.name,
                mine=principal.role == "department_operator"
                and principal.department_code == d.code,
            )
            for d in found
        ]
    )
