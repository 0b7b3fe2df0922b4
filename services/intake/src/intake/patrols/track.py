"""A patrol's GPS track: points sampled on the phone, sent in batches (a resent batch
adds nothing), checked against the session's span, and read back as GeoJSON."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit import errors
from gridcase_events.kit.auth import Principal
from intake import scopes
from intake.deps import IntakeRuntime
from intake.patrols import repository
from intake.patrols.models import PatrolSession
from intake.patrols.schemas import (
    LineString,
    TrackBatchIn,
    TrackBatchRead,
    TrackFeature,
    TrackPointIn,
    TrackProperties,
)
from intake.patrols.service import Conflict, Forbidden, NotFound

log = structlog.get_logger(__name__)

# A phone's clock may be a little off the server's: points this much before the start or
# after the end (or now) are still the patrol's.
CLOCK_SKEW = timedelta(minutes=2)
# Roles that read tracks in their area (as patrol compliance); the patroller reads their own.
AREA_READERS = frozenset({"grid_leader", "station_master", "street_officer"})
CITYWIDE_READERS = frozenset({"ops", "admin", "district_center"})
_MAX_ERRORS = 20


class BatchReused(Conflict):
    """The batch id was stored with other points."""


def fingerprint(points: list[TrackPointIn]) -> str:
    canonical = [[p.lat, p.lon, p.at.timestamp(), p.accuracy] for p in points]
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


def out_of_span(
    points: list[TrackPointIn], started_at: datetime, until: datetime
) -> list[dict[str, Any]]:
    """The 422 items of the points taken outside [start, end or now], skew allowed."""
    lower, upper = started_at - CLOCK_SKEW, until + CLOCK_SKEW
    problems: list[dict[str, Any]] = []
    for index, point in enumerate(points):
        if lower <= point.at <= upper:
            continue
        problems.append(
            {
                "loc": ["body", "points", index, "at"],
                "msg": f"the point was taken at {point.at.isoformat()}, outside the patrol "
                f"({started_at.isoformat()} to {until.isoformat()})",
                "type": "value_error",
            }
        )
        if len(problems) >= _MAX_ERRORS:
            break
    return problems


async def _owned(session: AsyncSession, principal: Principal, session_id: UUID) -> PatrolSession:
    patrol = await repository.get(session, session_id)
    if patrol is None:
        raise NotFound(f"no patrol session {session_id}")
    if patrol.staff_id != principal.sub:
        raise Forbidden("only the person patrolling adds to this track")
    return patrol


async def add_batch(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    principal: Principal,
    session_id: UUID,
    body: TrackBatchIn,
) -> TrackBatchRead:
    """Stores the batch's points once: after the session ended too (the app sends what it
    kept offline), but only points taken while it was open."""
    patrol = await _owned(session, principal, session_id)
    now = runtime.clock.now()
    problems = out_of_span(body.points, patrol.started_at, patrol.ended_at or now)
    if problems:
        raise errors.InvalidFields(problems)
    digest = fingerprint(body.points)
    added = await repository.add_track_batch(
        session,
        {
            "session_id": patrol.id,
            "batch_id": body.batch_id,
            "fingerprint": digest,
            "points": len(body.points),
            "received_at": now,
        },
    )
    if not added:
        stored = await repository.get_track_batch(session, patrol.id, body.batch_id)
        if stored is not None and stored.fingerprint != digest:
            raise BatchReused(f"batch {body.batch_id} was already sent with other points")
        total = await repository.count_track_points(session, patrol.id)
        return TrackBatchRead(batch_id=body.batch_id, accepted=0, duplicate=True, points=total)
    await repository.add_track_points(
        session,
        [
            {
                "session_id": patrol.id,
                "batch_id": body.batch_id,
                "seq": seq,
                "lat": point.lat,
                "lon": point.lon,
                "accuracy": point.accuracy,
                "recorded_at": point.at,
            }
            for seq, point in enumerate(body.points)
        ],
    )
    total = await repository.count_track_points(session, patrol.id)
    log.info("patrol track batch", patrol_id=str(patrol.id), points=len(body.points), total=total)
    return TrackBatchRead(
        batch_id=body.batch_id, accepted=len(body.points), duplicate=False, points=total
    )


def may_read(principal: Principal, patrol: PatrolSession) -> bool:
    """The patroller; area roles over the grid; citywide desks (as patrol compliance)."""
    if patrol.staff_id == principal.sub:
        return True
    if principal.role in CITYWIDE_READERS:
        # The kit's one rule: a desk of a district sees its district (none without one).
        return scopes.covers(principal, patrol.grid_code)
    return principal.role in AREA_READERS and scopes.covers(principal, patrol.grid_code)


async def read(*, session: AsyncSession, principal: Principal, session_id: UUID) -> TrackFeature:
    patrol = await repository.get(session, session_id)
    if patrol is None:
        raise NotFound(f"no patrol session {session_id}")
    if not may_read(principal, patrol):
        raise Forbidden("this patrol is outside your area")
    points = await repository.track_points(session, patrol.id)
    return TrackFeature(
        geometry=LineString(coordinates=[(p.lon, p.lat) for p in points])
        if len(points) >= 2
        else None,
        properties=TrackProperties(
            patrol_id=patrol.id,
            staff_id=patrol.staff_id,
            grid_code=patrol.grid_code,
            started_at=patrol.started_at,
            ended_at=patrol.ended_at,
            points=len(points),
            times=[p.recorded_at for p in points],
        ),
    )
