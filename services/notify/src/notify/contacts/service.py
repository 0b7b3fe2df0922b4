from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from notify.contacts import repository


async def project_staff(
    *, session: AsyncSession, staff: payloads.StaffUpserted, at: datetime
) -> None:
    await repository.upsert(
        session,
        {
            "staff_id": staff.staff_id,
            "name": staff.name,
            "role": staff.role,
            "area_code": staff.area_code,
            "department_code": staff.department_code,
            "phone_enc": staff.phone_encrypted,
            "phone_masked": staff.phone_masked,
        },
        at=at,
    )
