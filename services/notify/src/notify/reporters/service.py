"""The residents of each case (a projection of intake's events)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from notify.reporters import repository
from notify.reporters.models import OwedNotice


async def on_reported(
    *, session: AsyncSession, reported: payloads.CaseReported, at: datetime
) -> list[OwedNotice]:
    """Records the case's reporter, under the case's lock; returns the progress the
    case made before (its owed notices, :func:`repository.add_locked`)."""
    reporter = reported.reporter
    return await repository.add_locked(
        session,
        {
            "case_id": reported.case_id,
            "report_id": reported.case_id,
            "tracking_no": reported.tracking_no,
            "channel": reported.channel,
            "external_ref": reported.external_ref,
            "phone_enc": reporter.phone_encrypted if reporter else None,
            "phone_masked": reporter.phone_masked if reporter else None,
            "recorded_at": at,
        },
    )


async def on_merged(
    *, session: AsyncSession, merged: payloads.CaseMerged, at: datetime
) -> list[OwedNotice]:
    """The duplicate's reporter now hears of the case it was merged into; returns the
    progress that case made before (its owed notices)."""
    reporter = merged.reporter
    return await repository.add_locked(
        session,
        {
            "case_id": merged.duplicate_of,
            "report_id": merged.case_id,
            "tracking_no": merged.tracking_no,
            "channel": merged.channel,
            "external_ref": merged.external_ref,
            "phone_enc": reporter.phone_encrypted if reporter else None,
            "phone_masked": reporter.phone_masked if reporter else None,
            "recorded_at": at,
        },
    )
