"""notify's contacts are a projection of the compacted directory topic: a replayed older
version of a staff member must not overwrite the newer one."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from gridcase_events import payloads
from gridcase_events.kit.db import create_engine
from notify.contacts import repository
from notify.contacts.service import project_staff

pytestmark = pytest.mark.integration

LATER = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def staff(phone_masked: str) -> payloads.StaffUpserted:
    return payloads.StaffUpserted(
        staff_id="gm111a",
        name="王芳",
        role="grid_member",
        area_code="510302001001001",
        department_code=None,
        post="A",
        phone_encrypted=f"enc-{phone_masked}",
        phone_masked=phone_masked,
    )


async def test_an_older_version_replayed_after_a_newer_one_is_ignored(
    client: Any, fresh_database: str
) -> None:
    engine = create_engine(fresh_database, pool_size=1)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session, session.begin():
            await project_staff(session=session, staff=staff("139****0002"), at=LATER)
        async with sessions() as session, session.begin():
            await project_staff(
                session=session, staff=staff("138****0001"), at=LATER - timedelta(hours=1)
            )
        async with sessions() as session:
            contact = await repository.get(session, "gm111a")
    finally:
        await engine.dispose()
    assert contact is not None
    assert contact.phone_masked == "139****0002"
