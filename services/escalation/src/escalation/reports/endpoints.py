from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response

from escalation.calendar import service as calendar_service
from escalation.deps import RuntimeDep, SettingsDep
from escalation.reports import service
from escalation.reports.schemas import (
    AssessmentReport,
    DailySummary,
    Level,
    MonthlyReview,
    MonthlyRow,
    RateRow,
    RatesReport,
    SupervisionCounts,
    WorstUnit,
)
from escalation.supervision import service as supervision
from escalation.supervision.schemas import SupervisionRead
from gridcase_events.areas import district_of
from gridcase_events.kit.auth import CurrentPrincipal
from gridcase_events.kit.errors import Forbidden, Invalid
from gridcase_events.kit.runtime import SessionDep

router = APIRouter(tags=["reports"])

District = Annotated[
    str | None,
    Query(
        pattern=r"^\d{6}$",
        description="one district's report (the city centre may ask for any; others only "
        "their own); without it, every district the caller sees",
    ),
]
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"description": "outside your area or department"}
}
CSV_COLUMNS = list(RateRow.model_fields)
# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell a spreadsheet shows as text: unit names come from imported
    files, so one starting like a formula (``=HYPERLINK(…)``) is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: list[dict[str, Any]], filename: str) -> Response:
    out = io.StringIO()
    # CRLF (RFC 4180): a cell holding a CR or LF is then quoted, not a row break
    writer = csv.DictWriter(
        out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in CSV_COLUMNS})
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _side_by_side(current: list[dict[str, Any]], earlier: list[dict[str, Any]]) -> list[MonthlyRow]:
    """Each unit's figures of this month beside those of the month before."""
    by_unit: dict[str | None, MonthlyRow] = {}
    for row in current:
        by_unit[row["unit_code"]] = MonthlyRow(
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            current=RateRow.model_validate(row),
            previous=None,
        )
    for row in earlier:
        entry = by_unit.setdefault(
            row["unit_code"],
            MonthlyRow(
                unit_code=row["unit_code"], unit_name=row["unit_name"], current=None, previous=None
            ),
        )
        entry.previous = RateRow.model_validate(row)
    return sorted(by_unit.values(), key=lambda r: (r.unit_code is None, r.unit_code or ""))


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


@router.get(
    "/v1/reports/rates",
    response_model=RatesReport,
    summary="The three rates (三率) and more, per unit, for cases received in a period",
    description="Units by `level`, down to `member` (the person a case stands assigned to; "
    "`unit_code` is the staff id). `area` narrows to one area inside the caller's scope. "
    "Every figure carries its sample; ranking above a minimum sample is the reader's "
    "(docs/reports.md).",
    responses={
        **FORBIDDEN,
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with a header row"},
    },
)
async def rates(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    from_date: Annotated[date, Query(alias="from", description="first day received (local)")],
    to_date: Annotated[date, Query(alias="to", description="last day received (local)")],
    level: Level = "street",
    format: Annotated[Literal["json", "csv"] | None, Query()] = None,
    district: District = None,
    area: Annotated[
        str | None,
        Query(
            pattern=r"^\d{6}(\d{3}){0,3}$",
            description="only cases in this area (a district, street, community or grid code "
            "within yours): the drill-down, e.g. level=member&area=<a grid>",
        ),
    ] = None,
) -> Any:
    if to_date < from_date:
        raise Invalid("to is before from")
    if (to_date - from_date).days + 1 > settings.report_max_days:
        raise Invalid(f"a period of at most {settings.report_max_days} days")
    scope = service.narrowed(service.scope_for(principal, level=level, district=district), area)
    start, end = service.checked_period(from_date, to_date, ZoneInfo(settings.timezone))
    rows = await service.rate_rows(session, level=level, start=start, end=end, scope=scope)
    if _wants_csv(request, format):
        return _csv(rows, f"rates-{level}-{from_date}-{to_date}.csv")
    return RatesReport.model_validate(
        {
            "level": level,
            "from": from_date,
            "to": to_date,
            "timezone": settings.timezone,
            "generated_at": runtime.clock.now(),
            "rows": rows,
            "total": {"unit_code": None, "unit_name": None, **service.total(rows)},
        }
    )


@router.get(
    "/v1/reports/daily",
    response_model=DailySummary,
    summary="A station master's daily summary of a community",
    responses=FORBIDDEN,
)
async def daily(
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    community: Annotated[str, Query(pattern=r"^\d{12}$", description="the community's code")],
    day: Annotated[
        date | None, Query(alias="date", description="local day; today if absent")
    ] = None,
) -> Any:
    scope = service.scope_for(principal, level="community")
    if scope.department_code is not None or not community.startswith(
        scope.area_prefix or scope.district or ""
    ):
        raise Forbidden("this community is outside your area")
    zone = ZoneInfo(settings.timezone)
    now = runtime.clock.now()
    the_day = day or now.astimezone(zone).date()
    service.checked_period(the_day, the_day, zone)
    summary = await service.daily(session, community=community, day=the_day, zone=zone, now=now)
    return DailySummary.model_validate(summary)


@router.get(
    "/v1/reports/monthly",
    response_model=MonthlyReview,
    summary="The monthly grid review: rates against the month before, worst units, 督办",
    responses=FORBIDDEN,
)
async def monthly(
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
    level: Level = "grid",
    district: District = None,
) -> Any:
    scope = service.scope_for(principal, level=level, district=district)
    zone = ZoneInfo(settings.timezone)
    try:
        before = service.previous_month(month)
        start, end = service.checked_period(*service.month_bounds(month), zone)
        earlier_start, earlier_end = service.checked_period(*service.month_bounds(before), zone)
    except (OverflowError, ValueError):
        raise Invalid("a month out of range") from None
    current = await service.rate_rows(session, level=level, start=start, end=end, scope=scope)
    earlier = await service.rate_rows(
        session, level=level, start=earlier_start, end=earlier_end, scope=scope
    )
    orders = await supervision.search(
        session,
        area_prefix=scope.area_prefix,
        department_code=scope.department_code,
        district=scope.district,
        since=start,
        until=end,
        limit=1000,
    )
    cards = [o.card for o in orders]
    return MonthlyReview(
        month=month,
        previous_month=before,
        level=level,
        rows=_side_by_side(current, earlier),
        total=RateRow(unit_code=None, unit_name=None, **service.total(current)),
        previous_total=RateRow(unit_code=None, unit_name=None, **service.total(earlier)),
        worst=[WorstUnit.model_validate(w) for w in service.worst(current)],
        supervision=SupervisionCounts(
            yellow=cards.count("yellow"),
            red=cards.count("red"),
            manual=cards.count("none"),
            total=len(cards),
        ),
        orders=[SupervisionRead.model_validate(o, from_attributes=True) for o in orders],
    )


@router.get(
    "/v1/reports/assessment",
    response_model=AssessmentReport,
    summary="The monthly assessment of grid members (网格员考核), ranked per community",
    responses=FORBIDDEN,
)
async def assessment(
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
    community: Annotated[
        str | None, Query(pattern=r"^\d{12}$", description="one community; all in scope if absent")
    ] = None,
) -> Any:
    scope = service.scope_for(principal, level="community")
    # An area role's area, else a district's people's district (none: the city level).
    prefix = scope.area_prefix or scope.district or ""
    if scope.department_code is not None or not (community or prefix).startswith(prefix):
        raise Forbidden("this community is outside your area")
    zone = ZoneInfo(settings.timezone)
    try:
        first, last = service.month_bounds(month)
        start, end = service.checked_period(first, last, zone)
    except (OverflowError, ValueError):
        raise Invalid("a month out of range") from None
    # Working days by the calendar of the district asked about (the city's without one).
    calendar = await calendar_service.load(
        session, settings, district=district_of(community or prefix)
    )
    practice = service.field_practice(
        first=first,
        last=last,
        today=runtime.clock.now().astimezone(zone).date(),
        is_working_day=calendar.is_working_day,
        monthly_visits=settings.assessment_monthly_visits,
    )
    communities = await service.assessment(
        session,
        start=start,
        end=end,
        practice=practice,
        area_prefix=community or prefix or None,
        weights=settings.assessment_weights,
        min_sample=settings.assessment_min_sample,
        review_bottom=settings.assessment_review_bottom,
    )
    return AssessmentReport.model_validate(
        {
            "month": month,
            "timezone": settings.timezone,
            "generated_at": runtime.clock.now(),
            "formula": service.ASSESSMENT_FORMULA,
            "weights": settings.assessment_weights,
            "min_sample": settings.assessment_min_sample,
            "review_bottom": settings.assessment_review_bottom,
            "monthly_visits": settings.assessment_monthly_visits,
            "working_days": len(practice.working_days),
            "working_days_required": len(practice.required_days),
            "visits_target": practice.visits_target,
            "components_not_included": list(service.COMPONENTS_NOT_INCLUDED),
            "communities": communities,
        }
    )
