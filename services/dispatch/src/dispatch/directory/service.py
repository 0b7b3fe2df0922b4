"""Directory imports: parse a whole file, validate it against itself and what is
stored, then upsert it idempotently and publish to the compacted directory topic what
changed (every area of an areas file) — or apply nothing and say exactly what is wrong."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.deps import DispatchRuntime
from dispatch.directory import cache, repository
from dispatch.directory.schemas import (
    CSV_HEADERS,
    PARENT_LEVEL,
    ROW_MODELS,
    AbsenceRow,
    AreaRow,
    CategoryRow,
    DepartmentRow,
    FieldProblem,
    GazetteerRow,
    ImportKind,
    ImportProblem,
    ImportSummary,
    StaffRow,
)
from gridcase_events import payloads
from gridcase_events.addresses import normalize_address
from gridcase_events.areas import district_of
from gridcase_events.kit.errors import Forbidden, Invalid
from gridcase_events.kit.pii import PiiCipher, mask_phone, normalize_phone

# Grids may touch along their borders; overlaps smaller than this (deg², ~1 m²) are noise.
OVERLAP_TOLERANCE = 1e-10
# How far a grid may stick out of its community (degrees, ~1 cm) before it is refused.
CONTAINMENT_TOLERANCE = 1e-7
STAFF_AREA_LEVEL = {
    "grid_member": "grid",
    "grid_leader": "grid",
    "station_master": "community",
    "street_officer": "street",
    "district_center": "district",
    "dispatcher": "district",
}


class Problems(list[ImportProblem]):
    def add(self, *, row: int | None, field: str | None = None, message: str) -> None:
        self.append(ImportProblem(row=row, field=field, message=message))


class ImportRejected(Invalid):
    """422: the file has problems and nothing was applied; the body lists every one."""

    def __init__(self, kind: str, problems: list[ImportProblem]) -> None:
        super().__init__(
            f"{kind} import rejected: nothing applied",
            extra={"problems": [p.model_dump() for p in problems]},
        )
        self.problems = problems


class ImportForbidden(Forbidden):
    """403: rows of the file reach beyond the admin's district (or change the city's
    catalogue); nothing was applied, the body lists every such row."""

    def __init__(self, kind: str, district: str, problems: list[ImportProblem]) -> None:
        super().__init__(
            f"{kind} import refused: rows beyond district {district}; nothing applied",
            extra={"problems": [p.model_dump() for p in problems]},
        )
        self.problems = problems


def _problems_from(exc: ValidationError, row: int) -> Problems:
    problems = Problems()
    for err in exc.errors(include_url=False):
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, FieldProblem):
            problems.add(row=row, field=cause.field, message=cause.message)
        else:
            field = ".".join(str(p) for p in err["loc"]) or None
            problems.add(row=row, field=field, message=err["msg"])
    return problems


def _feature_records(kind: str, text: str) -> list[tuple[int, dict[str, Any]]]:
    """A GeoJSON FeatureCollection's features as (1-based index, properties + geometry)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(kind, [ImportProblem(row=None, message=f"not JSON: {exc}")]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportRejected(
            kind, [ImportProblem(row=None, message="expected a GeoJSON FeatureCollection")]
        )
    records: list[tuple[int, dict[str, Any]]] = []
    for index, feature in enumerate(doc.get("features") or [], start=1):
        props = dict(feature.get("properties") or {}) if isinstance(feature, dict) else {}
        props["geometry"] = feature.get("geometry") if isinstance(feature, dict) else None
        records.append((index, props))
    return records


def _csv_records(
    kind: ImportKind, text: str, problems: Problems
) -> list[tuple[int, dict[str, Any]]]:
    """A CSV file's rows as (1-based data row, cells); rows with too many cells go to
    `problems`."""
    reader = csv.DictReader(io.StringIO(text))
    expected = CSV_HEADERS[kind]
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != expected:
        raise ImportRejected(
            kind, [ImportProblem(row=None, message=f"header must be: {','.join(expected)}")]
        )
    records: list[tuple[int, dict[str, Any]]] = []
    for index, record in enumerate(reader, start=1):
        if None in record:
            problems.add(row=index, message="too many columns")
            continue
        records.append((index, {k.strip(): v for k, v in record.items()}))
    return records


def parse(kind: ImportKind, raw: bytes) -> list[Any]:
    """The file's rows as validated models; :class:`ImportRejected` lists every problem."""
    model = ROW_MODELS[kind]
    problems = Problems()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(kind, [ImportProblem(row=None, message="file is not UTF-8")]) from None
    if kind == "areas":
        records = _feature_records(kind, text)
    else:
        records = _csv_records(kind, text, problems)
    rows: list[Any] = []
    for index, record in records:
        try:
            rows.append(model.model_validate(record))
        except ValidationError as exc:
            problems += _problems_from(exc, index)
    if not records and not problems:
        problems.add(row=None, message="the file has no rows")
    if problems:
        raise ImportRejected(kind, problems)
    return rows


def _duplicates(keys: Sequence[Any], field: str) -> Problems:
    counts = Counter(keys)
    problems = Problems()
    for i, key in enumerate(keys, start=1):
        if counts[key] > 1:
            problems.add(row=i, field=field, message=f"{key!r} appears more than once")
    return problems


async def import_rows(
    *,
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    kind: ImportKind,
    rows: Sequence[Any],
    correlation_id: str,
    district: str | None = None,
) -> ImportSummary:
    """Validates `rows` against the stored directory and applies them, all or nothing
    (the caller's transaction). Raises :class:`ImportForbidden` when they reach beyond
    `district` (the admin's wall; None: the city level), :class:`ImportRejected` when
    they are wrong."""
    await check_wall(session=session, kind=kind, rows=rows, district=district)
    handler = _IMPORTERS[kind]
    created, updated, unchanged = await handler(session, runtime, pii, rows, correlation_id)
    version = await repository.bump_version(session)
    cache.forget_version(session)
    return ImportSummary(
        kind=kind,
        rows=len(rows),
        created=created,
        updated=updated,
        unchanged=unchanged,
        directory_version=version,
    )


def _diff(
    existing: dict[str, dict[str, Any]], key: str, new_rows: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int, int, int]:
    changed, created, updated, unchanged = [], 0, 0, 0
    for row in new_rows:
        old = existing.get(row[key])
        if old is None:
            created += 1
            changed.append(row)
        elif any(old.get(k) != v for k, v in row.items()):
            updated += 1
            changed.append(row)
        else:
            unchanged += 1
    return changed, created, updated, unchanged


async def _emit_all(
    session: AsyncSession,
    runtime: DispatchRuntime,
    events: list[tuple[str, BaseModel]],
    correlation_id: str,
) -> None:
    for subject, payload in events:
        await runtime.emit(session, payload, subject=subject, correlation_id=correlation_id)


async def _apply(
    session: AsyncSession,
    runtime: DispatchRuntime,
    kind: str,
    key: str,
    new_rows: list[dict[str, Any]],
    corr: str,
    *,
    event: Callable[[dict[str, Any]], tuple[str, BaseModel]] | None = None,
) -> tuple[int, int, int]:
    """Upserts what changed and, when the kind is published, announces each change."""
    changed, created, updated, unchanged = _diff(
        await repository.rows_by_key(session, kind), key, new_rows
    )
    await repository.upsert(session, kind, changed)
    if event is not None:
        await _emit_all(session, runtime, [event(r) for r in changed], corr)
    return created, updated, unchanged


def _area_problems(
    rows: Sequence[AreaRow], merged: dict[str, dict[str, Any]]
) -> tuple[Problems, dict[str, BaseGeometry]]:
    """Each row's parent (known, one level up) and geometry (readable, valid); returns the
    problems and the imported shapes by code."""
    problems = _duplicates([r.code for r in rows], "code")
    shapes: dict[str, BaseGeometry] = {}
    for i, row in enumerate(rows, start=1):
        parent_level = PARENT_LEVEL[row.level]
        if row.parent_code is not None:
            parent = merged.get(row.parent_code)
            if parent is None:
                problems.add(
                    row=i, field="parent_code", message=f"unknown parent {row.parent_code}"
                )
            elif parent["level"] != parent_level:
                problems.add(
                    row=i,
                    field="parent_code",
                    message=f"parent {row.parent_code} is a {parent['level']}, not a {parent_level}",
                )
        if row.geometry is not None:
            try:
                geom = shape(row.geometry)
            except (ValueError, TypeError, AttributeError, IndexError) as exc:
                problems.add(row=i, field="geometry", message=f"unreadable geometry: {exc}")
                continue
            if not geom.is_valid:
                problems.add(row=i, field="geometry", message=explain_validity(geom))
                continue
            shapes[row.code] = geom
    return problems, shapes


def _shape_of(area: dict[str, Any] | None, shapes: dict[str, BaseGeometry]) -> BaseGeometry | None:
    """An area's shape: the imported one, else the stored one, else None."""
    if not area:
        return None
    return shapes.get(area["code"]) or (shape(area["geometry"]) if area.get("geometry") else None)


def _grid_problems(
    rows: Sequence[AreaRow],
    merged: dict[str, dict[str, Any]],
    shapes: dict[str, BaseGeometry],
    problems: Problems,
) -> None:
    """Grids of one kind must not overlap (a unit grid may lie inside a residential one),
    and a grid lies inside its community."""
    grid_shapes: dict[str, tuple[str, BaseGeometry]] = {}
    for code, area in merged.items():
        if area["level"] != "grid":
            continue
        geom = shapes.get(code)
        if geom is None and area.get("geometry") and code not in shapes:
            geom = shape(area["geometry"])
        if geom is not None:
            grid_shapes[code] = (area["kind"], geom)
    codes = list(grid_shapes)
    tree = STRtree([grid_shapes[c][1] for c in codes])
    imported = {r.code: i for i, r in enumerate(rows, start=1)}
    for code, i in imported.items():
        if code not in grid_shapes:
            continue
        kind, geom = grid_shapes[code]
        for j in tree.query(geom, predicate="intersects"):
            other = codes[int(j)]
            # Districts side by side share no ground at all, whatever their grids' kinds.
            elsewhere = district_of(other) != district_of(code)
            if other == code or (grid_shapes[other][0] != kind and not elsewhere):
                continue
            if other in imported and imported[other] < i:
                continue  # reported once, on the later row
            if geom.intersection(grid_shapes[other][1]).area > OVERLAP_TOLERANCE:
                of = f" of district {district_of(other)}" if elsewhere else ""
                problems.add(
                    row=i, field="geometry", message=f"grid {code} overlaps grid {other}{of}"
                )
        community = merged.get(merged[code]["parent_code"] or "")
        community_geom = _shape_of(community, shapes)
        if (
            community
            and community_geom
            and not community_geom.buffer(CONTAINMENT_TOLERANCE).covers(geom)
        ):
            problems.add(
                row=i,
                field="geometry",
                message=f"grid {code} lies outside its community {community['code']}",
            )


def _area_event(area: dict[str, Any]) -> tuple[str, BaseModel]:
    """An area as the directory topic announces it (a grid with its polygon)."""
    return (
        f"area:{area['code']}",
        payloads.AreaUpserted(
            code=area["code"],
            name=area["name"],
            level=area["level"],
            parent_code=area["parent_code"],
            kind=area["kind"],
            geometry=area["geometry"] if area["level"] == "grid" else None,
        ),
    )


async def republish_areas(
    *, session: AsyncSession, runtime: DispatchRuntime, district: str | None, correlation_id: str
) -> int:
    """Announces every stored area again (of `district`, or of every district when
    None) — how a deployment whose consumers missed areas heals; returns how many."""
    areas = [
        area
        for code, area in sorted((await repository.rows_by_key(session, "areas")).items())
        if district is None or district_of(code) == district
    ]
    await _emit_all(session, runtime, [_area_event(a) for a in areas], correlation_id)
    return len(areas)


async def _import_areas(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[AreaRow],
    corr: str,
) -> tuple[int, int, int]:
    existing = await repository.rows_by_key(session, "areas")
    merged: dict[str, dict[str, Any]] = dict(existing)
    for row in rows:
        merged[row.code] = row.model_dump()
    problems, shapes = _area_problems(rows, merged)
    _grid_problems(rows, merged, shapes, problems)
    if problems:
        raise ImportRejected("areas", problems)

    new_rows = [
        {
            "code": r.code,
            "name": r.name,
            "level": r.level,
            "parent_code": r.parent_code,
            "kind": r.kind,
            "households": r.households,
            "geometry": r.geometry,
        }
        for r in rows
    ]
    changed, created, updated, unchanged = _diff(
        {k: {c: v.get(c) for c in new_rows[0]} for k, v in existing.items()}, "code", new_rows
    )
    await repository.upsert(session, "areas", changed)
    # Every area of the file is announced, changed or not: consumers upsert (a repeat
    # changes nothing), and a consumer that missed or dropped an area learns it again
    # from the next import — intake draws the districts' boundary from these.
    await _emit_all(session, runtime, [_area_event(r) for r in new_rows], corr)
    return created, updated, unchanged


async def _import_departments(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[DepartmentRow],
    corr: str,
) -> tuple[int, int, int]:
    problems = _duplicates([r.code for r in rows], "code")
    if problems:
        raise ImportRejected("departments", problems)
    return await _apply(
        session,
        runtime,
        "departments",
        "code",
        [r.model_dump() for r in rows],
        corr,
        event=lambda r: (f"department:{r['code']}", payloads.DepartmentUpserted(**r)),
    )


async def _import_categories(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[CategoryRow],
    corr: str,
) -> tuple[int, int, int]:
    problems = _duplicates([r.code for r in rows], "code")
    departments = await repository.rows_by_key(session, "departments")
    for i, row in enumerate(rows, start=1):
        if row.department_code is not None and row.department_code not in departments:
            problems.add(
                row=i, field="department_code", message=f"unknown department {row.department_code}"
            )
    if problems:
        raise ImportRejected("categories", problems)
    return await _apply(
        session,
        runtime,
        "categories",
        "code",
        [r.model_dump() for r in rows],
        corr,
        event=lambda r: (f"category:{r['code']}", payloads.CategoryUpserted(**r)),
    )


def _staff_problems(
    rows: Sequence[StaffRow],
    areas: dict[str, dict[str, Any]],
    departments: dict[str, dict[str, Any]],
) -> Problems:
    """Each row's area (known, of the level its role works in) and department (known)."""
    problems = _duplicates([r.staff_id for r in rows], "staff_id")
    for i, row in enumerate(rows, start=1):
        if row.area_code is not None:
            area = areas.get(row.area_code)
            wanted = STAFF_AREA_LEVEL.get(row.role)
            if area is None:
                problems.add(row=i, field="area_code", message=f"unknown area {row.area_code}")
            elif wanted is not None and area["level"] != wanted:
                problems.add(
                    row=i,
                    field="area_code",
                    message=f"a {row.role} works in a {wanted}, and {row.area_code} is a {area['level']}",
                )
        if row.department_code is not None and row.department_code not in departments:
            problems.add(
                row=i, field="department_code", message=f"unknown department {row.department_code}"
            )
    return problems


def _post_problems(rows: Sequence[StaffRow], existing: dict[str, dict[str, Any]]) -> Problems:
    """One A post and one B post per grid, counting staff already stored."""
    problems = Problems()
    posts: dict[tuple[str, str], list[str]] = {}
    imported = {r.staff_id for r in rows}
    for sid, old in existing.items():
        if sid not in imported and old["post"] and old["area_code"]:
            posts.setdefault((old["area_code"], old["post"]), []).append(sid)
    for row in rows:
        if row.post and row.area_code:
            posts.setdefault((row.area_code, row.post), []).append(row.staff_id)
    row_of = {r.staff_id: i for i, r in enumerate(rows, start=1)}
    for (grid, post), holders in posts.items():
        if len(holders) > 1:
            problems.add(
                row=row_of.get(holders[-1]),
                field="post",
                message=f"grid {grid} would have {len(holders)} {post} posts: {', '.join(holders)}",
            )
    return problems


def _staff_changes(
    rows: Sequence[StaffRow], existing: dict[str, dict[str, Any]], pii: PiiCipher
) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows to upsert (phone encrypted and masked) and the counts (created, updated,
    unchanged); a stored phone is compared decrypted."""
    new_rows: list[dict[str, Any]] = []
    counts = [0, 0, 0]
    for row in rows:
        phone = normalize_phone(row.phone)
        values = {
            "staff_id": row.staff_id,
            "name": row.name,
            "role": row.role,
            "area_code": row.area_code,
            "department_code": row.department_code,
            "post": row.post,
        }
        stored = existing.get(row.staff_id)
        if stored is None:
            counts[0] += 1
        elif (
            all(stored[k] == v for k, v in values.items())
            and pii.decrypt(stored["phone_enc"]) == phone
        ):
            counts[2] += 1
            continue
        else:
            counts[1] += 1
        new_rows.append(
            {**values, "phone_enc": pii.encrypt(phone), "phone_masked": mask_phone(phone)}
        )
    return new_rows, counts


async def _import_staff(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[StaffRow],
    corr: str,
) -> tuple[int, int, int]:
    areas = await repository.rows_by_key(session, "areas")
    departments = await repository.rows_by_key(session, "departments")
    existing = await repository.rows_by_key(session, "staff")
    problems = _staff_problems(rows, areas, departments)
    problems += _post_problems(rows, existing)
    if problems:
        raise ImportRejected("staff", problems)

    new_rows, counts = _staff_changes(rows, existing, pii)
    await repository.upsert(session, "staff", new_rows)
    await _emit_all(
        session,
        runtime,
        [
            (
                f"staff:{r['staff_id']}",
                payloads.StaffUpserted(
                    staff_id=r["staff_id"],
                    name=r["name"],
                    role=r["role"],
                    area_code=r["area_code"],
                    department_code=r["department_code"],
                    post=r["post"],
                    phone_masked=r["phone_masked"],
                    phone_encrypted=r["phone_enc"],
                ),
            )
            for r in new_rows
        ],
        corr,
    )
    return counts[0], counts[1], counts[2]


async def _import_gazetteer(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[GazetteerRow],
    corr: str,
) -> tuple[int, int, int]:
    normalized = [normalize_address(r.address) for r in rows]
    problems = _duplicates(normalized, "address")
    areas = await repository.rows_by_key(session, "areas")
    for i, row in enumerate(rows, start=1):
        area = areas.get(row.grid_code)
        if area is None or area["level"] != "grid":
            problems.add(row=i, field="grid_code", message=f"unknown grid {row.grid_code}")
    if problems:
        raise ImportRejected("gazetteer", problems)
    new_rows = [
        {"normalized": n, "address": r.address, "grid_code": r.grid_code}
        for n, r in zip(normalized, rows, strict=True)
    ]
    return await _apply(session, runtime, "gazetteer", "normalized", new_rows, corr)


async def _import_absences(
    session: AsyncSession,
    runtime: DispatchRuntime,
    pii: PiiCipher,
    rows: Sequence[AbsenceRow],
    corr: str,
) -> tuple[int, int, int]:
    staff = await repository.rows_by_key(session, "staff")
    problems = Problems()
    for i, r in enumerate(rows, start=1):
        if r.staff_id not in staff:
            problems.add(row=i, field="staff_id", message=f"unknown staff {r.staff_id}")
    if problems:
        raise ImportRejected("absences", problems)
    existing = await repository.absences(session)
    new = [
        {"staff_id": r.staff_id, "starts_at": r.start, "ends_at": r.end}
        for r in rows
        if (r.staff_id, r.start, r.end) not in existing
    ]
    await repository.add_absences(session, new)
    return len(new), 0, len(rows) - len(new)


_IMPORTERS: dict[str, Any] = {
    "areas": _import_areas,
    "departments": _import_departments,
    "categories": _import_categories,
    "staff": _import_staff,
    "gazetteer": _import_gazetteer,
    "absences": _import_absences,
}


# --- the district wall of imports (docs/adr/0005-districts-side-by-side.md) ----------
#
# An admin walled in a district (a token with its area_code) imports that district's
# areas, staff, gazetteer and absences only, and never moves a stored row of another
# district (staff ids and addresses are the deployment's keys). Departments and
# categories are the city's catalogue: such an admin may add codes, not change one.


def _area_outside(code: str | None, district: str) -> str | None:
    """Why an area code is not the district's (None: it is)."""
    if code is None:
        return f"name an area of district {district}"
    if district_of(code) != district:
        return f"{code} is in district {district_of(code)}, not {district}"
    return None


async def _areas_wall(session: AsyncSession, rows: Sequence[AreaRow], district: str) -> Problems:
    problems = Problems()
    for i, row in enumerate(rows, start=1):
        if (why := _area_outside(row.code, district)) is not None:
            problems.add(row=i, field="code", message=why)
    return problems


def _stored_staff_outside(stored: dict[str, Any] | None, district: str) -> str | None:
    if stored is None or district_of(stored["area_code"]) == district:
        return None
    where = stored["area_code"] and f"district {district_of(stored['area_code'])}"
    return f"{stored['staff_id']} is staff of {where or 'the whole deployment'}"


async def _staff_wall(session: AsyncSession, rows: Sequence[StaffRow], district: str) -> Problems:
    problems = Problems()
    stored = await repository.rows_by_key(session, "staff")
    for i, row in enumerate(rows, start=1):
        if row.role == "city_center":
            problems.add(row=i, field="role", message="the city centre is the city's to appoint")
        elif (why := _area_outside(row.area_code, district)) is not None:
            problems.add(row=i, field="area_code", message=why)
        if (why := _stored_staff_outside(stored.get(row.staff_id), district)) is not None:
            problems.add(row=i, field="staff_id", message=why)
    return problems


async def _absences_wall(
    session: AsyncSession, rows: Sequence[AbsenceRow], district: str
) -> Problems:
    problems = Problems()
    stored = await repository.rows_by_key(session, "staff")
    for i, row in enumerate(rows, start=1):
        if (why := _stored_staff_outside(stored.get(row.staff_id), district)) is not None:
            problems.add(row=i, field="staff_id", message=why)
    return problems


async def _gazetteer_wall(
    session: AsyncSession, rows: Sequence[GazetteerRow], district: str
) -> Problems:
    problems = Problems()
    stored = await repository.rows_by_key(session, "gazetteer")
    for i, row in enumerate(rows, start=1):
        if (why := _area_outside(row.grid_code, district)) is not None:
            problems.add(row=i, field="grid_code", message=why)
        old = stored.get(normalize_address(row.address))
        if old is not None and district_of(old["grid_code"]) != district:
            problems.add(
                row=i,
                field="address",
                message=f"{old['address']} is an address of district {district_of(old['grid_code'])}",
            )
    return problems


def _catalogue_wall(kind: str) -> Callable[[AsyncSession, Sequence[Any], str], Any]:
    async def check(session: AsyncSession, rows: Sequence[Any], district: str) -> Problems:
        problems = Problems()
        stored = await repository.rows_by_key(session, kind)
        for i, row in enumerate(rows, start=1):
            old = stored.get(row.code)
            if old is not None and any(old.get(k) != v for k, v in row.model_dump().items()):
                problems.add(
                    row=i,
                    field="code",
                    message=f"{row.code} is the city's; only an admin of the whole deployment changes it",
                )
        return problems

    return check


_WALLS: dict[str, Callable[[AsyncSession, Sequence[Any], str], Any]] = {
    "areas": _areas_wall,
    "staff": _staff_wall,
    "absences": _absences_wall,
    "gazetteer": _gazetteer_wall,
    "departments": _catalogue_wall("departments"),
    "categories": _catalogue_wall("categories"),
}


async def check_wall(
    *, session: AsyncSession, kind: ImportKind, rows: Sequence[Any], district: str | None
) -> None:
    """Raises :class:`ImportForbidden` when rows reach beyond `district` (None: the
    city level, walled by nothing)."""
    if district is None:
        return
    problems = await _WALLS[kind](session, rows, district)
    if problems:
        raise ImportForbidden(kind, district, problems)
