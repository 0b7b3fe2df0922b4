"""The directory as taking a case in reads it: categories by the reporter's hint, and
each unit's staff with their absences — read once per directory version and kept in
the process (one cache per runtime, ``DispatchState.directory``).

Every change to the directory goes through an import, and every import bumps the
directory version (``directory/service.py``, ``import_rows``) in its transaction. The
version is read once per transaction (:func:`version_in`; a consumer's run of events is
one transaction); when it differs from the one the cache was filled at, the cache is
emptied. What the cache holds is therefore never older than the version the
transaction read: a case taken in while an import commits is taken as if just before
it, as it would have been without the cache. Whether an absence covers a moment is
decided at that moment (:meth:`Holder.away_at`), not when the cache was filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.directory import repository

_VERSION = "dispatch.directory_version"


async def version_in(session: AsyncSession) -> int:
    """The directory version, read once per transaction of `session`."""
    sync = session.sync_session
    held = sync.info.get(_VERSION)
    if held is not None and held[0] is sync.get_transaction():
        return int(held[1])
    version = await repository.version(session)
    sync.info[_VERSION] = (sync.get_transaction(), version)
    return version


def forget_version(session: AsyncSession) -> None:
    """After bumping the version in this transaction: the next read asks the database."""
    session.sync_session.info.pop(_VERSION, None)


@dataclass(frozen=True)
class CategoryRef:
    """What taking a case in needs of a category (:class:`~dispatch.directory.models.Category`)."""

    code: str
    handler: str
    department_code: str | None
    priority: str


@dataclass(frozen=True)
class Holder:
    """A person of a unit, as assignment reads them, with their absences."""

    staff_id: str
    role: str
    post: str | None
    absences: tuple[tuple[datetime, datetime], ...] = ()

    def away_at(self, now: datetime) -> bool:
        """Whether an absence covers `now` (starts at or before it, ends after it)."""
        return any(starts <= now < ends for starts, ends in self.absences)


class DirectoryCache:
    """Categories by hint and staff by unit, for one directory version at a time."""

    def __init__(self) -> None:
        self._version = -1
        self._categories: dict[str, CategoryRef | None] = {}
        self._areas: dict[str, list[Holder]] = {}
        self._departments: dict[str, list[Holder]] = {}

    async def _current(self, session: AsyncSession) -> None:
        version = await version_in(session)
        if version != self._version:
            self._categories, self._areas, self._departments = {}, {}, {}
            self._version = version

    async def category(self, session: AsyncSession, hint: str) -> CategoryRef | None:
        """:func:`repository.find_category`, once per hint and directory version."""
        await self._current(session)
        if hint not in self._categories:
            found = await repository.find_category(session, hint)
            self._categories[hint] = (
                CategoryRef(found.code, found.handler, found.department_code, found.priority)
                if found is not None
                else None
            )
        return self._categories[hint]

    async def staff_of_area_at(
        self, session: AsyncSession, area_code: str, now: datetime
    ) -> list[tuple[Holder, bool]]:
        """:func:`repository.staff_of_area_at` from the cache (same order)."""
        await self._current(session)
        if area_code not in self._areas:
            rows = await repository.staff_with_absences(session, area_code=area_code)
            self._areas[area_code] = _holders(rows)
        return [(h, h.away_at(now)) for h in self._areas[area_code]]

    async def staff_of_department_at(
        self, session: AsyncSession, department_code: str, now: datetime
    ) -> list[tuple[Holder, bool]]:
        """:func:`repository.staff_of_department_at` from the cache (same order)."""
        await self._current(session)
        if department_code not in self._departments:
            rows = await repository.staff_with_absences(session, department_code=department_code)
            self._departments[department_code] = _holders(rows)
        return [(h, h.away_at(now)) for h in self._departments[department_code]]


def _holders(rows: Sequence[repository.StaffAbsenceRow]) -> list[Holder]:
    """One holder per person, in the rows' order, with every absence of theirs."""
    people: dict[str, tuple[str, str | None]] = {}
    absences: dict[str, list[tuple[datetime, datetime]]] = {}
    for staff_id, role, post, starts_at, ends_at in rows:
        people.setdefault(staff_id, (role, post))
        away = absences.setdefault(staff_id, [])
        if starts_at is not None and ends_at is not None:
            away.append((starts_at, ends_at))
    return [
        Holder(staff_id, role, post, tuple(absences[staff_id]))
        for staff_id, (role, post) in people.items()
    ]
