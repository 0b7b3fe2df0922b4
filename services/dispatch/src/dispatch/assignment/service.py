"""Assignment: who gets the case (AB岗, the A/B post).

Assignment reads the directory (posts, duty); the workflow, which holds the cases, calls
it and hands it the operators' open-case counts (:data:`OpenCases`), so that assignment
does not import the workflow back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository as directory_repository
from gridcase_events.payloads import Post, StaffRole

OpenCases = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, int]]]
"""``open_cases(session, staff_ids)``: how many open cases each of them holds (absent: 0)."""
# Every assignment by the post that took it (A, B, leader, station, operator), and
# post="none" for a case left in its unit's queue because nobody is on duty.
ASSIGNMENTS = Counter(
    "gridcase_assignments_total",
    "Assignments by the post used (A, B, leader, station, operator; none: queued)",
    ["post"],
)


class Person(Protocol):
    """Who assignment reads of a unit's staff member (a ``Staff`` row or a cached one)."""

    @property
    def staff_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def post(self) -> str | None: ...


class StaffSource(Protocol):
    """Where assignment reads a unit's staff, each with whether an absence covers `now`:
    the database (:class:`Live`) or the directory cache of taking a case in
    (``dispatch.directory.cache.DirectoryCache``)."""

    async def staff_of_area_at(
        self, session: AsyncSession, area_code: str, now: datetime
    ) -> Sequence[tuple[Person, bool]]: ...

    async def staff_of_department_at(
        self, session: AsyncSession, department_code: str, now: datetime
    ) -> Sequence[tuple[Person, bool]]: ...


class Live:
    """The staff as the database holds them now (one statement per call)."""

    async def staff_of_area_at(
        self, session: AsyncSession, area_code: str, now: datetime
    ) -> Sequence[tuple[Person, bool]]:
        return await directory_repository.staff_of_area_at(session, area_code, now)

    async def staff_of_department_at(
        self, session: AsyncSession, department_code: str, now: datetime
    ) -> Sequence[tuple[Person, bool]]:
        return await directory_repository.staff_of_department_at(session, department_code, now)


LIVE = Live()


@dataclass(frozen=True)
class Assignment:
    staff_id: str
    role: StaffRole
    post: Post
    reason: str


async def for_grid(
    *, session: AsyncSession, grid_code: str, now: datetime, staff: StaffSource = LIVE
) -> Assignment | None:
    """The A post; if A is absent the B post; if both are absent the grid leader."""
    rows = await staff.staff_of_area_at(session, grid_code, now)
    people = [s for s, _ in rows]
    absent = {s.staff_id for s, away in rows if away}
    a = next((s for s in people if s.role == "grid_member" and s.post == "A"), None)
    b = next((s for s in people if s.role == "grid_member" and s.post == "B"), None)
    leader = next((s for s in people if s.role == "grid_leader"), None)
    if a is not None and a.staff_id not in absent:
        return Assignment(a.staff_id, "grid_member", "A", f"A post of grid {grid_code}")
    why_not_a = f"A post {a.staff_id} is absent" if a else f"grid {grid_code} has no A post"
    if b is not None and b.staff_id not in absent:
        return Assignment(b.staff_id, "grid_member", "B", f"{why_not_a}; B post stands in")
    why_not_b = f"B post {b.staff_id} is absent" if b else "no B post"
    if leader is not None and leader.staff_id not in absent:
        return Assignment(
            leader.staff_id,
            "grid_leader",
            "leader",
            f"{why_not_a}; {why_not_b}; grid leader takes it",
        )
    return None


async def for_community(
    *, session: AsyncSession, community_code: str, now: datetime, staff: StaffSource = LIVE
) -> Assignment | None:
    """A case placed only in a community goes to its station master, who dispatches it."""
    rows = await staff.staff_of_area_at(session, community_code, now)
    on_duty = [s for s, away in rows if s.role == "station_master" and not away]
    if not on_duty:
        return None
    return Assignment(
        on_duty[0].staff_id,
        "station_master",
        "station",
        f"station master of community {community_code}, to dispatch within it",
    )


async def for_department(
    *,
    session: AsyncSession,
    department_code: str,
    now: datetime,
    open_cases: OpenCases,
    staff: StaffSource = LIVE,
) -> Assignment | None:
    """The on-duty operator with the fewest open cases (ties by staff id; the counts are
    read afresh, never cached)."""
    rows = await staff.staff_of_department_at(session, department_code, now)
    on_duty = [s.staff_id for s, away in rows if not away]
    if not on_duty:
        return None
    load = await open_cases(session, on_duty)
    chosen = min(on_duty, key=lambda sid: (load.get(sid, 0), sid))
    return Assignment(
        chosen,
        "department_operator",
        "operator",
        f"on-duty operator of {department_code} with the fewest open cases ({load.get(chosen, 0)})",
    )
