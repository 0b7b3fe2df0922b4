"""All of notify's SQL about deliveries."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from typing import cast as typed
from uuid import UUID

from sqlalchemy import (
    Integer,
    String,
    Table,
    TextClause,
    any_,
    bindparam,
    func,
    not_,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, aliased

from notify.contacts.models import Contact
from notify.deliveries.models import Delivery

DIGEST = "digest"
_TABLE = typed(Table, Delivery.__table__)
_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


_PLAN = insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.id)
"""Built once: its columns are the keys of the values it is run with (a statement made
per call would cost its cache key every time)."""


async def plan(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Records a delivery intent once per idempotency key."""
    result = await session.execute(_PLAN, values)
    return result.first() is not None


def plan_in(session: Session, values: dict[str, Any]) -> bool:
    """:func:`plan` in a transaction's synchronous part (planning's writes at commit)."""
    return session.execute(_PLAN, values).first() is not None


def _recent_where(*, recipient_id: Any, channel: Any, since: Any) -> tuple[Any, ...]:
    """Messages to the recipient over the channel planned since `since`: each digest
    counted once, what it folded not at all."""
    return (
        Delivery.recipient_id == recipient_id,
        Delivery.channel == channel,
        Delivery.planned_at > since,
        Delivery.status.not_in(("digested", "skipped")),
    )


def _rows(keys: tuple[str, ...], prefix: str, count: int) -> Any:
    """`count` rows of these columns as bound parameters (``<prefix><n>_<column>``)."""
    rows = [
        select(*(bindparam(f"{prefix}{n}_{k}", type_=_TABLE.c[k].type) for k in keys))
        for n in range(count)
    ]
    return rows[0] if count == 1 else union_all(*rows)


def _bind(prefix: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {f"{prefix}{n}_{k}": v for n, row in enumerate(rows) for k, v in row.items()}


def plan_many(session: Session, rows: Sequence[dict[str, Any]]) -> set[UUID]:
    """Records delivery intents (rows of the same columns), each once per idempotency
    key, in one statement (the rows rendered into it at execution: the statement and
    its cache key are those of one row, whatever their number); returns the ids of
    those recorded (a repeat is left out)."""
    if not rows:
        return set()
    result = session.execute(_PLAN, list(rows))
    return set(result.scalars())


_PLAN_UNDER: dict[tuple[tuple[str, ...], tuple[str, ...], int], Any] = {}


def _plan_under_statement(keys: tuple[str, ...], along: tuple[str, ...], count: int) -> Any:
    """:func:`plan_under`'s statement for a set of columns (and `count` rows along, of
    the columns `along`), built once: the rows and the count's terms are bound
    parameters (``u_*`` for the count's own)."""
    if (keys, along, count) not in _PLAN_UNDER:
        recent = (
            select(func.count())
            .select_from(_TABLE)
            .where(
                *_recent_where(
                    recipient_id=bindparam("u_recipient", type_=_TABLE.c.recipient_id.type),
                    channel=bindparam("u_channel", type_=_TABLE.c.channel.type),
                    since=bindparam("u_since", type_=_TABLE.c.planned_at.type),
                )
            )
            .scalar_subquery()
        )
        row = select(*(bindparam(k, type_=_TABLE.c[k].type) for k in keys)).where(
            recent < bindparam("u_limit", type_=Integer())
        )
        counted: Any = (
            insert(_TABLE)
            .from_select(list(keys), row)
            .on_conflict_do_nothing()
            .returning(_TABLE.c.id)
        )
        if count:
            mine = counted.cte("counted")
            others = (
                insert(_TABLE)
                .from_select(list(along), _rows(along, "a", count))
                .on_conflict_do_nothing()
                .returning(_TABLE.c.id)
                .cte("along")
            )
            counted = union_all(select(mine.c.id), select(others.c.id))
        _PLAN_UNDER[keys, along, count] = counted
    return _PLAN_UNDER[keys, along, count]


def plan_under(
    session: Session,
    values: dict[str, Any],
    *,
    since: datetime,
    limit: int,
    along: Sequence[dict[str, Any]] = (),
) -> set[UUID]:
    """Records a delivery intent once per idempotency key, if fewer than `limit` messages
    to its recipient over its channel were planned since `since` (:func:`recent`): the
    count and the insert in one statement. Not recorded: a repeat, or the limit was
    reached (the caller tells them apart with :func:`recent`). The caller holds the
    recipient's lock (:func:`lock_recipient`), taken in an earlier statement, so the
    count sees what the lock's previous holder committed. `along`: other intents
    (rows of the same columns, not counted against any limit, none of them to this
    recipient over this channel), recorded by the same statement as :func:`plan_many`
    would. Returns the ids of the rows recorded."""
    statement = _plan_under_statement(
        tuple(sorted(values)), tuple(sorted(along[0])) if along else (), len(along)
    )
    result = session.execute(
        statement,
        values
        | _bind("a", along)
        | {
            "u_recipient": values["recipient_id"],
            "u_channel": values["channel"],
            "u_since": since,
            "u_limit": limit,
        },
    )
    return set(result.scalars())


def exists(session: Session, idempotency_key: str) -> bool:
    result = session.execute(select(Delivery.id).where(Delivery.idempotency_key == idempotency_key))
    return result.first() is not None


_LOCK_READING_PREFERENCES = text(
    "WITH locked AS (SELECT count(pg_advisory_xact_lock(l.h)) AS n FROM"
    " (SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS TEXT[])) AS k ORDER BY h)"
    " AS l) "
    "SELECT locked.n, notify.preferences.staff_id, notify.preferences.disabled_channels,"
    " notify.preferences.email, notify.preferences.quiet_hours"
    " FROM locked LEFT JOIN notify.preferences"
    " ON notify.preferences.staff_id = ANY(CAST(:staff AS TEXT[]))"
).columns(
    n=Integer(),
    staff_id=String(),
    disabled_channels=JSONB(),
    email=String(),
    quiet_hours=String(),
)


@dataclass(frozen=True)
class Preferences:
    """What planning reads of a staff member's preferences (:class:`notify.preferences.models.Preference`)."""

    disabled_channels: list[str]
    email: str | None
    quiet_hours: str | None


def lock_recipients_reading_preferences(
    session: Session, *, keys: Collection[str], staff_ids: Collection[str]
) -> dict[str, Preferences]:
    """Takes the recipients' locks (``<channel>:<recipient>``: serialising planning for
    one recipient and channel, burst counting, until the transaction ends) in the order
    of their lock numbers, so that two transactions locking several never wait for each
    other in a circle; and, in the same statement, the preferences of the staff members
    `staff_ids`. The preferences need not see what a lock's previous holder committed
    (planning does not write them); what is counted after the locks does, in a later
    statement."""
    result = session.execute(
        _LOCK_READING_PREFERENCES, {"keys": sorted(keys), "staff": sorted(staff_ids)}
    )
    return {
        row.staff_id: Preferences(list(row.disabled_channels or []), row.email, row.quiet_hours)
        for row in result
        if row.staff_id is not None
    }


_COUNT_RECENT = text(
    "SELECT (SELECT count(*) FROM notify.deliveries AS d"
    " WHERE d.recipient_id = r.recipient_id AND d.channel = r.channel"
    " AND d.planned_at > r.since AND d.status NOT IN ('digested', 'skipped'))"
    " FROM unnest(CAST(:recipients AS TEXT[]), CAST(:channels AS TEXT[]),"
    " CAST(:sinces AS TIMESTAMPTZ[])) WITH ORDINALITY AS r(recipient_id, channel, since, i)"
    " ORDER BY r.i"
)


def count_recent(session: Session, wanted: Sequence[tuple[str, str, datetime]]) -> list[int]:
    """For each ``(recipient, channel, since)``, how many messages :func:`recent` would
    find, in one statement (in `wanted`'s order)."""
    if not wanted:
        return []
    result = session.execute(
        _COUNT_RECENT,
        {
            "recipients": [r for r, _, _ in wanted],
            "channels": [c for _, c, _ in wanted],
            "sinces": [s for _, _, s in wanted],
        },
    )
    return [int(n) for n in result.scalars()]


def recent(
    session: Session, *, recipient_id: str, channel: str, since: datetime
) -> Sequence[datetime]:
    """When messages to the recipient over the channel were planned since `since`,
    each digest counted once and what it folded not at all."""
    result = session.execute(
        select(Delivery.planned_at)
        .where(*_recent_where(recipient_id=recipient_id, channel=channel, since=since))
        .order_by(Delivery.planned_at)
    )
    return result.scalars().all()


def open_digest(session: Session, *, recipient_id: str, channel: str) -> Delivery | None:
    """The recipient's digest still waiting to be sent, locked."""
    result = session.execute(
        select(Delivery)
        .where(
            Delivery.recipient_id == recipient_id,
            Delivery.channel == channel,
            Delivery.template == DIGEST,
            Delivery.status == "pending",
            Delivery.attempts == 0,
        )
        .order_by(Delivery.planned_at)
        .limit(1)
        .with_for_update()
    )
    return result.scalars().first()


def _claim_statement() -> Any:
    """:func:`claim_due`'s statement, built once (its times, limit and held ids are bound
    parameters: building the claim and its contacts' join per call cost more than
    running it)."""
    now = bindparam("c_now", type_=_TABLE.c.next_attempt_at.type)
    held = bindparam("c_held", type_=postgresql.ARRAY(_TABLE.c.id.type))
    due = (
        select(_TABLE.c.id)
        .where(
            or_(
                (_TABLE.c.status == "pending") & (_TABLE.c.next_attempt_at <= now),
                (_TABLE.c.status == "sending") & (_TABLE.c.lease_until <= now),
            ),
            not_(_TABLE.c.id == any_(held)),
        )
        .order_by(_TABLE.c.next_attempt_at)
        .limit(bindparam("c_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    claimed = (
        update(_TABLE)
        .where(_TABLE.c.id.in_(due.scalar_subquery()))
        .values(
            status="sending",
            attempts=_TABLE.c.attempts + 1,
            lease_until=bindparam("c_lease_until", type_=_TABLE.c.lease_until.type),
            updated_at=now,
        )
        .returning(*_TABLE.c)
        .cte("claimed")
    )
    delivery = aliased(Delivery, claimed)
    return select(delivery, Contact).outerjoin(
        Contact,
        (claimed.c.channel == "sms")
        & claimed.c.recipient_id.startswith("staff:")
        & (Contact.staff_id == func.substr(claimed.c.recipient_id, len("staff:") + 1)),
    )


_CLAIM = _claim_statement()


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    lease: timedelta,
    limit: int,
    held: Collection[UUID] = (),
) -> tuple[Sequence[Delivery], list[Contact]]:
    """Claims due deliveries (and those whose lease ran out: a sender crashed), counting
    the attempt; never one of `held` (the caller's own attempts still under way, even
    past their lease). Safe with several replicas (``FOR UPDATE SKIP LOCKED``). In the
    same statement, the contacts of the staff members the claimed SMS go to (loaded into
    the session: their addresses are answered from it while the caller holds them)."""
    rows = (
        await session.execute(
            _CLAIM,
            {"c_now": now, "c_lease_until": now + lease, "c_limit": limit, "c_held": list(held)},
        )
    ).all()
    return [d for d, _ in rows], [c for _, c in rows if c is not None]


def finish_in(session: Session, delivery_id: UUID, values: dict[str, Any]) -> None:
    """Updates a delivery (planning's digest, at the commit of its transaction)."""
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


def _array(column: str) -> str:
    """A bound list as an array of the column's type (an unknown column raises)."""
    return f"CAST(:{column} AS {_TABLE.c[column].type.compile(dialect=_DIALECT)}[])"


_FINISH: dict[tuple[str, ...], TextClause] = {}


def _finish_statement(keys: tuple[str, ...]) -> TextClause:
    """One ``UPDATE`` per set of columns written: the outcomes come as arrays, one per
    column, so its text is the same whatever their number (compiled and prepared once)."""
    if keys not in _FINISH:
        sets = ", ".join(f"{key} = o.{key}" for key in keys)
        arrays = ", ".join(["CAST(:ids AS UUID[])", "CAST(:guards AS INTEGER[])"])
        arrays += "".join(f", {_array(key)}" for key in keys)
        names = ", ".join(["id", "guard", *keys])
        _FINISH[keys] = text(
            f"UPDATE {_TABLE.fullname} AS d SET {sets} "  # noqa: S608 - column names only
            f"FROM unnest({arrays}) AS o({names}) "
            "WHERE d.id = o.id AND d.status = 'sending' AND d.attempts = o.guard "
            "RETURNING d.id"
        )
    return _FINISH[keys]


async def finish_attempts(
    session: AsyncSession, outcomes: Sequence[tuple[UUID, int, dict[str, Any]]]
) -> set[UUID]:
    """Records attempts' outcomes, ``(delivery id, attempt, values)``: each only while
    that attempt still holds the lease (``sending``, and no other replica has claimed it
    since). One ``UPDATE … FROM unnest(…)`` per set of columns written (a delivery, a
    retry, a failure), not one per outcome. Returns the ids of the deliveries updated."""
    groups: dict[tuple[str, ...], list[tuple[UUID, int, dict[str, Any]]]] = {}
    for outcome in outcomes:
        groups.setdefault(tuple(sorted(outcome[2])), []).append(outcome)
    done: set[UUID] = set()
    for keys, members in groups.items():
        params: dict[str, list[Any]] = {
            "ids": [i for i, _, _ in members],
            "guards": [attempt for _, attempt, _ in members],
        }
        params.update({key: [v[key] for _, _, v in members] for key in keys})
        result = await session.execute(_finish_statement(keys), params)
        done.update(result.scalars())
    return done


_SET_REFS = text(
    f"UPDATE {_TABLE.fullname} AS d SET provider_ref = o.ref "  # noqa: S608 - names only
    f"FROM unnest(CAST(:ids AS UUID[]), {_array('provider_ref')}) AS o(id, ref) "
    "WHERE d.id = o.id"
)


async def set_provider_refs(session: AsyncSession, refs: dict[UUID, str | None]) -> None:
    """Sets deliveries' provider references, in one statement."""
    if not refs:
        return
    await session.execute(_SET_REFS, {"ids": list(refs), "provider_ref": list(refs.values())})


async def get(session: AsyncSession, delivery_id: UUID) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def get_for_update(session: AsyncSession, delivery_id: UUID) -> Delivery | None:
    result = await session.execute(
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalars().first()


async def lock_resends(session: AsyncSession, base_key: str) -> None:
    """Serialises resending one delivery (its original and its resends), until commit."""
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"resend:{base_key}"}
    )


async def resends(session: AsyncSession, base_key: str) -> Sequence[Delivery]:
    """The resends of a delivery, oldest first."""
    result = await session.execute(
        select(Delivery)
        .where(Delivery.idempotency_key.startswith(f"{base_key}:resend:", autoescape=True))
        .order_by(Delivery.planned_at, Delivery.id)
        .execution_options(populate_existing=True)
    )
    return result.scalars().all()


#: A total order: planned, then by channel and recipient; ties (a delivery and its resend
#: planned at the same instant, as under an injected clock) by when the row was made
#: (the database's clock, a transaction's start) and the time-ordered id, never by where
#: PostgreSQL keeps the rows (an update moves one), and no page repeats or skips a row.
_ORDER = (
    Delivery.planned_at,
    Delivery.channel,
    Delivery.recipient_id,
    Delivery.created_at,
    Delivery.id,
)


async def of_case(session: AsyncSession, case_id: UUID) -> Sequence[Delivery]:
    result = await session.execute(
        select(Delivery).where(Delivery.case_id == case_id).order_by(*_ORDER)
    )
    return result.scalars().all()


async def of_recipient(
    session: AsyncSession,
    recipient_id: str,
    *,
    limit: int,
    offset: int,
    district: str | None = None,
) -> Sequence[Delivery]:
    """`district`: about that district's cases only (None: every district's)."""
    query = select(Delivery).where(Delivery.recipient_id == recipient_id)
    if district is not None:
        query = query.where(Delivery.district_code == district)
    result = await session.execute(query.order_by(*_ORDER).limit(limit).offset(offset))
    return result.scalars().all()


async def by_status(
    session: AsyncSession, status: str, *, limit: int, offset: int, district: str | None = None
) -> Sequence[Delivery]:
    """`district`: that district's deliveries only (None: every district's)."""
    query = select(Delivery).where(Delivery.status == status)
    if district is not None:
        query = query.where(Delivery.district_code == district)
    result = await session.execute(
        query.order_by(Delivery.updated_at.desc(), Delivery.id).limit(limit).offset(offset)
    )
    return result.scalars().all()


async def failed_matching(
    session: AsyncSession,
    *,
    channel: str | None,
    failed_from: datetime | None,
    failed_until: datetime | None,
    limit: int,
    district: str | None = None,
) -> Sequence[Delivery]:
    """Failed deliveries by channel and by when they failed (``updated_at``, the last
    change of a failed delivery), oldest first; only `district`'s when one is given."""
    query = select(Delivery).where(Delivery.status == "failed")
    if district is not None:
        query = query.where(Delivery.district_code == district)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if failed_from is not None:
        query = query.where(Delivery.updated_at >= failed_from)
    if failed_until is not None:
        query = query.where(Delivery.updated_at < failed_until)
    result = await session.execute(query.order_by(Delivery.updated_at, Delivery.id).limit(limit))
    return result.scalars().all()
