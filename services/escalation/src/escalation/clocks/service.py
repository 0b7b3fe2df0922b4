"""Clocks and deadlines (限时办结, time-limited settlement).

A case runs a sign-for clock from each assignment until it is accepted, a resolution
clock from its first assignment until it is resolved (paused while suspended, moved
by an approved extension, started afresh when the case is reopened), and a callback
clock from closure until the resident's callback is recorded. Limits come from the
policies, deadlines from the working-day calendar. Each running clock has durable
timers for its warnings (50% and 80% by default) and its breach (100%).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.calendar import service as calendar_service
from escalation.clocks import repository
from escalation.clocks.models import CaseClock
from escalation.clocks.schemas import ClockRead, ClockSla
from escalation.config import EscalationSettings
from escalation.deps import EscalationRuntime
from escalation.policies import service as policy_service
from escalation.policies.models import Policy
from gridcase_events import outbox, payloads
from gridcase_events.areas import district_of
from gridcase_events.envelope import Envelope
from gridcase_events.kit.auth import Principal, can_see
from gridcase_events.kit.errors import Forbidden, NotFound


@dataclass(frozen=True)
class CaseFacts:
    """What a clock needs to know about its case, from the event that starts it."""

    case_id: UUID
    tracking_no: str
    priority: str
    category_code: str | None
    grid_code: str | None
    department_code: str | None
    assignee_id: str | None
    correlation_id: str
    district_code: str | None = None


class LocatedCase(Protocol):
    """A dispatch event that names the case's responsible units (assigned, accepted,
    reopened, closed …)."""

    @property
    def case_id(self) -> UUID: ...
    @property
    def tracking_no(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def category_code(self) -> str | None: ...
    @property
    def grid_code(self) -> str | None: ...
    @property
    def community_code(self) -> str | None: ...
    @property
    def department_code(self) -> str | None: ...


def facts_of(event: Envelope, case: LocatedCase, assignee_id: str | None) -> CaseFacts:
    return CaseFacts(
        case_id=case.case_id,
        tracking_no=case.tracking_no,
        priority=case.priority,
        category_code=case.category_code,
        # The case's area: its grid, else the community whose station holds it.
        grid_code=case.grid_code or case.community_code,
        department_code=case.department_code,
        assignee_id=assignee_id,
        correlation_id=event.correlation_id,
        district_code=district_of(case.grid_code or case.community_code) or event.tenant,
    )


HandedOn = payloads.CaseReturned | payloads.CaseTransferred | payloads.CaseDispatched
"""A case leaving its unit before anyone there accepted it: returned (退单), transferred
(转派), or dispatched out of one unit's queue into another (派遣)."""


def handed_on_facts(event: Envelope, p: HandedOn) -> CaseFacts:
    """The facts of the ownership clock a hand-off starts: it runs against
    the first owner (首问负责制), or the unit the case left when none is named."""
    owner = p.first_owner
    grid = (
        owner.code
        if owner and owner.unit in ("grid", "community")
        else (None if owner else p.from_grid_code)
    )
    department = (
        owner.code
        if owner and owner.unit == "department"
        else (None if owner else p.from_department_code)
    )
    return CaseFacts(
        case_id=p.case_id,
        tracking_no=p.tracking_no,
        priority=p.priority,
        category_code=p.category_code,
        grid_code=grid,
        department_code=department,
        assignee_id=owner.staff_id if owner else None,
        correlation_id=event.correlation_id,
        district_code=district_of(grid) or event.tenant,
    )


OPEN = ("running", "paused")
"""A clock that still counts (paused: it will again). At most one per case and kind,
and it is the newest generation: only :func:`start_all` adds one, stopping the open
one."""


async def start(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    kind: str,
    facts: CaseFacts,
    at: datetime,
    now: datetime,
    causation_id: str | None = None,
    due_now: bool = False,
) -> CaseClock:
    """Starts a new generation of a clock (stopping a running one of the same kind)
    and announces it; `due_now`: its deadline is its start."""
    (clock,) = await start_all(
        session=session,
        runtime=runtime,
        kinds=[(kind, True)],
        facts=facts,
        at=at,
        now=now,
        causation_id=causation_id,
        due_now=due_now,
    )
    if clock is None:  # a restart always starts one
        raise AssertionError(f"no {kind} clock started")
    return clock


async def start_once(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    kind: str,
    facts: CaseFacts,
    at: datetime,
    now: datetime,
    causation_id: str | None = None,
) -> CaseClock | None:
    """Starts the clock, and announces it, unless one of this kind is already running
    or paused."""
    (clock,) = await start_all(
        session=session,
        runtime=runtime,
        kinds=[(kind, False)],
        facts=facts,
        at=at,
        now=now,
        causation_id=causation_id,
    )
    return clock


async def start_all(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    kinds: Sequence[tuple[str, bool]],
    facts: CaseFacts,
    at: datetime,
    now: datetime,
    causation_id: str | None = None,
    due_now: bool = False,
) -> list[CaseClock | None]:
    """Starts several clocks of one case at once, in the order of `kinds` (distinct),
    and announces each (`sla.clock_started`, reason "started", through the outbox):
    each ``(kind, restart)`` with ``restart`` stops a running or paused one of the kind
    first, without it a running or paused one stays (None in its place). `due_now`:
    their deadlines are their start. One statement reads the newest of each kind,
    locked (the open one, when one runs, is the newest generation), stops and adds
    clocks, and writes all their timers and announcements."""
    plan = await _plan(session, runtime, kinds, facts, at, now, causation_id, due_now=due_now)
    started = await repository.start(
        session,
        case_id=facts.case_id,
        kinds=[kind for kind, _ in kinds],
        restart=[kind for kind, restart in kinds if restart],
        at=at,
        clocks=plan.clocks,
        timers=plan.timers,
        events=plan.events,
    )
    for kind, refused in plan.unlimited.items():
        newest = started.newest.get(kind)
        if newest is None or newest[2] not in OPEN:
            raise refused
    by_kind = {clock.kind: clock for clock in plan.clocks if clock.kind in started.added}
    return [by_kind.get(kind) for kind, _ in kinds]


async def start_all_later(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    kinds: Sequence[tuple[str, bool]],
    facts: CaseFacts,
    at: datetime,
    now: datetime,
    causation_id: str | None = None,
) -> None:
    """:func:`start_all` for a caller that needs none of the clocks back: written with
    the transaction's other starts, in one statement, before its next statement or at
    its commit (:func:`repository.start_later`), so a run of assignments starts all its
    clocks in one round trip. A kind without a limit is refused only when none of it is
    open, which the start reads: such a start is made at once (:func:`start_all`)."""
    plan = await _plan(session, runtime, kinds, facts, at, now, causation_id, due_now=False)
    if plan.unlimited:
        await start_all(
            session=session,
            runtime=runtime,
            kinds=kinds,
            facts=facts,
            at=at,
            now=now,
            causation_id=causation_id,
        )
        return
    await repository.start_later(
        session,
        case_id=facts.case_id,
        kinds=[kind for kind, _ in kinds],
        restart=[kind for kind, restart in kinds if restart],
        at=at,
        clocks=plan.clocks,
        timers=plan.timers,
        events=plan.events,
    )


@dataclass(frozen=True)
class _Plan:
    """The clocks a start may add, their timers and announcements, and the kinds that
    have no limit (each with its refusal)."""

    clocks: list[CaseClock]
    timers: list[dict[str, Any]]
    events: list[tuple[str, Envelope]]
    unlimited: dict[str, policy_service.NoPolicy]


async def _plan(
    session: AsyncSession,
    runtime: EscalationRuntime,
    kinds: Sequence[tuple[str, bool]],
    facts: CaseFacts,
    at: datetime,
    now: datetime,
    causation_id: str | None,
    *,
    due_now: bool,
) -> _Plan:
    settings = runtime.settings
    new: list[CaseClock] = []
    unlimited: dict[str, policy_service.NoPolicy] = {}
    for kind, restart in kinds:
        try:
            new.append(
                _new(
                    facts,
                    kind=kind,
                    at=at,
                    now=now,
                    due_now=due_now,
                    limit=await _limit(session, settings, kind, facts, at),
                )
            )
        except policy_service.NoPolicy as error:
            if restart:
                raise
            unlimited[kind] = error  # no limit matters only when none of the kind is open
    return _Plan(
        clocks=new,
        # A clock just added has no timers yet, pending or fired.
        timers=[
            {**row, "clock_kind": clock.kind}
            for clock in new
            for row in _timer_rows(settings, clock, fired=set())
        ],
        events=[
            (clock.kind, _started_event(runtime, clock, "started", at, causation_id))
            for clock in new
        ],
        unlimited=unlimited,
    )


async def _limit(
    session: AsyncSession,
    settings: EscalationSettings,
    kind: str,
    facts: CaseFacts,
    at: datetime,
) -> tuple[datetime, Policy]:
    """The deadline of a clock of `kind` started at `at`, and the policy that sets it."""
    return await calendar_service.deadline(
        session,
        settings,
        kind=kind,
        category_code=facts.category_code,
        priority=facts.priority,
        start=at,
        district=facts.district_code,
    )


def _new(
    facts: CaseFacts,
    *,
    kind: str,
    at: datetime,
    now: datetime,
    due_now: bool,
    limit: tuple[datetime, Policy],
) -> CaseClock:
    """A new clock of `kind`, not yet added; its generation (here 1) is set when it is
    (:func:`repository.start`)."""
    due, policy = limit
    return CaseClock(
        epoch=0,
        case_id=facts.case_id,
        tracking_no=facts.tracking_no,
        kind=kind,
        generation=1,
        status="running",
        started_at=at,
        due_at=at if due_now else due,
        limit_amount=policy.amount,
        limit_unit=policy.unit,
        paused_seconds=0,
        paused_at=None,
        stopped_at=None,
        stop_reason=None,
        breached_at=None,
        priority=facts.priority,
        category_code=facts.category_code,
        grid_code=facts.grid_code,
        department_code=facts.department_code,
        district_code=facts.district_code,
        assignee_id=facts.assignee_id,
        correlation_id=facts.correlation_id,
        updated_at=now,
    )


async def hand_over(
    *, session: AsyncSession, kind: str, facts: CaseFacts, at: datetime
) -> CaseClock | None:
    """A running (or paused) clock keeps its deadline but is now the unit's and person's
    in `facts`: the case was dispatched to another unit, reassigned (改派) or claimed
    within its unit. Its rungs of the ladder climb from there. Returns the clock (None
    when none of the kind runs)."""
    clock = await repository.current(session, case_id=facts.case_id, kind=kind)
    if clock is None:
        return None
    clock.grid_code = facts.grid_code
    clock.department_code = facts.department_code
    clock.assignee_id = facts.assignee_id
    clock.updated_at = at
    return clock


async def stop(
    *, session: AsyncSession, case_id: UUID, kind: str, at: datetime, reason: str
) -> CaseClock | None:
    clock = await repository.current(session, case_id=case_id, kind=kind)
    if clock is None:
        return None
    await _stopped(session, clock, at=at, reason=reason)
    return clock


async def _stopped(session: AsyncSession, clock: CaseClock, *, at: datetime, reason: str) -> None:
    clock.status = "stopped"
    clock.stopped_at = at
    clock.stop_reason = reason
    clock.updated_at = at
    await repository.cancel_pending(session, clock.id)


async def pause(*, session: AsyncSession, case_id: UUID, kind: str, at: datetime) -> None:
    clock = await repository.current(session, case_id=case_id, kind=kind)
    if clock is None or clock.status == "paused":
        return
    clock.status = "paused"
    clock.paused_at = at
    clock.updated_at = at
    await repository.cancel_pending(session, clock.id)


async def resume(
    *, session: AsyncSession, settings: EscalationSettings, case_id: UUID, kind: str, at: datetime
) -> CaseClock | None:
    """The deadline moves by the time spent paused; unfired timers move with it.
    Returns the resumed clock (None when nothing was paused)."""
    clock = await repository.current(session, case_id=case_id, kind=kind)
    if clock is None or clock.status != "paused" or clock.paused_at is None:
        return None
    paused = max(timedelta(0), at - clock.paused_at)
    clock.status = "running"
    clock.paused_seconds += paused.total_seconds()
    clock.due_at += paused
    clock.paused_at = None
    clock.updated_at = at
    await _schedule(session, settings, clock)
    return clock


async def extend(
    *,
    session: AsyncSession,
    settings: EscalationSettings,
    case_id: UUID,
    kind: str,
    until: datetime,
    at: datetime,
) -> CaseClock | None:
    """An approved extension (延期) moves the deadline. Returns the clock it moved."""
    clock = await repository.current(session, case_id=case_id, kind=kind)
    if clock is None:
        return None
    clock.due_at = until
    clock.breached_at = None if until > at else clock.breached_at
    clock.epoch += 1  # warnings, the breach and the ladder start over for the new deadline
    clock.updated_at = at
    await repository.cancel_pending(session, clock.id)
    if clock.status == "running":
        await _schedule(session, settings, clock)
    return clock


async def announce(
    *,
    session: AsyncSession,
    runtime: EscalationRuntime,
    clock: CaseClock | None,
    reason: str,
    at: datetime,
    causation_id: str | None = None,
) -> None:
    """Publishes `sla.clock_started` for a clock whose deadline moved (resumed,
    extended), through the outbox in the caller's transaction (the public status view
    shows the resolution deadline as Open311's expected_datetime). A clock that starts
    is announced with its start (:func:`start_all`)."""
    if clock is not None:
        await outbox.enqueue(
            session,
            runtime.schema.outbox,
            _started_event(runtime, clock, reason, at, causation_id),
        )


def _started_event(
    runtime: EscalationRuntime,
    clock: CaseClock,
    reason: str,
    at: datetime,
    causation_id: str | None,
) -> Envelope:
    return runtime.event(
        payloads.SlaClockStarted(
            case_id=clock.case_id,
            tracking_no=clock.tracking_no,
            clock=clock.kind,
            generation=clock.generation,
            reason=reason,
            started_at=clock.started_at,
            due_at=clock.due_at,
            changed_at=at,
            priority=clock.priority,
            category_code=clock.category_code,
            grid_code=clock.grid_code,
            department_code=clock.department_code,
            assignee_id=clock.assignee_id,
        ),
        subject=str(clock.case_id),
        correlation_id=clock.correlation_id,
        causation_id=causation_id,
        tenant=clock.district_code,
    )


async def _schedule(session: AsyncSession, settings: EscalationSettings, clock: CaseClock) -> None:
    """Rewrites the clock's pending timers (after a resume or an extension)."""
    await repository.cancel_pending(session, clock.id)
    fired = await repository.fired_percents(session, clock.id, clock.epoch)
    await repository.add_timers(session, _timer_rows(settings, clock, fired=fired))


def _timer_rows(
    settings: EscalationSettings, clock: CaseClock, *, fired: set[int]
) -> list[dict[str, Any]]:
    """The clock's pending timers: warnings at their share of the time from start to
    deadline (time paused excluded), and the breach at the deadline; none for what
    already fired in this epoch."""
    span = clock.due_at - clock.started_at - timedelta(seconds=clock.paused_seconds)
    rows = []
    # An ownership clock has no warnings: it is the alarm itself.
    warnings = [] if clock.kind == "ownership" else settings.warnings()
    for percent in [*warnings, 100]:
        if percent in fired:
            continue
        due = clock.due_at if percent == 100 else clock.due_at - span * (100 - percent) / 100
        rows.append(
            {
                "clock_id": clock.id,
                "case_id": clock.case_id,
                "kind": "threshold",
                "percent": percent,
                "level": 0,
                "epoch": clock.epoch,
                "due_at": due,
                "status": "pending",
            }
        )
    return rows


async def handoffs(*, session: AsyncSession, case_id: UUID) -> int:
    """How often the case has been handed on — returned, transferred, dispatched out of
    a unit (one ownership clock each)."""
    return await repository.last_generation(session, case_id=case_id, kind="ownership")


# ------------------------------------------------------------------------- reading


def ensure_visible(principal: Principal, clock: CaseClock) -> None:
    """A case is seen by those whose grid or department holds it (403 otherwise)."""
    if not can_see(
        principal,
        grid_code=clock.grid_code,
        department_code=clock.department_code,
        district_code=clock.district_code,
    ):
        raise Forbidden("this case is outside your scope")


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[CaseClock]:
    """Every clock of the case, every generation, oldest first."""
    return await repository.of_case(session, case_id)


async def visible_clocks(
    session: AsyncSession, *, principal: Principal, case_id: UUID, now: datetime
) -> list[ClockRead]:
    """The case's clocks as its responsible unit sees them (404 when none, 403 outside
    the caller's scope). Seen by whose scope covers the newest clock, or the unit that
    holds the case now: a case transferred to a department where nobody is on duty has
    the ownership clock against its first owner as its newest, yet is the department's."""
    clocks = await repository.of_case(session, case_id)
    if not clocks:
        raise NotFound("no clocks for this case")
    newest = clocks[-1]
    if not can_see(
        principal,
        grid_code=newest.grid_code,
        department_code=newest.department_code,
        district_code=newest.district_code,
    ):
        holder = await repository.responsible_unit(session, case_id)
        if holder is None or not can_see(
            principal, grid_code=holder[0], department_code=holder[1], district_code=holder[2]
        ):
            raise Forbidden("this case is outside your scope")
    return [
        read(
            c,
            now,
            warned_percent=max(await repository.fired_percents(session, c.id, c.epoch), default=0),
        )
        for c in clocks
    ]


async def overdue(
    session: AsyncSession,
    *,
    now: datetime,
    area_prefix: str | None,
    department_code: str | None,
    kind: str | None,
    limit: int,
    district: str | None = None,
) -> list[ClockRead]:
    """Running clocks past their deadline in the area or department (`kind` narrows),
    inside `district` when set."""
    clocks = await repository.overdue(
        session,
        now=now,
        area_prefix=area_prefix,
        department_code=department_code,
        district=district,
        kind=kind,
        limit=limit,
    )
    return [read(c, now) for c in clocks]


# The colours' thresholds, as dispatch's task list has them (deadlines/rules.py).
YELLOW_AT = 50
RED_AT = 80


def sla_of(clock: CaseClock, *, breached: bool, warned_percent: int) -> ClockSla | None:
    """The clock's colour by the warnings escalation fired for it (their moments count
    the clock's time with its pauses left out); None once it stopped."""
    if clock.status == "stopped":
        return None
    if breached:
        return "breached"
    if warned_percent >= RED_AT:
        return "red"
    if warned_percent >= YELLOW_AT:
        return "yellow"
    return "green"


def read(clock: CaseClock, now: datetime, *, warned_percent: int = 0) -> ClockRead:
    reference = clock.paused_at or clock.stopped_at or now
    breached = clock.breached_at is not None or (clock.status == "running" and clock.due_at <= now)
    # A warning fired at 100 % is the breach itself, not a colour.
    warned = warned_percent if warned_percent < 100 else 0
    return ClockRead(
        case_id=clock.case_id,
        tracking_no=clock.tracking_no,
        kind=clock.kind,
        generation=clock.generation,
        status=clock.status,
        started_at=clock.started_at,
        due_at=clock.due_at,
        limit=f"{clock.limit_amount} {clock.limit_unit}",
        remaining_seconds=int((clock.due_at - reference).total_seconds()),
        paused=clock.status == "paused",
        breached=breached,
        sla=sla_of(clock, breached=breached, warned_percent=warned),
        stopped_at=clock.stopped_at,
        stop_reason=clock.stop_reason,
        grid_code=clock.grid_code,
        department_code=clock.department_code,
        assignee_id=clock.assignee_id,
    )
