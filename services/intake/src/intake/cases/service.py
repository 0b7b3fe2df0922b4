"""Taking a report in: store it once, and announce it with `case.reported`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from prometheus_client import Counter

from gridcase_events import payloads
from gridcase_events.envelope import new_id
from gridcase_events.kit import db
from gridcase_events.kit.pii import mask_name, mask_phone, normalize_phone
from gridcase_events.kit.runtime import Runtime
from intake.cases import repository
from intake.cases.models import Case
from intake.cases.schemas import CaseStatusRead, StepRead
from intake.merge import service as merge_service

log = structlog.get_logger(__name__)

REPORTS = Counter(
    "gridcase_intake_reports_total",
    "Reports taken in, by channel and outcome (created, merged, repeat)",
    ["channel", "outcome"],
)

# Crockford base32 without I, L, O, U: easy to read out over the phone.
_TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# The public status each dispatch event sets.
PUBLIC_STATUS = {
    "case.routed": "routed",
    "case.assigned": "assigned",
    "case.accepted": "accepted",
    "case.returned": "returned",
    "case.transferred": "transferred",
    "case.resolved": "resolved",
    "case.closed": "closed",
    "case.reopened": "reopened",
    "case.evaluated": "evaluated",
    "case.suspended": "suspended",
    "case.resumed": "accepted",
}


def new_tracking_no(now: datetime) -> str:
    suffix = "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(6))
    return f"GC-{now:%Y%m%d}-{suffix}"


@dataclass(frozen=True)
class Report:
    """A demand from any channel, validated at the edge."""

    channel: payloads.Channel
    external_ref: str | None
    reported_at: datetime
    content: str
    priority: payloads.Priority
    category_hint: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    attachments: tuple[str, ...] = ()


async def report(
    *, session: Any, runtime: Runtime, report: Report, correlation_id: str, merge: bool = True
) -> tuple[Case, bool]:
    """Stores the report as a new case and announces it, in the caller's transaction.
    Returns the case and whether it is new: a repeat of the same (channel, external_ref)
    returns the original case and changes nothing.

    A new report that duplicates an open case (same category — the catalogue's code
    the hint names, by code or name, else the hint compared loosely — within
    ``INTAKE_MERGE_DISTANCE_M`` or at the same normalised address, within
    ``INTAKE_MERGE_WINDOW_HOURS``) still gets its own case and tracking number, but is
    announced with `case.merged` instead of `case.reported`, so it is not dispatched
    again; ``case.duplicate_of_tracking_no`` then names the case it joined. `merge`
    False (or ``INTAKE_MERGE_ENABLED=false``) turns that off for this report."""
    if report.external_ref is not None:
        existing = await repository.get_by_external_ref(
            session, channel=report.channel, external_ref=report.external_ref
        )
        if existing is not None:
            REPORTS.labels(report.channel, "repeat").inc()
            return existing, False

    now = runtime.clock.now()
    settings = runtime.settings
    category = await merge_service.category_key(session=session, hint=report.category_hint)
    category_norm = category.norm
    address_norm = merge_service.normalize_address(report.address)
    match: merge_service.Match | None = None
    if merge and getattr(settings, "merge_enabled", False) and category_norm is not None:
        match = await merge_service.find_duplicate(
            session=session,
            category_norm=category_norm,
            reported_at=report.reported_at,
            lat=report.lat,
            lon=report.lon,
            address_norm=address_norm,
            max_distance_m=float(getattr(settings, "merge_distance_m", 100.0)),
            window=timedelta(hours=float(getattr(settings, "merge_window_hours", 72.0))),
        )

    pii = runtime.pii
    phone = normalize_phone(report.reporter_phone) if report.reporter_phone else None
    for _ in range(5):
        case_id = new_id()
        values = {
            "id": case_id,
            "tracking_no": new_tracking_no(now),
            "channel": report.channel,
            "external_ref": report.external_ref,
            "content": report.content,
            "category_hint": report.category_hint,
            "priority": report.priority,
            "address": report.address,
            "lat": report.lat,
            "lon": report.lon,
            "reporter_name_enc": pii.encrypt(report.reporter_name)
            if report.reporter_name
            else None,
            "reporter_phone_enc": pii.encrypt(phone) if phone else None,
            "reporter_phone_masked": mask_phone(phone) if phone else None,
            "attachments": list(report.attachments),
            "reported_at": report.reported_at,
            "correlation_id": correlation_id,
            "status": "merged" if match else "reported",
            "status_version": 0,
            "status_changed_at": now,
            "category_norm": category_norm,
            "address_norm": address_norm,
            "duplicate_of": match.case.id if match else None,
            "duplicate_of_tracking_no": match.case.tracking_no if match else None,
        }
        if await repository.insert_if_new(session, values):
            break
        if report.external_ref is not None:
            # A concurrent request with the same key committed first.
            existing = await repository.get_by_external_ref(
                session, channel=report.channel, external_ref=report.external_ref
            )
            if existing is not None:
                REPORTS.labels(report.channel, "repeat").inc()
                return existing, False
        # Otherwise the random tracking number collided: draw another.
    else:
        raise RuntimeError("could not allocate a tracking number")

    case = await repository.get(session, case_id)
    assert case is not None
    reporter = (
        payloads.Contact(
            name_masked=mask_name(report.reporter_name) if report.reporter_name else None,
            phone_masked=case.reporter_phone_masked,
            phone_encrypted=case.reporter_phone_enc,
        )
        if report.reporter_name or phone
        else None
    )
    event: payloads.CaseReported | payloads.CaseMerged
    if match is not None:
        event = payloads.CaseMerged(
            case_id=case.id,
            tracking_no=case.tracking_no,
            channel=report.channel,
            external_ref=report.external_ref,
            duplicate_of=match.case.id,
            duplicate_of_tracking_no=match.case.tracking_no,
            # The catalogue's code of the hint, else dispatch's code of the first case.
            category_code=category.code or match.case.category_code,
            reason=match.reason,
            distance_m=match.distance_m,
            reporter=reporter,
            merged_at=now,
        )
        log.info(
            "report merged into an open case",
            case_id=str(case.id),
            duplicate_of=str(match.case.id),
            reason=match.reason,
        )
    else:
        event = payloads.CaseReported(
            case_id=case.id,
            tracking_no=case.tracking_no,
            channel=report.channel,
            external_ref=report.external_ref,
            reported_at=report.reported_at,
            content=report.content,
            category_hint=report.category_hint,
            priority=report.priority,
            address=report.address,
            location=(
                payloads.GeoPoint(lat=report.lat, lon=report.lon)
                if report.lat is not None and report.lon is not None
                else None
            ),
            reporter=reporter,
            attachments=list(report.attachments),
        )
    await runtime.emit(session, event, subject=str(case.id), correlation_id=correlation_id)
    # Counted once stored: a batch rolled back counts nothing.
    db.on_commit(session, REPORTS.labels(report.channel, "merged" if match else "created").inc)
    return case, True


async def project_status(
    *, session: Any, event_type: str, case: payloads.CaseRef, at: datetime
) -> None:
    """Applies a dispatch event to the public status view."""
    values: dict[str, Any] = {
        "status": PUBLIC_STATUS[event_type],
        "status_changed_at": at,
        "category_code": case.category_code,
        "status_note": public_note(event_type, case),
    }
    for field in ("grid_code", "department_code", "community_code"):
        if field in type(case).model_fields:
            values[field] = getattr(case, field)
    if isinstance(case, payloads.CaseResolved):
        values["resolution_note"] = case.note
    elif isinstance(case, payloads.CaseReopened):
        values["resolution_note"] = None
    await repository.advance_status(
        session, case_id=case.case_id, version=case.case_version, values=values
    )
    await repository.add_step(
        session,
        case_id=case.case_id,
        version=case.case_version,
        status=values["status"],
        at=at,
        note=values["status_note"],
    )


async def public_status(*, session: Any, tracking_no: str) -> CaseStatusRead | None:
    """A case's public status by tracking number (no personal data); a duplicate
    follows the progress of the case it was merged into."""
    case = await repository.get_by_tracking_no(session, tracking_no)
    if case is None:
        return None
    primary = await repository.get(session, case.duplicate_of) if case.duplicate_of else None
    followed = primary or case
    steps = [
        StepRead(status=s.status, at=s.at, note=s.note)
        for s in await repository.steps(session, followed.id)
    ]
    if primary is None:
        return CaseStatusRead.model_validate(case).model_copy(update={"steps": steps})
    return CaseStatusRead(
        tracking_no=case.tracking_no,
        status=primary.status,
        channel=case.channel,
        reported_at=case.reported_at,
        status_changed_at=max(primary.status_changed_at, case.status_changed_at),
        merged_into=primary.tracking_no,
        status_note=primary.status_note,
        expected_at=primary.expected_at,
        steps=steps,
    )


def public_note(event_type: str, case: payloads.CaseRef) -> str | None:
    """What a dispatch event says that the public may read: the resolver's and closer's
    notes and a reopening's reason; never a return's or transfer's internal reason."""
    if isinstance(case, payloads.CaseResolved):
        return case.note
    if isinstance(case, payloads.CaseClosed):
        return case.note
    if isinstance(case, payloads.CaseReopened):
        return case.reason
    return None


async def project_deadline(*, session: Any, clock: payloads.SlaClockStarted) -> None:
    """Keeps the resolution clock's deadline as the case's expected completion time."""
    if clock.clock != "resolution":
        return
    await repository.advance_expected(
        session,
        case_id=clock.case_id,
        generation=clock.generation,
        changed_at=clock.changed_at,
        expected_at=clock.due_at,
    )
