"""The planned-deliveries counter counts decisions that were committed, not attempts."""

from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import async_sessionmaker

from gridcase_events import envelope, payloads
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from notify.config import NotifySettings
from notify.deliveries import planning
from notify.deliveries.facts import facts_of

pytestmark = pytest.mark.integration


def planned_now() -> float:
    value = REGISTRY.get_sample_value(
        "gridcase_notify_planned_total", {"channel": "inapp", "how": "now"}
    )
    return value or 0.0


async def test_a_rolled_back_plan_is_not_counted_and_a_committed_one_is(
    client: Any, fresh_database: str, clock: ManualClock
) -> None:
    settings = NotifySettings(env="development", database_url=fresh_database)
    case_id = envelope.new_id()
    assigned = payloads.CaseAssigned(
        case_id=case_id,
        tracking_no="GC-20261121-METRIC",
        category_code="environment/garbage-overflow",
        priority="normal",
        channel="hotline",
        assignee_id="gm111a",
        assignee_role="grid_member",
        post="A",
        reason="A post",
        grid_code="510302001001001",
        summary="垃圾满溢。",
        assigned_at=clock.now(),
    )
    event = envelope.build(
        assigned,
        subject=str(case_id),
        source="dispatch",
        tenant="510302",
        correlation_id="corr-metric",
        time=clock.now(),
    )
    facts = facts_of(event.type, assigned, timezone=settings.timezone)
    assert facts is not None
    engine = create_engine(fresh_database, pool_size=1)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def plan(*, commit: bool) -> int:
        async with sessions() as session:
            planned = await planning.plan_one(
                session=session,
                clock=clock,
                settings=settings,
                event=event,
                facts=facts,
                recipient="staff:gm111a",
                channel="inapp",
                params=facts.params,
            )
            if commit:
                await session.commit()
            else:
                await session.rollback()  # a handler that broke after planning
        return planned

    try:
        before = planned_now()
        assert await plan(commit=False) == 1
        assert planned_now() == before
        assert await plan(commit=True) == 1  # the retry
        assert planned_now() == before + 1
    finally:
        await engine.dispose()
