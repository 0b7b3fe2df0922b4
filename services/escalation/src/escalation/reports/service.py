"""The facts projection and the three rates (三率).

The projection keeps, per case, what the reports need; it is fed by the consumers in
``escalation.consumers`` in the same transactions as the clocks. The figures are
defined in ``docs/reports.md``; :func:`rate` and :func:`figures` are their arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import repository as clock_repository
from escalation.clocks.models import CaseClock
from escalation.directory import repository as directory_repository
from escalation.reports import metrics, repository
from escalation.reports.models import CaseFact
from gridcase_events import payloads
from gridcase_events.areas import LENGTHS
from gridcase_events.envelope import Envelope
from gridcase_events.kit.auth import Principal, district_scope, scope_of
from gridcase_events.kit.errors import Forbidden, Invalid

DispatchCaseEvent = (
    payloads.CaseRouted
    | payloads.CaseAssigned
    | payloads.CaseAccepted
    | payloads.CaseReturned
    | payloads.CaseTransferred
    | payloads.CaseDispatched
    | payloads.CaseResolved
    | payloads.CaseClosed
    | payloads.CaseReopened
    | payloads.CaseEvaluated
)
"""The dispatch events the facts projection applies."""

# ------------------------------------------------------------------------ arithmetic

LEVELS = ("member", "grid", "community", "street", "department", "district")
AREA_DIGITS: dict[str, int] = {str(level): n for level, n in LENGTHS.items()}
COUNTS = (
    "received",
    "sign_for_clocked",
    "accepted_in_time",
    "resolved",
    "closed",
    "closed_on_time",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "returns",
    "reopenings",
    "buck_passing_flags",
    "supervision_yellow",
    "supervision_red",
    "supervision_manual",
)
RATES = ("response_rate", "resolution_rate", "on_time_closure_rate", "satisfaction_rate")
PLACES = Decimal("0.0001")


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator rounded half up to 4 decimal places; None (not 0) when
    there is nothing to divide by."""
    if denominator == 0:
        return None
    return float((Decimal(numerator) / Decimal(denominator)).quantize(PLACES, ROUND_HALF_UP))


def figures(counts: Mapping[str, int]) -> dict[str, Any]:
    """The counts of one unit plus its rates and derived totals."""
    c = {k: int(counts.get(k, 0)) for k in COUNTS}
    evaluated = c["satisfied"] + c["basically_satisfied"] + c["dissatisfied"]
    return {
        **c,
        "evaluated": evaluated,
        "supervision_orders": c["supervision_yellow"]
        + c["supervision_red"]
        + c["supervision_manual"],
        "response_rate": rate(c["accepted_in_time"], c["sign_for_clocked"]),
        "resolution_rate": rate(c["resolved"], c["received"]),
        "on_time_closure_rate": rate(c["closed_on_time"], c["closed"]),
        "satisfaction_rate": rate(c["satisfied"] + c["basically_satisfied"], evaluated),
    }


def total(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The figures of several units together (rates from the summed counts)."""
    sums = dict.fromkeys(COUNTS, 0)
    for row in rows:
        for key in COUNTS:
            sums[key] += int(row[key])
    return figures(sums)


def worst(rows: Iterable[Mapping[str, Any]], *, per_rate: int = 3) -> list[dict[str, Any]]:
    """For each rate, the units with the lowest value (units without a value skipped)."""
    found = []
    listed = list(rows)
    for name in RATES:
        valued = [r for r in listed if r[name] is not None]
        valued.sort(key=lambda r: (r[name], str(r["unit_code"])))
        found += [
            {
                "rate": name,
                "unit_code": r["unit_code"],
                "unit_name": r.get("unit_name"),
                "value": r[name],
            }
            for r in valued[:per_rate]
        ]
    return found


def period(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `first`, local midnight after `last`) in UTC."""
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def checked_period(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """:func:`period` for days a person asked for: one out of range is a 422."""
    try:
        return period(first, last, zone)
    except (OverflowError, ValueError):
        raise Invalid("a date out of range") from None


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> (2026-11-01, 2026-11-30)."""
    year, number = (int(x) for x in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    before = first - timedelta(days=1)
    return f"{before.year:04d}-{before.month:02d}"


# ----------------------------------------------------------------------------- scope

MEMBER_DIGITS = max(AREA_DIGITS.values()) + 1

ALL_CASES_ROLES = frozenset({"ops", "admin", "district_center"})
AREA_REPORT_ROLES = frozenset({"street_officer", "station_master", "grid_leader"})


class OutOfScope(Forbidden):
    """The caller may not see this report (403)."""


@dataclass(frozen=True)
class Scope:
    area_prefix: str | None = None
    department_code: str | None = None
    district: str | None = None  # the district wall; None: every district


def scope_for(principal: Principal, *, level: str, district: str | None = None) -> Scope:
    """Who sees what (docs/adr/0005-districts-side-by-side.md): the city centre (and ops
    or admin of the whole deployment) every district, or the one `district` it asks for;
    ops, admin and the district centre their district; a street officer, station master
    or grid leader their area at its level or finer; a department operator their
    department, in their district. Anyone else asking for another district: 403."""
    if scope_of(principal).everything:
        return Scope(district=district)
    walled = district_scope(principal)
    if district is not None and district != walled:
        raise OutOfScope(f"district {district} is not yours")
    if principal.role in ALL_CASES_ROLES:
        if walled is None:
            raise OutOfScope("your token names no district")
        return Scope(district=walled)
    if principal.role in AREA_REPORT_ROLES:
        area = principal.area_code
        if not area:
            raise OutOfScope("your token names no area")
        # the member level lies below the grid: within any area
        digits = MEMBER_DIGITS if level == "member" else AREA_DIGITS.get(level)
        if digits is None or digits < len(area):
            raise OutOfScope(f"a {level} report covers more than your area {area}")
        return Scope(area_prefix=area, district=walled)
    if principal.role == "department_operator":
        if not principal.department_code:
            raise OutOfScope("your token names no department")
        if level != "department":
            raise OutOfScope("department operators see their department's report only")
        return Scope(department_code=principal.department_code, district=walled)
    raise OutOfScope(f"role {principal.role} may not read reports")


def narrowed(scope: Scope, area: str | None) -> Scope:
    """The scope narrowed to `area` (a drill-down: a grid's members, a street's grids),
    which must lie within the caller's area and district (403 otherwise)."""
    if area is None:
        return scope
    inside = scope.area_prefix or scope.district or ""
    if not area.startswith(inside):
        raise OutOfScope(f"area {area} is outside yours")
    if scope.area_prefix is not None and len(area) < len(scope.area_prefix):
        raise OutOfScope(f"area {area} covers more than yours")
    return Scope(area_prefix=area, department_code=scope.department_code, district=scope.district)


# ------------------------------------------------------------------------ projection


async def area_chain(session: AsyncSession, code: str | None) -> dict[str, str | None]:
    """grid, community, street and district of an area code: from the directory's
    parents where known, else from the code itself (codes chain their parents' codes:
    district 6 digits + street 3 + community 3 + grid 3)."""
    return _chain(code, await directory_repository.parents(session, _area_codes(code)))


def _area_codes(code: str | None) -> list[str]:
    """The codes of the area and of what would be its parents by the code alone."""
    if not code:
        return []
    return [code[:digits] for digits in AREA_DIGITS.values() if len(code) >= digits]


def _chain(code: str | None, known: Mapping[str, str | None]) -> dict[str, str | None]:
    chain: dict[str, str | None] = dict.fromkeys(AREA_DIGITS)
    if not code:
        return chain
    current = code
    for level in ("grid", "community", "street", "district"):
        digits = AREA_DIGITS[level]
        if len(current) < digits:
            continue
        if len(current) > digits:
            parent = known.get(current)
            current = parent if parent and len(parent) == digits else current[:digits]
        chain[level] = current
    return chain


def _first(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b < a else a


def _locate(
    fact: CaseFact, p: DispatchCaseEvent, chain: dict[str, str | None], *, tenant: str
) -> None:
    """The responsible units (`chain`: the area's, see :func:`area_chain`), when the
    event names one and is not older than what the projection holds (a return to
    triage names none: the last unit stays)."""
    grid, community, department = p.grid_code, p.community_code, p.department_code
    version = p.case_version
    if not (grid or community or department) or version < fact.location_version:
        return
    fact.grid_code = chain["grid"]
    fact.community_code = chain["community"]
    fact.street_code = chain["street"]
    # A department's case has no area: its district is the one dispatch says (tenant).
    fact.district_code = chain["district"] or tenant
    fact.department_code = department
    fact.location_version = version


def _assign(fact: CaseFact, p: DispatchCaseEvent) -> None:
    """The member the case stands assigned to: named by case.assigned (the assignee) and
    case.accepted (the one who signed for it), the latest by case version."""
    if isinstance(p, payloads.CaseAssigned):
        member, role = p.assignee_id, p.assignee_role
    elif isinstance(p, payloads.CaseAccepted):
        member, role = p.assignee_id or p.actor_id, p.actor_role
    else:
        return
    if p.case_version < fact.assignee_version:
        return
    fact.assignee_id, fact.assignee_role = member, role
    fact.assignee_version = p.case_version


def _describe(fact: CaseFact, p: DispatchCaseEvent) -> None:
    fact.tracking_no = p.tracking_no or fact.tracking_no
    if p.channel:
        fact.channel = p.channel
    if p.priority:
        fact.priority = p.priority
    if p.category_code:
        fact.category_code = p.category_code


def _labels(fact: CaseFact) -> tuple[str, str]:
    return metrics.label(fact.street_code), metrics.label(fact.department_code)


async def record_reported(
    session: AsyncSession, *, p: payloads.CaseReported, now: datetime
) -> None:
    repository.reported(
        session,
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        channel=p.channel,
        priority=p.priority,
        received_at=p.reported_at,
        now=now,
    )


async def record_ended(
    session: AsyncSession, *, case_id: UUID, tracking_no: str, how: str, now: datetime
) -> None:
    """Withdrawn or merged into another case: no longer part of the figures."""

    def apply(fact: CaseFact, _parents: Mapping[str, str | None]) -> None:
        fact.tracking_no = fact.tracking_no or tracking_no
        fact.ended = how
        fact.updated_at = now

    repository.change(session, case_id=case_id, now=now, apply=apply, areas=())


def _when(event: Envelope, p: DispatchCaseEvent) -> datetime:
    """When the event happened in the case: its own time, else the envelope's."""
    if isinstance(p, payloads.CaseAssigned):
        return p.assigned_at
    if isinstance(p, payloads.CaseRouted):
        return event.time
    return p.at


async def record_dispatch(
    session: AsyncSession, *, event: Envelope, p: DispatchCaseEvent, now: datetime
) -> None:
    """Applies one of dispatch's case events to the case's facts, when the transaction
    commits (:func:`repository.change`). Call it before the clocks move: an acceptance
    is judged against the sign-for clock running now, a closure against the resolution
    clock's deadline now."""
    clock: CaseClock | None = None
    if isinstance(p, payloads.CaseAccepted):
        clock = await clock_repository.current(session, case_id=p.case_id, kind="sign_for")
    elif isinstance(p, payloads.CaseClosed):
        clock = await clock_repository.latest(session, case_id=p.case_id, kind="resolution")
    code = p.grid_code or p.community_code
    tenant, when = event.tenant, _when(event, p)

    def apply(fact: CaseFact, parents: Mapping[str, str | None]) -> None:
        _apply_dispatch(
            session, fact, p, _chain(code, parents), tenant=tenant, when=when, clock=clock
        )
        fact.updated_at = now

    repository.change(session, case_id=p.case_id, now=now, apply=apply, areas=_area_codes(code))


def _apply_dispatch(
    session: AsyncSession,
    fact: CaseFact,
    p: DispatchCaseEvent,
    chain: dict[str, str | None],
    *,
    tenant: str,
    when: datetime,
    clock: CaseClock | None,
) -> None:
    """One of dispatch's case events on the case's facts row; `clock`: the sign-for
    clock an acceptance stops, the resolution clock a closure ends (as they were when
    the event was handled)."""
    _describe(fact, p)
    if not fact.reported:
        fact.received_at = _first(fact.received_at, when)
    _locate(fact, p, chain, tenant=tenant)
    _assign(fact, p)
    version = p.case_version
    fresh_state = version >= fact.state_version

    if isinstance(p, payloads.CaseAssigned):
        fact.sign_for_clocked = True
        fact.first_assigned_at = _first(fact.first_assigned_at, p.assigned_at)
    elif isinstance(p, payloads.CaseAccepted) and fact.first_accepted_at is None:
        _first_acceptance(session, fact, p, clock)
    elif isinstance(p, payloads.CaseReturned) and p.returns > fact.returns:
        more, labels = p.returns - fact.returns, _labels(fact)
        fact.returns = p.returns
        metrics.after_commit(session, lambda: metrics.RETURNS.labels(*labels).inc(more))
    elif isinstance(p, payloads.CaseTransferred | payloads.CaseDispatched):
        # A dispatch out of one unit into another counts with the transfers.
        fact.transfers = max(fact.transfers, p.transfers)
    elif isinstance(p, payloads.CaseResolved) and fresh_state:
        _resolved(session, fact, p)
    elif isinstance(p, payloads.CaseClosed) and fresh_state:
        # 按期结案: closed by the resolution deadline in force (extensions included).
        fact.closed_at = p.at
        fact.resolved_at = fact.resolved_at or p.at
        fact.resolution_due_at = clock.due_at if clock else None
        fact.closed_on_time = (p.at <= clock.due_at) if clock else None
    elif isinstance(p, payloads.CaseReopened):
        _reopened(session, fact, p, fresh_state=fresh_state)
    elif isinstance(p, payloads.CaseEvaluated) and version >= fact.evaluation_version:
        fact.satisfaction = p.satisfaction
        fact.evaluated_at = p.at
        fact.evaluation_version = version
    if fresh_state and not isinstance(p, payloads.CaseEvaluated):
        fact.state_version = version


def _resolved(session: AsyncSession, fact: CaseFact, p: payloads.CaseResolved) -> None:
    fact.resolved_at = p.at
    if fact.first_resolved_at is None:
        fact.first_resolved_at = p.at
        _observe(session, metrics.TIME_TO_RESOLVE, fact, p.at)


def _reopened(
    session: AsyncSession, fact: CaseFact, p: payloads.CaseReopened, *, fresh_state: bool
) -> None:
    if p.reopenings > fact.reopenings:
        more, labels = p.reopenings - fact.reopenings, _labels(fact)
        fact.reopenings = p.reopenings
        metrics.after_commit(session, lambda: metrics.REOPENINGS.labels(*labels).inc(more))
    if fresh_state:
        fact.resolved_at = fact.closed_at = fact.resolution_due_at = None
        fact.closed_on_time = None


def _first_acceptance(
    session: AsyncSession, fact: CaseFact, p: payloads.CaseAccepted, clock: CaseClock | None
) -> None:
    """签收 in time: at or before the due time of the sign-for clock it stops."""
    fact.first_accepted_at = p.at
    fact.sign_for_due_at = clock.due_at if clock else None
    fact.accepted_in_time = (p.at <= clock.due_at) if clock else False
    _observe(session, metrics.TIME_TO_ACCEPT, fact, p.at)


def _observe(session: AsyncSession, histogram: Histogram, fact: CaseFact, at: datetime) -> None:
    if fact.received_at is None:
        return
    seconds = max(0.0, (at - fact.received_at).total_seconds())
    priority = fact.priority or metrics.NONE
    metrics.after_commit(session, lambda: histogram.labels(priority).observe(seconds))


async def record_escalated(
    session: AsyncSession, *, event: Envelope, p: payloads.CaseEscalated, now: datetime
) -> None:
    """A rung reached (not a reminder): one escalation; an ownership clock's first rung
    is one buck-passing flag (推诿)."""
    if p.urge != 0:
        return
    recorded = await repository.add_escalation(
        session,
        {
            "event_id": event.id,
            "case_id": p.case_id,
            "tracking_no": p.tracking_no,
            "clock": p.clock,
            "level": p.level,
            "target_role": p.target_role,
            "buck_passing": p.buck_passing,
            "grid_code": p.grid_code,
            "department_code": p.department_code,
            "escalated_at": p.fired_at,
        },
    )

    def apply(fact: CaseFact, _parents: Mapping[str, str | None]) -> None:
        fact.tracking_no = fact.tracking_no or p.tracking_no
        fact.priority = fact.priority or p.priority
        if not recorded:
            return
        fact.escalations += 1
        if p.buck_passing and p.level == 1:
            fact.buck_passing_flags += 1
        fact.updated_at = now

    repository.change(session, case_id=p.case_id, now=now, apply=apply, areas=())


async def record_supervision(
    session: AsyncSession, *, p: payloads.SupervisionIssued, now: datetime
) -> None:
    def apply(fact: CaseFact, _parents: Mapping[str, str | None]) -> None:
        fact.tracking_no = fact.tracking_no or p.tracking_no
        if p.card == "yellow":
            fact.supervision_yellow += 1
        elif p.card == "red":
            fact.supervision_red += 1
        else:
            fact.supervision_manual += 1
        fact.updated_at = now

    repository.change(session, case_id=p.case_id, now=now, apply=apply, areas=())


async def record_return(session: AsyncSession, *, p: payloads.CaseReturned) -> None:
    """A return (退单) against the person who returned the case (its actor), in the
    community of the grid it was returned from: for the assessment's no_return."""
    chain = await area_chain(session, p.from_grid_code or p.grid_code or p.community_code)
    await repository.add_return(
        session,
        {
            "case_id": p.case_id,
            "ordinal": p.returns,
            "staff_id": p.actor_id,
            "staff_role": p.actor_role,
            "grid_code": chain["grid"],
            "community_code": chain["community"],
            "returned_at": p.at,
        },
    )


async def record_patrol(session: AsyncSession, *, p: payloads.PatrolEnded) -> None:
    """An ended patrol session, for the assessment's patrol compliance."""
    chain = await area_chain(session, p.grid_code)
    await repository.add_patrol(
        session,
        {
            "session_id": p.session_id,
            "staff_id": p.staff_id,
            "staff_role": p.staff_role,
            "grid_code": p.grid_code,
            "community_code": chain["community"],
            "day": p.day,
            "minutes": p.minutes,
            "qualifying": p.qualifying,
            "min_sessions_per_day": p.min_sessions_per_day,
            "ended_at": p.ended_at,
        },
    )


async def record_visit(session: AsyncSession, *, p: payloads.VisitRecorded) -> None:
    """A household visit, for the assessment's visits."""
    chain = await area_chain(session, p.grid_code)
    await repository.add_visit(
        session,
        {
            "visit_id": p.visit_id,
            "staff_id": p.staff_id,
            "staff_role": p.staff_role,
            "grid_code": p.grid_code,
            "community_code": chain["community"],
            "visited_at": p.visited_at,
        },
    )


# --------------------------------------------------------------------------- reports


async def rate_rows(
    session: AsyncSession, *, level: str, start: datetime, end: datetime, scope: Scope
) -> list[dict[str, Any]]:
    found = await repository.rates(
        session,
        level=level,
        start=start,
        end=end,
        area_prefix=scope.area_prefix,
        department_code=scope.department_code,
        district=scope.district,
    )
    codes = [r.unit_code for r in found if r.unit_code]
    # a member's name is the directory's (dispatch), not kept here: the console asks it
    names = await directory_repository.names(
        session,
        areas=codes if level not in ("department", "member") else [],
        departments=codes if level == "department" else [],
    )
    return [
        {
            "unit_code": r.unit_code,
            "unit_name": names.get(r.unit_code) if r.unit_code else None,
            **figures(r._mapping),
        }
        for r in found
    ]


async def daily(
    session: AsyncSession,
    *,
    community: str,
    day: date,
    zone: ZoneInfo,
    now: datetime,
    limit: int = 500,
) -> dict[str, Any]:
    """A community's day: counts, the cases overdue at its end (or now), its breaches and
    escalations. Long only for the summary's literal shape, kept in one place."""
    start, end = period(day, day, zone)
    as_of = min(now, end)
    counts = await repository.day_counts(session, area_prefix=community, start=start, end=end)
    overdue = await clock_repository.overdue_at(
        session, kind="resolution", area_prefix=community, at=as_of, limit=limit
    )
    breaches = await clock_repository.breached_between(
        session, area_prefix=community, start=start, end=end
    )
    escalations = await repository.escalations_between(
        session, area_prefix=community, start=start, end=end
    )
    names = await directory_repository.names(session, areas=[community], departments=[])
    return {
        "date": day,
        "community_code": community,
        "community_name": names.get(community),
        "as_of": as_of,
        **counts,
        "overdue": [
            {
                "case_id": c.case_id,
                "tracking_no": c.tracking_no,
                "grid_code": c.grid_code,
                "assignee_id": c.assignee_id,
                "due_at": c.due_at,
                "overdue_seconds": int((as_of - c.due_at).total_seconds()),
            }
            for c in overdue
        ],
        "breaches": [
            {
                "case_id": c.case_id,
                "tracking_no": c.tracking_no,
                "clock": c.kind,
                "due_at": c.due_at,
                "breached_at": c.breached_at,
            }
            for c in breaches
        ],
        "escalations": [
            {
                "case_id": e.case_id,
                "tracking_no": e.tracking_no,
                "clock": e.clock,
                "level": e.level,
                "target_role": e.target_role,
                "buck_passing": e.buck_passing,
                "escalated_at": e.escalated_at,
            }
            for e in escalations
        ],
    }


# ------------------------------------------------------------------------ assessment

ASSESSMENT_FORMULA = (
    "score = 100 × Σ weight × value / Σ weight, over the components with a sample "
    "(value: on_time_sign_for = accepted_in_time / sign_for_clocked; on_time_resolution = "
    "closed_on_time / closed; no_return = (cases − returned) / cases, cases = held + returned "
    "by the member, returned = returned by the member; no_reopening = (held − reopened) / "
    "held; satisfaction = (satisfied + basically_satisfied) / "
    "evaluated; patrol_compliance = working days met / working days required; visits = "
    "min(visits, target) / target, target = monthly visits × working days required / "
    "working days of the month); rounded half up to 1 place"
)
COMPONENTS_NOT_INCLUDED: tuple[str, ...] = ()
"""Every component is computed now (patrols and visits from intake's events)."""
_FRACTIONS: dict[str, tuple[str, str]] = {
    "on_time_sign_for": ("accepted_in_time", "sign_for_clocked"),
    "on_time_resolution": ("closed_on_time", "closed"),
    "no_return": ("not_returned", "cases"),
    "no_reopening": ("not_reopened", "held"),
    "satisfaction": ("satisfied", "evaluated"),
    "patrol_compliance": ("patrol_days_met", "patrol_days_required"),
    "visits": ("visits_counted", "visits_target"),
}
SCORE_PLACES = Decimal("0.1")
CASE_COUNTS = (
    "held",
    "sign_for_clocked",
    "accepted_in_time",
    "closed",
    "closed_on_time",
    "returned",
    "reopened",
    "evaluated",
    "satisfied",
)


def member_components(
    counts: Mapping[str, int], weights: Mapping[str, float]
) -> list[dict[str, Any]]:
    """Each component of one member: its value (a fraction, null without a sample), the
    sample it rests on and its weight."""
    c = {k: int(v) for k, v in counts.items() if isinstance(v, int)}
    c["not_returned"] = c["cases"] - c["returned"]
    c["not_reopened"] = c["held"] - c["reopened"]
    c["visits_counted"] = min(c.get("visits", 0), c.get("visits_target", 0))
    c.setdefault("patrol_days_met", 0)
    c.setdefault("patrol_days_required", 0)
    c.setdefault("visits_target", 0)
    return [
        {
            "name": name,
            "value": rate(c[numerator], c[denominator]),
            "numerator": c[numerator],
            "sample": c[denominator],
            "weight": weights[name],
        }
        for name, (numerator, denominator) in _FRACTIONS.items()
    ]


@dataclass(frozen=True)
class FieldPractice:
    """What a member's patrols and visits are measured against in a month: the working
    days of the month (the district's calendar, 调休 included), those already past (the
    ones required so far) and the monthly visit target."""

    first: date
    last: date
    working_days: frozenset[date]
    required_days: frozenset[date]
    monthly_visits: int

    @property
    def visits_target(self) -> int:
        """The monthly target in proportion to the working days required so far."""
        if not self.working_days:
            return 0
        share = Decimal(self.monthly_visits * len(self.required_days)) / len(self.working_days)
        return int(share.quantize(Decimal(1), ROUND_HALF_UP))


def field_practice(
    *,
    first: date,
    last: date,
    today: date,
    is_working_day: Callable[[date], bool],
    monthly_visits: int,
) -> FieldPractice:
    """The working days of [first, last] and those before `today` (a day is judged once
    it is over)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    working = frozenset(d for d in days if is_working_day(d))
    return FieldPractice(
        first=first,
        last=last,
        working_days=working,
        required_days=frozenset(d for d in working if d < today),
        monthly_visits=monthly_visits,
    )


def days_met(rows: Iterable[Any], required: frozenset[date]) -> dict[tuple[str, str], int]:
    """Per (community, member): the required days on which at least the practice's
    number of sessions lasted the practice's minutes."""
    met: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r.community_code, r.staff_id)
        met.setdefault(key, 0)
        if r.day in required and r.qualifying >= r.min_sessions_per_day:
            met[key] += 1
    return met


def score(components: Iterable[Mapping[str, Any]]) -> float | None:
    """0–100 from the components that have a sample, their weights renormalised; None
    when none has one (or all those have weight 0)."""
    weighed = Decimal(0)
    weight_sum = Decimal(0)
    for comp in components:
        if comp["sample"] == 0:
            continue
        weight = Decimal(str(comp["weight"]))
        weighed += weight * Decimal(comp["numerator"]) / Decimal(comp["sample"])
        weight_sum += weight
    if weight_sum == 0:
        return None
    return float((100 * weighed / weight_sum).quantize(SCORE_PLACES, ROUND_HALF_UP))


def rank_community(
    members: list[dict[str, Any]], *, min_sample: int, review_bottom: int
) -> list[dict[str, Any]]:
    """Ranks a community's members by score (highest first; equal scores share a rank)
    among those with at least `min_sample` cases; flags the `review_bottom` lowest
    scores for review (末位复核), all members sharing them, when more members are ranked
    than would be flagged. Unranked members come last, by member id."""
    ranked = [m for m in members if m["cases"] >= min_sample and m["score"] is not None]
    ranked.sort(key=lambda m: (-m["score"], m["member_id"]))
    scores = [m["score"] for m in ranked]
    lowest = sorted(set(scores))[:review_bottom] if len(ranked) > review_bottom else []
    for m in members:
        m["rank"], m["review"] = None, False
    for m in ranked:
        m["rank"] = 1 + sum(1 for s in scores if s > m["score"])
        m["review"] = m["score"] in lowest
    unranked = sorted((m for m in members if m["rank"] is None), key=lambda m: m["member_id"])
    return ranked + unranked


async def assessment(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    area_prefix: str | None,
    practice: FieldPractice,
    weights: Mapping[str, float],
    min_sample: int,
    review_bottom: int,
) -> list[dict[str, Any]]:
    """Per community: its grid members' scores, components and ranks. A member counts
    in a community for the cases there, and for their patrols and visits in its grids;
    one who only patrolled or visited there has no cases, and so no rank."""
    found = await repository.member_counts(session, start=start, end=end, area_prefix=area_prefix)
    cases = {(r.community_code, r.assignee_id): dict(r._mapping) for r in found}
    returns = {
        (r.community_code, r.staff_id): (int(r.returned), int(r.returned_held))
        for r in await repository.member_returns(
            session, start=start, end=end, area_prefix=area_prefix
        )
    }
    patrols = days_met(
        await repository.patrol_days(
            session, first=practice.first, last=practice.last, area_prefix=area_prefix
        ),
        practice.required_days,
    )
    visits = {
        (r.community_code, r.staff_id): int(r.visits)
        for r in await repository.visit_counts(
            session, start=start, end=end, area_prefix=area_prefix
        )
    }
    communities: dict[str, list[dict[str, Any]]] = {}
    for key in sorted(set(cases) | set(returns) | set(patrols) | set(visits)):
        community, member = key
        returned, returned_held = returns.get(key, (0, 0))
        counts: dict[str, Any] = {
            **dict.fromkeys(CASE_COUNTS, 0),
            **cases.get(key, {}),
            "returned": returned,
            "patrol_days_met": patrols.get(key, 0),
            "patrol_days_required": len(practice.required_days),
            "visits": visits.get(key, 0),
            "visits_target": practice.visits_target,
        }
        # The member's cases: those they hold and those they returned (once each).
        counts["cases"] = counts["held"] + returned - returned_held
        components = member_components(counts, weights)
        communities.setdefault(community, []).append(
            {
                "member_id": member,
                "cases": int(counts["cases"]),
                "visits": int(counts["visits"]),
                "score": score(components),
                "components": components,
            }
        )
    names = await directory_repository.names(session, areas=list(communities), departments=[])
    return [
        {
            "community_code": code,
            "community_name": names.get(code),
            "members": rank_community(members, min_sample=min_sample, review_bottom=review_bottom),
        }
        for code, members in sorted(communities.items())
    ]
