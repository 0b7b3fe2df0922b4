"""Taking a report in: store it once, and announce it with `case.reported`."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.areas import district_of
from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import db
from gridcase_events.kit.auth import Principal, can_see
from gridcase_events.kit.pii import mask_name, mask_phone, normalize_phone
from intake.cases import repository
from intake.cases.models import Case
from intake.cases.schemas import CaseStatusRead, StepRead
from intake.catalogue import service as catalogue_service
from intake.deps import IntakeRuntime
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
    # 32 letters: the low 5 bits of a random byte pick one uniformly (256 = 8 × 32).
    suffix = "".join(_TRACKING_ALPHABET[b & 31] for b in secrets.token_bytes(6))
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
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    report: Report,
    correlation_id: str,
    merge: bool = True,
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
    # A repeat is found by the insert below (its unique (channel, external_ref)), not
    # looked up first: a round trip saved on every new report, the common case.
    settings = runtime.settings
    address_norm = merge_service.normalize_address(report.address)
    category, searching = await _category_and_locks(
        session=session,
        runtime=runtime,
        report=report,
        address_norm=address_norm,
        merge=merge and settings.merge_enabled,
    )
    values = _case_values(
        runtime, report, correlation_id=correlation_id, match=None, address_norm=address_norm
    )
    values["category_norm"] = category.norm
    # The district the case is reported in, until dispatch places it (then its events'
    # tenant says): the envelope's tenant too (docs/adr/0005-districts-side-by-side.md).
    values["district_code"] = settings.tenant
    match = None
    if searching:
        stored, match = await _stored_unless_open(session, runtime, report, values, category)
        if stored is not None:
            return stored
    case, created = await _insert_announced(
        session, runtime, report, values, category=category, match=match
    )
    if not created:
        return case, False  # a concurrent repeat committed first
    if match is not None:
        log.info(
            "report merged into an open case",
            case_id=str(case.id),
            duplicate_of=str(match.case.id),
            reason=match.reason,
        )
    _count(session, report, match)
    return case, True


def _count(session: AsyncSession, report: Report, match: merge_service.Match | None) -> None:
    # Counted once stored: a batch rolled back counts nothing.
    db.on_commit(session, REPORTS.labels(report.channel, "merged" if match else "created").inc)


async def _category_and_locks(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    report: Report,
    address_norm: str | None,
    merge: bool,
) -> tuple[merge_service.CategoryKey, bool]:
    """The report's category key, and whether it is to look for the open case it
    duplicates (`merge`, a category hint, and a point or an address): then its merge
    locks are held, taken in the same statement that finds its category."""
    hint = report.category_hint
    fallback = merge_service.normalize_category(hint)
    if not merge or not hint or not hint.strip() or fallback is None:
        return await merge_service.category_key(session=session, hint=hint), False
    if (report.lat is None or report.lon is None) and address_norm is None:
        return await merge_service.category_key(session=session, hint=hint), False
    code = await repository.category_locking_places(
        session,
        hint=hint,
        loose=catalogue_service.loose(hint),
        fallback=fallback,
        places=merge_service.place_keys(
            lat=report.lat,
            lon=report.lon,
            address_norm=address_norm,
            max_distance_m=runtime.settings.merge_distance_m,
        ),
    )
    return merge_service.CategoryKey(norm=code or fallback, code=code), True


async def _stored_unless_open(
    session: AsyncSession,
    runtime: IntakeRuntime,
    report: Report,
    values: dict[str, Any],
    category: merge_service.CategoryKey,
) -> tuple[tuple[Case, bool] | None, merge_service.Match | None]:
    """The search for open cases of the report's category and place, its locks held,
    and the new case with its `case.reported` stored in the same statement when there
    are none (the common case: one round trip). Returns what :func:`report` returns
    when that settled it (stored, or a repeat of its external_ref); else None and the
    open case it duplicates by the merge rules, if any, for the caller to store."""
    settings = runtime.settings
    case, event = _drawn(runtime, report, values, category=category, match=None)
    window = timedelta(hours=settings.merge_window_hours)
    lat, lon = report.lat, report.lon
    stored, candidates = await repository.insert_announced_unless_open(
        session,
        values,
        event,
        since=report.reported_at - window,
        until=report.reported_at + window,
        near=(lat, lon, settings.merge_distance_m) if lat is not None and lon is not None else None,
    )
    if stored:
        _count(session, report, None)
        return (case, True), None
    if not candidates:
        # Not stored and nothing open: its external_ref (or the tracking number) is taken.
        existing = await _repeat_of(session, report)
        return ((existing, False) if existing is not None else None), None
    match = merge_service.best_match(
        candidates,
        lat=lat,
        lon=lon,
        address_norm=values["address_norm"],
        max_distance_m=settings.merge_distance_m,
    )
    if match is not None:
        values.update(
            status="merged",
            duplicate_of=match.case.id,
            duplicate_of_tracking_no=match.case.tracking_no,
        )
    return None, match


async def lock_for_merging(
    *, session: AsyncSession, runtime: IntakeRuntime, reports: Sequence[Report]
) -> None:
    """Takes the merge locks of all of `reports` at once, in one sorted order, before a
    transaction stores several of them (a hotline batch). Taken report by report, in
    the order they came, two batches holding the same places in opposite orders would
    each wait for the other (issue 16, finding 7); the locks each report then takes
    again are already held."""
    settings = runtime.settings
    if not settings.merge_enabled:
        return
    categories: dict[str | None, str | None] = {}
    keys: list[str] = []
    for report in reports:
        if report.category_hint not in categories:
            key = await merge_service.category_key(session=session, hint=report.category_hint)
            categories[report.category_hint] = key.norm
        category_norm = categories[report.category_hint]
        if category_norm is None:
            continue
        keys += merge_service.lock_keys(
            category_norm=category_norm,
            lat=report.lat,
            lon=report.lon,
            address_norm=merge_service.normalize_address(report.address),
            max_distance_m=settings.merge_distance_m,
        )
    await repository.lock_for_merge(session, keys)


async def _repeat_of(session: AsyncSession, report: Report) -> Case | None:
    """The case already stored for the report's (channel, external_ref), if any."""
    if report.external_ref is None:
        return None
    existing = await repository.get_by_external_ref(
        session, channel=report.channel, external_ref=report.external_ref
    )
    if existing is not None:
        REPORTS.labels(report.channel, "repeat").inc()
    return existing


def _case_values(
    runtime: IntakeRuntime,
    report: Report,
    *,
    correlation_id: str,
    match: merge_service.Match | None,
    address_norm: str | None,
) -> dict[str, Any]:
    """The new case's row (without its tracking number), personal data encrypted."""
    now = runtime.clock.now()
    pii = runtime.pii
    phone = normalize_phone(report.reporter_phone) if report.reporter_phone else None
    return {
        "id": new_id(),
        "channel": report.channel,
        "external_ref": report.external_ref,
        "content": report.content,
        "category_hint": report.category_hint,
        "priority": report.priority,
        "address": report.address,
        "lat": report.lat,
        "lon": report.lon,
        "reporter_name_enc": pii.encrypt(report.reporter_name) if report.reporter_name else None,
        "reporter_phone_enc": pii.encrypt(phone) if phone else None,
        "reporter_phone_masked": mask_phone(phone) if phone else None,
        "attachments": list(report.attachments),
        "reported_at": report.reported_at,
        "correlation_id": correlation_id,
        "status": "merged" if match else "reported",
        "status_version": 0,
        "status_changed_at": now,
        "address_norm": address_norm,
        "duplicate_of": match.case.id if match else None,
        "duplicate_of_tracking_no": match.case.tracking_no if match else None,
    }


async def _insert_announced(
    session: AsyncSession,
    runtime: IntakeRuntime,
    report: Report,
    values: dict[str, Any],
    *,
    category: merge_service.CategoryKey,
    match: merge_service.Match | None,
) -> tuple[Case, bool]:
    """Inserts the case under a fresh tracking number (drawn again on a collision) with
    its announcement, in one statement. Returns it and True, or the case a concurrent
    request with the same external_ref stored and False (no event written then)."""
    for _ in range(5):
        case, event = _drawn(runtime, report, values, category=category, match=match)
        if await repository.insert_announced(session, values, event):
            return case, True
        existing = await _repeat_of(session, report)
        if existing is not None:
            return existing, False
        # Otherwise the random tracking number collided: draw another.
    raise RuntimeError("could not allocate a tracking number")


def _drawn(
    runtime: IntakeRuntime,
    report: Report,
    values: dict[str, Any],
    *,
    category: merge_service.CategoryKey,
    match: merge_service.Match | None,
) -> tuple[Case, Envelope]:
    """A fresh tracking number drawn into `values`, and the case as it is to be stored
    (the server's defaults aside: what the callers and the event read) with its event."""
    values["tracking_no"] = new_tracking_no(values["status_changed_at"])
    case = Case(**values)
    event = runtime.event(
        _announcement(
            case, report, category=category, match=match, now=values["status_changed_at"]
        ),
        subject=str(case.id),
        correlation_id=values["correlation_id"],
        tenant=case.district_code,
    )
    return case, event


def _announcement(
    case: Case,
    report: Report,
    *,
    category: merge_service.CategoryKey,
    match: merge_service.Match | None,
    now: datetime,
) -> payloads.CaseReported | payloads.CaseMerged:
    """`case.merged` for a duplicate, else `case.reported`."""
    reporter = (
        payloads.Contact(
            name_masked=mask_name(report.reporter_name) if report.reporter_name else None,
            phone_masked=case.reporter_phone_masked,
            phone_encrypted=case.reporter_phone_enc,
        )
        if report.reporter_name or case.reporter_phone_enc
        else None
    )
    if match is not None:
        return payloads.CaseMerged(
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
    return payloads.CaseReported(
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


async def find_duplicate(
    *,
    session: AsyncSession,
    category_norm: str,
    reported_at: datetime,
    lat: float | None,
    lon: float | None,
    address_norm: str | None,
    max_distance_m: float,
    window: timedelta,
) -> merge_service.Match | None:
    """The open case (not itself merged) of the same category that a report at
    `reported_at` duplicates, by the merge rules (``intake.merge.service``). Takes
    transaction-scoped locks on the report's cells and address first
    (``merge_service.lock_keys``), so that two near-simultaneous duplicates cannot both
    become new cases — the second waits for the first to commit and then finds it —
    while reports of the same category elsewhere go on at once."""
    if (lat is None or lon is None) and address_norm is None:
        return None
    await repository.lock_for_merge(
        session,
        merge_service.lock_keys(
            category_norm=category_norm,
            lat=lat,
            lon=lon,
            address_norm=address_norm,
            max_distance_m=max_distance_m,
        ),
    )
    return await _open_match(
        session=session,
        category_norm=category_norm,
        reported_at=reported_at,
        lat=lat,
        lon=lon,
        address_norm=address_norm,
        max_distance_m=max_distance_m,
        window=window,
    )


async def _open_match(
    *,
    session: AsyncSession,
    category_norm: str,
    reported_at: datetime,
    lat: float | None,
    lon: float | None,
    address_norm: str | None,
    max_distance_m: float,
    window: timedelta,
) -> merge_service.Match | None:
    """The search of :func:`find_duplicate`, its locks already held."""
    candidates = await repository.open_candidates(
        session,
        category_norm=category_norm,
        since=reported_at - window,
        until=reported_at + window,
        near=(lat, lon, max_distance_m) if lat is not None and lon is not None else None,
        address_norm=address_norm,
    )
    return merge_service.best_match(
        candidates,
        lat=lat,
        lon=lon,
        address_norm=address_norm,
        max_distance_m=max_distance_m,
    )


def project_status(
    *,
    session: AsyncSession,
    event_type: str,
    case: payloads.CaseRef,
    at: datetime,
    tenant: str | None = None,
) -> None:
    """Applies a dispatch event to the public status view; `tenant`: the district the
    event says the case belongs to. Written when the transaction commits: a consumer
    run's events in one step insert and one status update per case
    (:func:`intake.cases.repository.advance_status`)."""
    values: dict[str, Any] = {
        "status": PUBLIC_STATUS[event_type],
        "status_changed_at": at,
        "category_code": case.category_code,
        "status_note": public_note(event_type, case),
    }
    for field in ("grid_code", "department_code", "community_code"):
        if field in type(case).model_fields:
            values[field] = getattr(case, field)
    if tenant is not None:
        values["district_code"] = tenant
    if isinstance(case, payloads.CaseResolved):
        values["resolution_note"] = case.note
    elif isinstance(case, payloads.CaseReopened):
        values["resolution_note"] = None
    repository.advance_status(
        session, case_id=case.case_id, version=case.case_version, values=values
    )
    repository.add_step(
        session,
        case_id=case.case_id,
        version=case.case_version,
        status=values["status"],
        at=at,
        note=values["status_note"],
    )


async def public_status(*, session: AsyncSession, tracking_no: str) -> CaseStatusRead | None:
    """A case's public status by tracking number (no personal data); a duplicate
    follows the progress of the case it was merged into."""
    case = await repository.get_by_tracking_no(session, tracking_no)
    if case is None:
        return None
    primary = await repository.get(session, case.duplicate_of) if case.duplicate_of else None
    followed = primary or case
    # Staff's notes may name residents: shown only on a request sent through Open311 (as
    # the Open311 view does), and never to a merged reporter (they are the other case's).
    notes = case.channel == "open311" and primary is None
    steps = [
        StepRead(status=s.status, at=s.at, note=s.note if notes else None)
        for s in await repository.steps(session, followed.id)
    ]
    if primary is None:
        return CaseStatusRead.model_validate(case).model_copy(
            update={"steps": steps, "status_note": case.status_note if notes else None}
        )
    return CaseStatusRead(
        tracking_no=case.tracking_no,
        status=primary.status,
        channel=case.channel,
        reported_at=case.reported_at,
        status_changed_at=max(primary.status_changed_at, case.status_changed_at),
        merged_into=primary.tracking_no,
        status_note=None,
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


def project_deadline(*, session: AsyncSession, clock: payloads.SlaClockStarted) -> None:
    """Keeps the resolution clock's deadline as the case's expected completion time
    (written when the transaction commits, once per case for a consumer run)."""
    if clock.clock != "resolution":
        return
    repository.advance_expected(
        session,
        case_id=clock.case_id,
        generation=clock.generation,
        changed_at=clock.changed_at,
        expected_at=clock.due_at,
    )


async def tracking_numbers(*, session: AsyncSession, case_ids: list[UUID]) -> dict[UUID, str]:
    """The cases' tracking numbers, in the order they were reported."""
    return await repository.tracking_numbers(session, case_ids)


async def by_tracking_nos(*, session: AsyncSession, tracking_nos: list[str]) -> list[Case]:
    """The cases with these tracking numbers, newest first."""
    return await repository.by_tracking_nos(session, tracking_nos)


async def holding_attachment(
    *, session: AsyncSession, url: str, case_ids: Collection[UUID]
) -> list[Case]:
    """The cases an attachment belongs to: those whose report carries its URL and the
    cases `case_ids` (e.g. resolutions that gave it as evidence), each with the case it
    was merged into (whose handlers see the duplicate's report)."""
    cases = await repository.holding(session, attachment_url=url, case_ids=case_ids)
    primaries = {c.duplicate_of for c in cases if c.duplicate_of is not None}
    primaries -= {c.id for c in cases}
    if primaries:
        cases += await repository.holding(session, attachment_url=url, case_ids=primaries)
    return cases


def readable_by(principal: Principal, case: Case) -> bool:
    """Whether the case lies in the principal's scope, by the rule dispatch reads a case
    by (``dispatch.workflow.rules.sees``): its area is its grid, else its community; its
    district that area's, else the one dispatch's events named."""
    area = case.grid_code or case.community_code
    return can_see(
        principal,
        grid_code=area,
        department_code=case.department_code,
        district_code=district_of(area) or case.district_code,
    )


async def get(*, session: AsyncSession, case_id: UUID) -> Case | None:
    return await repository.get(session, case_id)


async def with_duplicates(*, session: AsyncSession, case_id: UUID) -> list[Case]:
    """The case and the duplicates merged into it (their reports are its too), in the
    order they were reported."""
    return await repository.with_duplicates(session, case_id)


async def attachments_carried(*, session: AsyncSession, urls: Collection[str]) -> set[str]:
    """The attachment URLs among `urls` that some case's report carries."""
    return await repository.carried(session, urls)


async def search(
    *,
    session: AsyncSession,
    categories: Collection[str],
    start: datetime,
    end: datetime,
    statuses: Collection[str] | None = None,
    excluded_statuses: Collection[str] | None = None,
    channels: Collection[str] | None = None,
    limit: int,
    offset: int = 0,
) -> list[Case]:
    """Cases reported in [start, end], newest first, a page at a time; only of these
    `channels`, when given."""
    return await repository.search(
        session,
        categories=categories,
        start=start,
        end=end,
        statuses=statuses,
        excluded_statuses=excluded_statuses,
        channels=channels,
        limit=limit,
        offset=offset,
    )
