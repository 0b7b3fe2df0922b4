"""All of intake's SQL about cases."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from gridcase_events import outbox
from gridcase_events.envelope import Envelope
from gridcase_events.kit.db import held_until_commit
from intake.cases.models import Case, CaseStep
from intake.db import schema

# A new case and its event in one statement (one round trip, no ORM object to load):
# the case unless its (channel, external_ref) or tracking number is taken, and its
# event's outbox row only when the case went in. Built once, of these columns; the
# others take their server defaults (created_at the transaction's time) or NULL.
NEW_CASE_COLUMNS = (
    "id", "tracking_no", "channel", "external_ref", "content", "category_hint", "priority",
    "address", "lat", "lon", "reporter_name_enc", "reporter_phone_enc",
    "reporter_phone_masked", "attachments", "reported_at", "correlation_id", "status",
    "status_version", "status_changed_at", "district_code", "category_norm", "address_norm",
    "duplicate_of", "duplicate_of_tracking_no",
)  # fmt: skip
_ANNOUNCED = outbox.row_insert(schema.outbox, for_each="new_case")
_INSERT_ANNOUNCED = text(
    "WITH new_case AS ("  # noqa: S608 - column names of our own, values as parameters
    f" INSERT INTO intake.cases ({', '.join(NEW_CASE_COLUMNS)})"
    f" VALUES ({', '.join(':' + name for name in NEW_CASE_COLUMNS)})"
    " ON CONFLICT DO NOTHING RETURNING id),"
    f" announced AS ({_ANNOUNCED.sql} RETURNING 1)"
    " SELECT id FROM new_case"
).bindparams(
    *(bindparam(name, type_=Case.__table__.c[name].type) for name in NEW_CASE_COLUMNS),
    *_ANNOUNCED.binds,
)


async def insert_announced(session: AsyncSession, values: dict[str, Any], event: Envelope) -> bool:
    """Inserts the case (`values`, one for each of :data:`NEW_CASE_COLUMNS`) and
    `event`'s outbox row, unless a case with the same (channel, external_ref) or
    tracking number exists: then neither (False). A concurrent insert of the same key
    waits for the first to finish."""
    result = await session.execute(_INSERT_ANNOUNCED, {**values, **_ANNOUNCED.parameters(event)})
    outbox.mark_written(session)
    return result.first() is not None


async def get(session: AsyncSession, case_id: UUID) -> Case | None:
    return await session.get(Case, case_id)


async def get_by_external_ref(
    session: AsyncSession, *, channel: str, external_ref: str
) -> Case | None:
    result = await session.execute(
        select(Case).where(Case.channel == channel, Case.external_ref == external_ref)
    )
    return result.scalar_one_or_none()


async def get_by_tracking_no(session: AsyncSession, tracking_no: str) -> Case | None:
    result = await session.execute(select(Case).where(Case.tracking_no == tracking_no))
    return result.scalar_one_or_none()


_CASES = cast(Table, Case.__table__)

# ---- the public status and expected date, projected from dispatch's and escalation's
# events. A consumer run's events are held by its transaction (``session.info``) and
# written when it commits (`held_until_commit`, as dispatch's deadlines
# projection writes its clocks): the run's steps in one insert, and for each case only
# what its events leave by the projection's rules, one update per case sent in one call
# (issue 18: a case's routed and assigned arrive together, in one run). A transaction
# that rolls back writes none of it; an event handled on its own commits with its writes.

PROJECTED = (
    "status", "status_changed_at", "category_code", "status_note", "grid_code",
    "department_code", "community_code", "district_code", "resolution_note",
)  # fmt: skip
"""The columns a dispatch event may set (each event sets those it carries)."""

# A case's status and its expected date, in one update of its row (a case's dispatch
# events and its clocks arrive in one run of the status group: one row version, not two).
#
# The status: applied unless a newer version is (events of one version come from one
# transaction, in order, on one partition: the later one applies too). Each column is
# set by the last of the run's events that carries it, if that event's version is not
# older than the row's (``p_<column>_version`` NULL: no event carried it; ``p_version``
# NULL: the run holds no status of the case). The CASEs read the row as it was before
# this update.
#
# The expected date (the resolution deadline): set unless a later one (a higher
# generation, or the same generation changed later) is; ``p_generation`` NULL: the run
# holds no deadline of the case.
_COLS = _CASES.c
_STATUS_NEWER = _COLS.status_version <= bindparam("p_version", type_=Integer)
_EXPECTED_LATER = and_(
    bindparam("p_generation", type_=Integer).is_not(None),
    or_(
        _COLS.expected_changed_at.is_(None),
        tuple_(_COLS.expected_generation, _COLS.expected_changed_at)
        <= tuple_(
            bindparam("p_generation", type_=Integer),
            bindparam("p_changed_at", type_=DateTime(timezone=True)),
        ),
    ),
)
_ADVANCE = (
    update(_CASES)
    .where(_COLS.id == bindparam("p_case_id"), or_(_STATUS_NEWER, _EXPECTED_LATER))
    .values(
        status_version=case(
            (_STATUS_NEWER, bindparam("p_version", type_=Integer)), else_=_COLS.status_version
        ),
        **{
            name: case(
                (
                    and_(
                        _STATUS_NEWER,
                        _COLS.status_version <= bindparam(f"p_{name}_version", type_=Integer),
                    ),
                    bindparam(f"p_{name}", type_=_COLS[name].type),
                ),
                else_=_COLS[name],
            )
            for name in PROJECTED
        },
        expected_at=case(
            (_EXPECTED_LATER, bindparam("p_expected_at", type_=DateTime(timezone=True))),
            else_=_COLS.expected_at,
        ),
        expected_generation=case(
            (_EXPECTED_LATER, bindparam("p_generation", type_=Integer)),
            else_=_COLS.expected_generation,
        ),
        expected_changed_at=case(
            (_EXPECTED_LATER, bindparam("p_changed_at", type_=DateTime(timezone=True))),
            else_=_COLS.expected_changed_at,
        ),
    )
)

# A run's steps of cases intake knows (none for a case it never took in), once each.
_ADD_STEPS = text(
    "INSERT INTO intake.case_steps (case_id, version, status, at, note)"
    " SELECT s.case_id, s.version, s.status, s.at, s.note FROM unnest("
    "CAST(:case_ids AS uuid[]), CAST(:versions AS integer[]), CAST(:statuses AS text[]),"
    " CAST(:ats AS timestamptz[]), CAST(:notes AS text[])) AS s(case_id, version, status, at, note)"
    " WHERE EXISTS (SELECT FROM intake.cases c WHERE c.id = s.case_id)"
    " ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("case_ids", type_=ARRAY(PG_UUID(as_uuid=True))),
    bindparam("versions", type_=ARRAY(Integer)),
    bindparam("statuses", type_=ARRAY(Text)),
    bindparam("ats", type_=ARRAY(DateTime(timezone=True))),
    bindparam("notes", type_=ARRAY(Text)),
)


@dataclass(slots=True)
class _Status:
    """What a run's events of one case leave: the newest version among them, and each
    column with the version of the last event that set it."""

    version: int
    columns: dict[str, tuple[int, Any]]


@dataclass(slots=True)
class _Expected:
    generation: int
    changed_at: datetime
    expected_at: datetime


_HELD = "intake.cases.held"
"""Where a transaction keeps its projected events until it commits (``session.info``)."""


@dataclass(slots=True)
class _Held:
    steps: dict[tuple[UUID, int, str], tuple[datetime, str | None]] = field(default_factory=dict)
    statuses: dict[UUID, _Status] = field(default_factory=dict)
    expected: dict[UUID, _Expected] = field(default_factory=dict)


def advance_status(
    session: AsyncSession, *, case_id: UUID, version: int, values: dict[str, Any]
) -> None:
    """Applies a dispatch event's `values` (columns of :data:`PROJECTED`) when the
    transaction commits, unless a newer event (a higher case version) is applied by
    then. Events of one version come from one transaction, in order, on one partition."""
    unknown = values.keys() - set(PROJECTED)
    if unknown:
        raise ValueError(f"not a projected column: {sorted(unknown)}")
    held = _held(session)
    current = held.statuses.get(case_id)
    if current is None:
        held.statuses[case_id] = _Status(version, {k: (version, v) for k, v in values.items()})
    elif version >= current.version:
        current.version = version
        current.columns.update({k: (version, v) for k, v in values.items()})
    # else older than an event this run already holds: on its own, after that one, it
    # would change nothing either.


def add_step(
    session: AsyncSession,
    *,
    case_id: UUID,
    version: int,
    status: str,
    at: datetime,
    note: str | None,
) -> None:
    """Records a step of a case intake knows, once, when the transaction commits (a
    redelivered event adds nothing; an event about a case intake never took in adds
    nothing either)."""
    _held(session).steps.setdefault((case_id, version, status), (at, note))


def advance_expected(
    session: AsyncSession,
    *,
    case_id: UUID,
    generation: int,
    changed_at: datetime,
    expected_at: datetime,
) -> None:
    """Sets the resolution deadline when the transaction commits, unless a later one (a
    higher generation, or the same generation changed later) is set by then."""
    held = _held(session)
    current = held.expected.get(case_id)
    if current is None or (generation, changed_at) >= (current.generation, current.changed_at):
        held.expected[case_id] = _Expected(generation, changed_at, expected_at)


def _held(session: AsyncSession) -> _Held:
    """This transaction's held events, written when it commits."""
    return held_until_commit(session, _HELD, _Held, _write_held)


def _write_held(session: Session, held: _Held) -> None:
    """Before the commit: the steps in one insert, then each case's status and expected
    date in one update of its row (sent in one call for all the cases), the cases in one
    order for every writer, so that two runs never wait for each other in a cycle."""
    if held.steps:
        keys, steps = list(held.steps), list(held.steps.values())
        session.execute(
            _ADD_STEPS,
            {
                "case_ids": [case_id for case_id, _, _ in keys],
                "versions": [version for _, version, _ in keys],
                "statuses": [status for _, _, status in keys],
                "ats": [at for at, _ in steps],
                "notes": [note for _, note in steps],
            },
        )
    cases = sorted(held.statuses.keys() | held.expected.keys())
    if cases:
        session.execute(
            _ADVANCE,
            [_advance_values(c, held.statuses.get(c), held.expected.get(c)) for c in cases],
        )


def _advance_values(
    case_id: UUID, status: _Status | None, expected: _Expected | None
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "p_case_id": case_id,
        "p_version": status.version if status is not None else None,
        "p_generation": expected.generation if expected is not None else None,
        "p_changed_at": expected.changed_at if expected is not None else None,
        "p_expected_at": expected.expected_at if expected is not None else None,
    }
    columns = status.columns if status is not None else {}
    for name in PROJECTED:
        version, value = columns.get(name, (None, None))
        values[f"p_{name}_version"] = version
        values[f"p_{name}"] = value
    return values


async def steps(session: AsyncSession, case_id: UUID) -> list[CaseStep]:
    result = await session.execute(
        select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.version, CaseStep.at)
    )
    return list(result.scalars())


async def tracking_numbers(session: AsyncSession, case_ids: Collection[UUID]) -> dict[UUID, str]:
    """The cases' tracking numbers, in the order they were reported."""
    if not case_ids:
        return {}
    result = await session.execute(
        select(Case.id, Case.tracking_no)
        .where(Case.id.in_(list(case_ids)))
        .order_by(Case.reported_at, Case.id)
    )
    return {row.id: row.tracking_no for row in result.all()}


async def by_tracking_nos(session: AsyncSession, tracking_nos: Collection[str]) -> list[Case]:
    """The cases with these tracking numbers, newest first."""
    result = await session.execute(
        select(Case)
        .where(Case.tracking_no.in_(list(tracking_nos)))
        .order_by(Case.reported_at.desc())
    )
    return list(result.scalars())


async def holding(
    session: AsyncSession, *, attachment_url: str, case_ids: Collection[UUID]
) -> list[Case]:
    """The cases whose report carries the attachment (JSONB containment, by the GIN
    index of migration c4e1a7d2b9f3), and the cases `case_ids`."""
    held = Case.attachments.contains([attachment_url])
    result = await session.execute(
        select(Case).where(or_(held, Case.id.in_(list(case_ids))) if case_ids else held)
    )
    return list(result.scalars())


async def with_duplicates(session: AsyncSession, case_id: UUID) -> list[Case]:
    """The case and the duplicates merged into it, in the order they were reported."""
    result = await session.execute(
        select(Case)
        .where(or_(Case.id == case_id, Case.duplicate_of == case_id))
        .order_by(Case.reported_at, Case.id)
    )
    return list(result.scalars())


async def carried(session: AsyncSession, attachment_urls: Collection[str]) -> set[str]:
    """The URLs among `attachment_urls` that some case's report carries."""
    if not attachment_urls:
        return set()
    result = await session.execute(
        select(Case.attachments).where(
            or_(*(Case.attachments.contains([url]) for url in attachment_urls))
        )
    )
    wanted = set(attachment_urls)
    return {url for urls in result.scalars() for url in urls if url in wanted}


async def search(
    session: AsyncSession,
    *,
    categories: Collection[str],
    start: datetime,
    end: datetime,
    statuses: Collection[str] | None,
    excluded_statuses: Collection[str] | None,
    channels: Collection[str] | None = None,
    limit: int,
    offset: int = 0,
) -> list[Case]:
    """Cases reported in [start, end], newest first (a page of `limit` from `offset`);
    of these categories (the code, else the hint) if any; with a status in `statuses`
    and none in `excluded_statuses`, and through one of `channels`, when given."""
    query = select(Case).where(Case.reported_at >= start, Case.reported_at <= end)
    if channels is not None:
        query = query.where(Case.channel.in_(list(channels)))
    if categories:
        query = query.where(
            func.coalesce(Case.category_code, Case.category_hint).in_(list(categories))
        )
    if statuses is not None:
        query = query.where(Case.status.in_(list(statuses)))
    if excluded_statuses is not None:
        query = query.where(Case.status.not_in(list(excluded_statuses)))
    result = await session.execute(
        query.order_by(Case.reported_at.desc(), Case.id.desc()).limit(limit).offset(offset)
    )
    return list(result.scalars())


# ---- duplicate merge: the lock and the search for open cases (rules: intake.merge)

# The public statuses of a case that is no longer open.
FINISHED = ("closed", "evaluated", "withdrawn")
_LOCK_SPACE = 0x1A7B  # the first key of intake's advisory locks: merging by category and place
_METRES_PER_DEGREE = 111_320.0


# A merge key's lock is the signed 32-bit integer of the first 8 hex digits of its MD5,
# computed by the database (so that one statement can find a report's category and lock
# its keys): ('x' || substr(md5(key), 1, 8))::bit(32)::integer.
#
# The lock statements also set plan_cache_mode to force_custom_plan for the rest of the
# transaction: the search that follows them is then planned with the report's own place
# and address each time. A pool's connection otherwise runs it with the generic plan
# after five executions, and in a burst on a table the statistics still think small
# the generic plan read every open case of the category through one index (4.7 ms a
# push at 150/s instead of 0.3 ms; docs/benchmarks.md, "the merge search's plan").
_CUSTOM_PLANS = "set_config('plan_cache_mode', 'force_custom_plan', true)"
_LOCK_KEYS = text(
    f"SELECT pg_advisory_xact_lock(:space, id), {_CUSTOM_PLANS} FROM (SELECT DISTINCT"  # noqa: S608 - a constant of our own
    " ('x' || substr(md5(k), 1, 8))::bit(32)::integer AS id"
    " FROM unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS ordered"
)


async def lock_for_merge(session: AsyncSession, keys: Iterable[str]) -> None:
    """Transaction-scoped advisory locks on the merge keys (released at commit or
    rollback), always taken in ascending order of their ids: two transactions that
    each need several (a hotline batch) then never wait for each other in a cycle.
    A key already held by this transaction is taken again at once."""
    wanted = sorted(set(keys))
    if wanted:
        await session.execute(_LOCK_KEYS, {"space": _LOCK_SPACE, "keys": wanted})


# The category a hint names (its code exactly, else its code or name compared loosely,
# the first by code: the rule of ``intake.catalogue.repository.find_category``), and the
# merge locks of its key (that code, else `fallback`) followed by each of `places`,
# taken as :func:`lock_for_merge` takes them: one round trip where a push made two or three.
_CATEGORY_AND_LOCKS = text(
    "WITH hit AS ("  # noqa: S608 - a constant of our own, values as parameters
    " (SELECT code FROM intake.categories WHERE code = :hint)"
    " UNION ALL"
    " (SELECT code FROM intake.categories WHERE :loose <> '' AND"
    "  (lower(regexp_replace(code, '\\s', '', 'g')) = :loose"
    "   OR lower(regexp_replace(name, '\\s', '', 'g')) = :loose)"
    "  ORDER BY code LIMIT 1)"
    " LIMIT 1)"
    f" SELECT (SELECT code FROM hit) AS code, {_CUSTOM_PLANS} AS plans,"
    " (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(:space, id) AS locked FROM"
    "  (SELECT DISTINCT ('x' || substr(md5(coalesce((SELECT code FROM hit), :fallback) || p),"
    "   1, 8))::bit(32)::integer AS id"
    "   FROM unnest(CAST(:places AS text[])) AS p ORDER BY 1) AS ordered) AS held) AS locks"
)


async def category_locking_places(
    session: AsyncSession, *, hint: str, loose: str, fallback: str, places: Sequence[str]
) -> str | None:
    """The catalogue's code of the category `hint` names (None when it names none),
    once the merge locks of that code (else `fallback`) at each of `places` are held."""
    result = await session.execute(
        _CATEGORY_AND_LOCKS,
        {
            "hint": hint,
            "loose": loose,
            "fallback": fallback,
            "places": list(places),
            "space": _LOCK_SPACE,
        },
    )
    code: str | None = result.one().code
    return code


def _box(name: str) -> Any:
    return bindparam(name, type_=Float)


# The search for open cases, one statement whatever the report gives: the open first
# reports of the category inside a box around the point (NULL bounds, which match
# nothing, when it has none) or at its address (NULL when it has none), in the window.
# Of the table's columns, not the mapped class: only what the merge rules read, no ORM
# object loaded.
#
# Its shape keeps the plan on the place whatever the statistics say: each arm leads
# with what only its own index (ix_cases_merge_near, ix_cases_merge_address) can find,
# and the window is compared as an expression, out of reach of ix_cases_reported_at.
# With one OR and the window indexable, a plan made while the table looked small (a
# new district, a burst before autovacuum looked again) read every case of the window
# through ix_cases_reported_at, or every case of the category: 5-45 ms a push in a
# burst instead of 0.2 (docs/benchmarks.md, "the merge search's plan").
_C = Case.__table__.c
_OPEN_COLUMNS_SQL = "id, tracking_no, lat, lon, address_norm, reported_at, category_code"
_OPEN_OF = (
    "category_norm = :category_norm AND duplicate_of IS NULL"
    f" AND status NOT IN ({', '.join(repr(s) for s in FINISHED)})"
    " AND reported_at + interval '0 s' BETWEEN :since AND :until"
)
_OPEN_SQL = (
    f"(SELECT {_OPEN_COLUMNS_SQL} FROM intake.cases"  # noqa: S608 - the statuses are constants of our own, values as parameters
    f" WHERE lat BETWEEN :south AND :north AND lon BETWEEN :west AND :east AND {_OPEN_OF})"
    f" UNION (SELECT {_OPEN_COLUMNS_SQL} FROM intake.cases"
    f" WHERE address_norm = :address_norm AND {_OPEN_OF})"
    " ORDER BY reported_at LIMIT 200"
)
_OPEN_BINDS = (
    bindparam("category_norm", type_=String),
    bindparam("since", type_=DateTime(timezone=True)),
    bindparam("until", type_=DateTime(timezone=True)),
    *(_box(name) for name in ("south", "north", "west", "east")),
    bindparam("address_norm", type_=String),
)
_OPEN_COLUMNS = {
    name: _C[name].type
    for name in ("id", "tracking_no", "lat", "lon", "address_norm", "reported_at", "category_code")
}
_OPEN_CANDIDATES = text(_OPEN_SQL).bindparams(*_OPEN_BINDS).columns(**_OPEN_COLUMNS)

# The search and, when it finds no open case at all, the new case and its event, in one
# statement: the statement after the merge locks (so its snapshot, taken when it starts,
# sees a duplicate committed while this push waited for them). When the search finds
# candidates nothing is stored: the merge rules (intake.merge) pick among them, and the
# case is inserted by :data:`_INSERT_ANNOUNCED` as a new or a merged one.
_SEARCH_OR_INSERT = (
    text(
        f"WITH candidates AS ({_OPEN_SQL}),"  # noqa: S608 - column names of our own, values as parameters
        f" new_case AS (INSERT INTO intake.cases ({', '.join(NEW_CASE_COLUMNS)})"
        f" SELECT {', '.join(':' + name for name in NEW_CASE_COLUMNS)}"
        " WHERE NOT EXISTS (SELECT FROM candidates)"
        " ON CONFLICT DO NOTHING RETURNING id),"
        f" announced AS ({_ANNOUNCED.sql} RETURNING 1)"
        " SELECT id, tracking_no, lat, lon, address_norm, reported_at, category_code,"
        " false AS stored FROM candidates"
        " UNION ALL SELECT id, NULL, NULL, NULL, NULL, NULL, NULL, true FROM new_case"
    )
    .bindparams(
        *_OPEN_BINDS,
        *(
            bindparam(name, type_=Case.__table__.c[name].type)
            for name in NEW_CASE_COLUMNS
            if name not in ("category_norm", "address_norm")
        ),
        *_ANNOUNCED.binds,
    )
    .columns(**_OPEN_COLUMNS, stored=Boolean)
)


@dataclass(slots=True)
class OpenCase:
    """An open case as the merge rules read it (``intake.merge.service.Candidate``)."""

    id: UUID
    tracking_no: str
    lat: float | None
    lon: float | None
    address_norm: str | None
    reported_at: datetime
    category_code: str | None


async def open_candidates(
    session: AsyncSession,
    *,
    category_norm: str,
    since: datetime,
    until: datetime,
    near: tuple[float, float, float] | None,
    address_norm: str | None,
) -> list[OpenCase]:
    """Open first reports of the category reported in [since, until], inside a box
    around the point (the exact distance is the caller's) or at the same address."""
    result = await session.execute(
        _OPEN_CANDIDATES,
        {
            "category_norm": category_norm,
            "since": since,
            "until": until,
            "address_norm": address_norm,
            **_box_around(near),
        },
    )
    return [OpenCase(*row) for row in result.all()]


def _box_around(near: tuple[float, float, float] | None) -> dict[str, float | None]:
    """The search's box around a point (latitude, longitude, metres): NULL bounds, which
    match nothing, when there is no point."""
    if near is None:
        return dict.fromkeys(("south", "north", "west", "east"))
    lat, lon, metres = near
    dlat = metres / _METRES_PER_DEGREE
    dlon = metres / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return {"south": lat - dlat, "north": lat + dlat, "west": lon - dlon, "east": lon + dlon}


async def insert_announced_unless_open(
    session: AsyncSession,
    values: dict[str, Any],
    event: Envelope,
    *,
    since: datetime,
    until: datetime,
    near: tuple[float, float, float] | None,
) -> tuple[bool, list[OpenCase]]:
    """The search of :func:`open_candidates` (of ``values``' category_norm and
    address_norm) and, when it finds none, the insert of :func:`insert_announced`, in
    one round trip. Returns whether the case and its event were stored, and the open
    cases found (then nothing was stored). Neither (False, []): a case with the same
    (channel, external_ref) or tracking number exists. Its merge locks must be held."""
    result = await session.execute(
        _SEARCH_OR_INSERT,
        {
            **values,
            **_ANNOUNCED.parameters(event),
            "since": since,
            "until": until,
            **_box_around(near),
        },
    )
    rows = result.all()
    if any(row.stored for row in rows):
        outbox.mark_written(session)
        return True, []
    return False, [OpenCase(*row[:7]) for row in rows]
