"""The public status and expected date inside a consumer run: the events of one
transaction (as the kit's runner applies a run: one session, a flush between handlers)
are written when it commits — the run's steps in one insert, each case's status and
expected date once, all cases' in one call — and leave what the same events leave
applied one by one, each in its own transaction (the runner's fallback). Against the
real database."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from gridcase_events import payloads
from intake.cases import repository
from intake.cases import service as case_service
from intake.cases.models import Case, CaseStep
from intake.hotline.endpoints import to_report
from intake.hotline.schemas import TicketIn

pytestmark = pytest.mark.integration

AT = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
OPTIONAL = ("grid_code", "department_code", "community_code", "district_code", "resolution_note")


@pytest.fixture
def sessions(db: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(db, expire_on_commit=False)


@pytest.fixture
def writes(db: AsyncEngine) -> Iterator[list[tuple[str, int]]]:
    """The projection's statements sent meanwhile: their first words, and how many
    rows of parameters each carried (an executemany sends several in one call)."""
    sent: list[tuple[str, int]] = []

    def seen(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        for shape in ("UPDATE intake.cases ", "INSERT INTO intake.case_steps "):
            if statement.startswith(shape):
                sent.append((shape.strip(), len(parameters) if many else 1))

    event.listen(db.sync_engine, "before_cursor_execute", seen)
    yield sent
    event.remove(db.sync_engine, "before_cursor_execute", seen)


async def _new_cases(runtime: Any, ticket: Any, count: int) -> list[UUID]:
    ids = []
    async with runtime.transaction() as session:
        for _ in range(count):
            case, _ = await case_service.report(
                session=session,
                runtime=runtime,
                report=to_report(TicketIn.model_validate(ticket(ticket_no=f"R-{uuid4().hex}"))),
                correlation_id="runs-1",
                merge=False,
            )
            ids.append(UUID(str(case.id)))
    return ids


# An event of a run: a status (case, version, values) or a resolution clock (case,
# generation, changed_at, expected_at).
Status = tuple[UUID, int, dict[str, Any]]
Clock = tuple[UUID, int, datetime, datetime]


def _apply(session: AsyncSession, item: Status | Clock) -> None:
    if len(item) == 3:
        case_id, version, values = item
        repository.advance_status(session, case_id=case_id, version=version, values=values)
        repository.add_step(
            session,
            case_id=case_id,
            version=version,
            status=values["status"],
            at=values["status_changed_at"],
            note=values["status_note"],
        )
    else:
        case_id, generation, changed_at, expected_at = item
        repository.advance_expected(
            session,
            case_id=case_id,
            generation=generation,
            changed_at=changed_at,
            expected_at=expected_at,
        )


async def _run(sessions: async_sessionmaker[AsyncSession], items: list[Any]) -> None:
    """One transaction over the events, as the runner applies a run of them."""
    async with sessions() as session, session.begin():
        for item in items:
            _apply(session, item)
            await session.flush()
            session.expunge_all()


async def _one_by_one(sessions: async_sessionmaker[AsyncSession], items: list[Any]) -> None:
    for item in items:
        await _run(sessions, [item])


def _status(version: int, status: str, **optional: Any) -> dict[str, Any]:
    return {
        "status": status,
        "status_changed_at": AT + timedelta(minutes=version),
        "category_code": "environment/garbage-overflow",
        "status_note": None,
        **optional,
    }


async def _seen(sessions: async_sessionmaker[AsyncSession], case_id: UUID) -> tuple[Any, ...]:
    """What the public reads of a case: its status columns, expected date and steps."""
    async with sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        steps = (
            await session.execute(
                select(CaseStep.version, CaseStep.status, CaseStep.at, CaseStep.note)
                .where(CaseStep.case_id == case_id)
                .order_by(CaseStep.version, CaseStep.status)
            )
        ).all()
    return (
        *(getattr(case, name) for name in ("status_version", *repository.PROJECTED)),
        case.expected_at,
        case.expected_generation,
        case.expected_changed_at,
        [tuple(step) for step in steps],
    )


async def test_a_runs_events_write_their_steps_once_and_each_case_once(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession], writes: Any
) -> None:
    one, two = await _new_cases(intake.app.state.runtime, ticket, 2)
    writes.clear()
    run: list[Any] = []
    for case_id in (one, two):
        run += [
            (case_id, 1, _status(1, "routed", grid_code="510302001001001")),
            (case_id, 2, _status(2, "assigned")),
            (case_id, 3, _status(3, "accepted")),
        ]
    await _run(sessions, run)

    # six events of two cases: one insert of their steps, one update per case in one call
    assert writes == [("INSERT INTO intake.case_steps", 1), ("UPDATE intake.cases", 2)]
    for case_id in (one, two):
        seen = await _seen(sessions, case_id)
        assert seen[:3] == (3, "accepted", AT + timedelta(minutes=3))
        assert seen[1 + repository.PROJECTED.index("grid_code")] == "510302001001001"
        assert [(version, status) for version, status, _, _ in seen[-1]] == [
            (1, "routed"),
            (2, "assigned"),
            (3, "accepted"),
        ]


async def test_a_runs_clocks_write_each_cases_expected_date_once(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession], writes: Any
) -> None:
    one, two = await _new_cases(intake.app.state.runtime, ticket, 2)
    due = AT + timedelta(days=3)
    writes.clear()
    async with sessions() as session, session.begin():
        for case_id in (one, two):
            for clock in ("sign_for", "resolution"):
                case_service.project_deadline(
                    session=session,
                    clock=payloads.SlaClockStarted(
                        case_id=case_id,
                        tracking_no="GC-T-1",
                        clock=clock,
                        generation=1,
                        started_at=AT,
                        due_at=due if clock == "resolution" else AT + timedelta(hours=1),
                        changed_at=AT,
                        priority="normal",
                    ),
                )
        # the resolution clock of `one` extended, in the same run
        repository.advance_expected(
            session, case_id=one, generation=1, changed_at=AT + timedelta(hours=2), expected_at=due
        )
        repository.advance_expected(
            session,
            case_id=one,
            generation=1,
            changed_at=AT + timedelta(hours=3),
            expected_at=due + timedelta(days=1),
        )

    assert writes == [("UPDATE intake.cases", 2)]
    assert (await _seen(sessions, one))[-4:-1] == (
        due + timedelta(days=1),
        1,
        AT + timedelta(hours=3),
    )
    assert (await _seen(sessions, two))[-4:-1] == (due, 1, AT)


async def test_a_runs_statuses_and_clocks_of_a_case_write_its_row_once(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession], writes: Any
) -> None:
    """One consumer group applies both (intake.consumers): a case's dispatch events and
    its clocks in one run are one update of its row, not one for each."""
    one, two = await _new_cases(intake.app.state.runtime, ticket, 2)
    due = AT + timedelta(days=3)
    # `two` already holds a later deadline (generation 2) and a newer status (version 4)
    await _one_by_one(
        sessions,
        [(two, 4, _status(4, "accepted")), (two, 2, AT, due + timedelta(days=5))],
    )
    writes.clear()

    await _run(
        sessions,
        [
            (one, 1, _status(1, "routed", grid_code="510302001001001")),
            (two, 1, _status(1, "routed", grid_code="510302001001001")),
            (one, 1, AT, due),
            (two, 1, AT, due),
            (one, 2, _status(2, "assigned")),
            (two, 5, _status(5, "resolved")),
        ],
    )

    # one insert of the steps, one update per case (both cases in one call)
    assert writes == [("INSERT INTO intake.case_steps", 1), ("UPDATE intake.cases", 2)]
    seen_one, seen_two = await _seen(sessions, one), await _seen(sessions, two)
    assert seen_one[:2] == (2, "assigned")
    assert seen_one[1 + repository.PROJECTED.index("grid_code")] == "510302001001001"
    assert seen_one[-4:-1] == (due, 1, AT)
    assert seen_two[:2] == (5, "resolved")  # the version 1 event changed nothing
    assert seen_two[1 + repository.PROJECTED.index("grid_code")] is None
    assert seen_two[-4:-1] == (due + timedelta(days=5), 2, AT)  # the later deadline stays


def _events(rng: random.Random, case_id: UUID) -> list[Any]:
    """A case's events as they may arrive: versions out of order, some of one version,
    some repeated (redelivered), shapes of their own; and its resolution clocks."""
    events: list[Any] = []
    for _ in range(rng.randint(1, 7)):
        version = rng.randint(1, 5)
        status = rng.choice(("routed", "assigned", "accepted", "resolved", "reopened"))
        optional = {
            name: rng.choice((None, f"{name[:4]}-{rng.randint(1, 3)}"))
            for name in OPTIONAL
            if rng.random() < 0.4
        }
        values = _status(version, status, **optional)
        values["status_note"] = rng.choice((None, f"note {version}"))
        events.append((case_id, version, values))
        if rng.random() < 0.2:
            events.append(events[-1])
    for _ in range(rng.randint(0, 3)):
        generation = rng.randint(1, 3)
        changed_at = AT + timedelta(hours=rng.randint(0, 2))
        events.append(
            (case_id, generation, changed_at, changed_at + timedelta(days=rng.randint(1, 5)))
        )
    return events


async def test_a_run_leaves_what_its_events_leave_one_by_one(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    rng = random.Random(18)
    ids = await _new_cases(intake.app.state.runtime, ticket, 16)
    pairs = list(zip(ids[::2], ids[1::2], strict=True))  # (one by one, in a run)
    # Some cases already hold an event of version 3 (an earlier run's) and a clock.
    for alone, together in pairs[::2]:
        for case_id in (alone, together):
            earlier: list[Any] = [
                (case_id, 3, _status(3, "accepted", grid_code="grid-0")),
                (case_id, 2, AT + timedelta(hours=1), AT + timedelta(days=9)),
            ]
            await _one_by_one(sessions, earlier)
    for round_ in range(3):
        alone_events: list[Any] = []
        together_events: list[Any] = []
        for alone, together in pairs:
            for item in _events(rng, alone):
                alone_events.append(item)
                together_events.append((together, *item[1:]))
        unknown = uuid4()  # a case intake never took in: nothing anywhere
        alone_events.append((unknown, 1, _status(1, "routed")))
        together_events.append((unknown, 1, _status(1, "routed")))
        order = list(range(len(alone_events)))
        rng.shuffle(order)
        await _one_by_one(sessions, [alone_events[i] for i in order])
        await _run(sessions, [together_events[i] for i in order])

        for alone, together in pairs:
            assert await _seen(sessions, together) == await _seen(sessions, alone), round_
        async with sessions() as session:
            assert await session.get(Case, unknown) is None
            assert not (
                await session.scalars(select(CaseStep).where(CaseStep.case_id == unknown))
            ).all()


async def test_a_failed_run_writes_nothing_and_its_events_then_apply_one_by_one(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    (case_id,) = await _new_cases(intake.app.state.runtime, ticket, 1)
    before = await _seen(sessions, case_id)
    routed = (case_id, 1, _status(1, "routed", grid_code="510302001001001"))
    clock = (case_id, 1, AT, AT + timedelta(days=3))

    async def failing_run() -> None:
        async with sessions() as session, session.begin():
            _apply(session, routed)
            _apply(session, clock)
            await session.flush()
            raise RuntimeError("the next handler failed")

    with pytest.raises(RuntimeError):
        await failing_run()
    assert await _seen(sessions, case_id) == before

    # retried one by one, as the runner falls back: each event commits with its writes
    await _run(sessions, [routed])
    seen = await _seen(sessions, case_id)
    assert seen[:2] == (1, "routed")
    assert seen[-4] is None  # the clock's run has not come yet
    await _run(sessions, [clock])
    assert (await _seen(sessions, case_id))[-4] == AT + timedelta(days=3)


async def test_a_session_without_a_transaction_yet_writes_at_its_commit(
    intake: Any, ticket: Any, sessions: async_sessionmaker[AsyncSession]
) -> None:
    (case_id,) = await _new_cases(intake.app.state.runtime, ticket, 1)
    async with sessions() as session:
        _apply(session, (case_id, 1, _status(1, "routed")))
        await session.commit()
    assert (await _seen(sessions, case_id))[:2] == (1, "routed")
