"""All of intake's SQL about patrol sessions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Date, Row, cast, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.patrols.models import (
    PatrolReport,
    PatrolSession,
    PatrolTrackBatch,
    PatrolTrackPoint,
)


async def add_if_none_open(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Inserts the session unless its staff has one open (the partial unique index)."""
    result = await session.execute(
        insert(PatrolSession)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[PatrolSession.staff_id],
            index_where=PatrolSession.ended_at.is_(None),
        )
        .returning(PatrolSession.id)
    )
    return result.first() is not None


async def get(
    session: AsyncSession, session_id: UUID, *, lock: bool = False
) -> PatrolSession | None:
    query = select(PatrolSession).where(PatrolSession.id == session_id)
    if lock:
        query = query.with_for_update()
    result = await session.execute(query.execution_options(populate_existing=True))
    return result.scalar_one_or_none()


async def get_open(session: AsyncSession, staff_id: str) -> PatrolSession | None:
    result = await session.execute(
        select(PatrolSession).where(
            PatrolSession.staff_id == staff_id, PatrolSession.ended_at.is_(None)
        )
    )
    return result.scalar_one_or_none()


async def end(session: AsyncSession, session_id: UUID, *, at: datetime) -> None:
    await session.execute(
        update(PatrolSession).where(PatrolSession.id == session_id).values(ended_at=at)
    )


async def add_report(session: AsyncSession, *, case_id: UUID, session_id: UUID) -> None:
    await session.execute(insert(PatrolReport).values(case_id=case_id, session_id=session_id))


async def count_reports(session: AsyncSession, session_id: UUID) -> int:
    result = await session.execute(
        select(func.count()).select_from(PatrolReport).where(PatrolReport.session_id == session_id)
    )
    return int(result.scalar_one())


async def compliance_days(
    session: AsyncSession,
    *,
    area_prefix: str | None,
    start: datetime,
    end: datetime,
    timezone: str,
    min_minutes: int,
) -> Sequence[Row[Any]]:
    """Per grid and local day of the start, the ended sessions that started in
    [start, end) in the area: ``grid_code, day, sessions, minutes, qualifying`` (whole
    minutes, as ``service.minutes``), by grid then day."""
    length = func.floor(
        func.extract("epoch", PatrolSession.ended_at - PatrolSession.started_at) / 60
    )
    spans = select(
        PatrolSession.grid_code,
        cast(func.timezone(timezone, PatrolSession.started_at), Date).label("day"),
        length.label("minutes"),
    ).where(
        PatrolSession.started_at >= start,
        PatrolSession.started_at < end,
        PatrolSession.ended_at.is_not(None),
    )
    if area_prefix:
        spans = spans.where(PatrolSession.grid_code.startswith(area_prefix, autoescape=True))
    inner = spans.subquery()
    result = await session.execute(
        select(
            inner.c.grid_code,
            inner.c.day,
            func.count().label("sessions"),
            func.sum(inner.c.minutes).label("minutes"),
            func.count().filter(inner.c.minutes >= min_minutes).label("qualifying"),
        )
        .group_by(inner.c.grid_code, inner.c.day)
        .order_by(inner.c.grid_code, inner.c.day)
    )
    return result.all()


async def add_track_batch(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Inserts the batch unless its id is already stored for the session."""
    result = await session.execute(
        insert(PatrolTrackBatch)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[PatrolTrackBatch.session_id, PatrolTrackBatch.batch_id]
        )
        .returning(PatrolTrackBatch.batch_id)
    )
    return result.first() is not None


async def get_track_batch(
    session: AsyncSession, session_id: UUID, batch_id: str
) -> PatrolTrackBatch | None:
    result = await session.execute(
        select(PatrolTrackBatch).where(
            PatrolTrackBatch.session_id == session_id, PatrolTrackBatch.batch_id == batch_id
        )
    )
    return result.scalar_one_or_none()


async def add_track_points(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(PatrolTrackPoint), rows)


async def count_track_points(session: AsyncSession, session_id: UUID) -> int:
    result = await session.execute(
        select(func.count())
        .select_from(PatrolTrackPoint)
        .where(PatrolTrackPoint.session_id == session_id)
    )
    return int(result.scalar_one())


async def track_points(session: AsyncSession, session_id: UUID) -> Sequence[PatrolTrackPoint]:
    """The session's points in the order they were taken."""
    result = await session.execute(
        select(PatrolTrackPoint)
        .where(PatrolTrackPoint.session_id == session_id)
        .order_by(PatrolTrackPoint.recorded_at, PatrolTrackPoint.batch_id, PatrolTrackPoint.seq)
    )
    return result.scalars().all()


async def mine_since(
    session: AsyncSession, staff_id: str, since: datetime
) -> Sequence[PatrolSession]:
    """The person's sessions started since ``since``, and their open one, oldest first."""
    result = await session.execute(
        select(PatrolSession)
        .where(
            PatrolSession.staff_id == staff_id,
            (PatrolSession.started_at >= since) | PatrolSession.ended_at.is_(None),
        )
        .order_by(PatrolSession.started_at)
    )
    return result.scalars().all()


async def in_area(
    session: AsyncSession,
    *,
    area_prefix: str | None,
    start: datetime,
    end: datetime,
    limit: int,
) -> Sequence[PatrolSession]:
    """The sessions that started in [start, end) in the area, by grid then start."""
    query = select(PatrolSession).where(
        PatrolSession.started_at >= start, PatrolSession.started_at < end
    )
    if area_prefix:
        query = query.where(PatrolSession.grid_code.startswith(area_prefix, autoescape=True))
    result = await session.execute(
        query.order_by(PatrolSession.grid_code, PatrolSession.started_at).limit(limit)
    )
    return result.scalars().all()


async def report_counts(session: AsyncSession, session_ids: list[UUID]) -> dict[UUID, int]:
    """Cases reported on each of the sessions (absent: none)."""
    if not session_ids:
        return {}
    result = await session.execute(
        select(PatrolReport.session_id, func.count())
        .where(PatrolReport.session_id.in_(session_ids))
        .group_by(PatrolReport.session_id)
    )
    return {row[0]: int(row[1]) for row in result.all()}
