"""Open311 GeoReport v2 over intake: the category catalogue as services, cases as
service requests (the tracking number is the service_request_id), their public status
from dispatch's and escalation's events."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.kit.pii import mask_email
from intake.cases import service as case_service
from intake.cases.models import Case
from intake.catalogue import service as catalogue
from intake.catalogue.models import Category
from intake.deps import IntakeRuntime
from intake.open311 import repository
from intake.open311.models import Open311Request
from intake.open311.schemas import (
    AttributeRead,
    DiscoveryRead,
    EndpointRead,
    RequestCreate,
    RequestCreated,
    RequestRead,
    ServiceDefinitionRead,
    ServiceRead,
)

# The internal statuses that Open311 shows as closed; every other one is open (a
# resolved case is still open until it is verified and closed: 核查结案).
CLOSED_STATUSES = ("closed", "evaluated", "merged", "withdrawn")
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 1000
MAX_PAGE = 1_000_000
_CJK = re.compile(r"[\u3400-\u9fff]")


class Open311Error(Exception):
    """A request Open311 refuses: the HTTP status and the errors to report."""

    def __init__(self, status_code: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status_code = status_code
        self.items = [(status_code, d) for d in descriptions]


def w3c(moment: datetime | None) -> str | None:
    """A W3C date-time in UTC with seconds, e.g. ``2026-11-21T09:30:00Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_w3c(name: str, value: str) -> datetime:
    # An unencoded "+" of an offset arrives as a space: take it for the "+" it was.
    value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value.strip())
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a W3C date-time, e.g. 2010-01-01T00:00:00Z"
        ) from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name} must include a time zone (Z or an offset)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Open311Error(400, f"{name} is out of range") from None


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _positive(name: str, value: str | None, default: int) -> int:
    if value is None or not value.strip():
        return default
    # isascii: "²" is a digit to isdigit(), not to int().
    if not (value.strip().isascii() and value.strip().isdigit()) or not 1 <= int(value) <= MAX_PAGE:
        raise Open311Error(400, f"{name} must be a whole number from 1 to {MAX_PAGE}")
    return int(value)


# ------------------------------------------------------------------------- services

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


async def discovery(
    *,
    session: AsyncSession,
    url: str,
    production: bool,
    contact: str,
    key_service: str,
    started: datetime,
) -> DiscoveryRead:
    """Service discovery: its changeset moves whenever the service list does."""
    changeset = w3c(await catalogue.last_change(session=session) or started) or ""
    return DiscoveryRead(
        changeset=changeset,
        contact=contact,
        key_service=key_service,
        endpoints=[
            EndpointRead(
                specification=SPECIFICATION,
                url=url,
                changeset=changeset,
                type="production" if production else "test",
                formats=["text/xml", "application/json"],
            )
        ],
    )


def group_of(code: str) -> str:
    """The first level of a category code: ``environment/garbage-overflow`` → ``environment``."""
    return code.split("/", 1)[0]


def keywords_of(category: Category) -> str:
    words = [group_of(category.code), *re.split(r"[/_-]+", category.code.split("/", 1)[-1])]
    words.append(category.name)
    return ", ".join(dict.fromkeys(w for w in words if w))


def _handled_by(category: Category, departments: dict[str, str]) -> str:
    if category.handler == "department" and category.department_code:
        return departments.get(category.department_code, category.department_code)
    return "the grid of the location (网格)"


def notice_of(category: Category | None, departments: dict[str, str]) -> str | None:
    if category is None:
        return None
    urgency = "an urgent" if category.priority == "urgent" else "an ordinary"
    return (
        f"Handled by {_handled_by(category, departments)} as {urgency} case, within its time "
        "limit (限时办结); expected_datetime shows the deadline once the case is assigned."
    )


def _attributes(category: Category, departments: dict[str, str]) -> list[AttributeRead]:
    """Informational only: gridcase needs nothing beyond the standard fields."""
    return [
        AttributeRead(
            variable=False,
            code="handled_by",
            datatype="string",
            required=False,
            datatype_description=None,
            order=1,
            description=f"{category.name}: handled by {_handled_by(category, departments)}.",
        )
    ]


async def services(*, session: AsyncSession) -> list[ServiceRead]:
    categories = await catalogue.categories(session=session)
    names = await catalogue.names(
        session=session,
        category_codes=[],
        department_codes=[c.department_code for c in categories],
        area_codes=[],
    )
    return [
        ServiceRead(
            service_code=c.code,
            service_name=c.name,
            description=f"{c.name}, handled by {_handled_by(c, names.departments)}.",
            metadata=bool(_attributes(c, names.departments)),
            type="realtime",
            keywords=keywords_of(c),
            group=group_of(c.code),
        )
        for c in categories
    ]


async def definition(*, session: AsyncSession, service_code: str) -> ServiceDefinitionRead:
    category = await catalogue.get_category(session=session, code=service_code)
    if category is None:
        raise Open311Error(404, f"service_code {service_code!r} was not found")
    names = await catalogue.names(
        session=session,
        category_codes=[],
        department_codes=[category.department_code],
        area_codes=[],
    )
    return ServiceDefinitionRead(
        service_code=category.code, attributes=_attributes(category, names.departments)
    )


# ------------------------------------------------------------------------- requests


def _reporter_name(first: str | None, last: str | None) -> str | None:
    if not first and not last:
        return None
    if _CJK.search(f"{first or ''}{last or ''}"):
        return f"{last or ''}{first or ''}"  # 姓 before 名
    return " ".join(p for p in (first, last) if p)


def fingerprint(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


async def submit(
    *,
    session: AsyncSession,
    runtime: IntakeRuntime,
    form: RequestCreate,
    api_key: str,
    correlation_id: str,
) -> RequestCreated:
    """Creates the case (``case.reported``, channel open311) and keeps the Open311 extras,
    in the caller's transaction."""
    category = await catalogue.get_category(session=session, code=form.service_code)
    if category is None:
        raise Open311Error(404, f"service_code {form.service_code!r} was not found")
    now = runtime.clock.now()
    report = case_service.Report(
        channel="open311",
        external_ref=None,
        reported_at=now,
        content=form.description or category.name,
        priority=category.priority,  # type: ignore[arg-type]
        category_hint=category.code,
        address=form.address_string,
        lat=form.lat,
        lon=form.lon,
        reporter_name=_reporter_name(form.first_name, form.last_name),
        reporter_phone=form.phone,
        attachments=(str(form.media_url),) if form.media_url else (),
    )
    case, _created = await case_service.report(
        session=session, runtime=runtime, report=report, correlation_id=correlation_id
    )
    await repository.add(
        session,
        {
            "case_id": case.id,
            "service_code": category.code,
            "address_id": form.address_id,
            "account_id": form.account_id,
            "email_enc": runtime.pii.encrypt(form.email) if form.email else None,
            "email_masked": mask_email(form.email) if form.email else None,
            "device_id_enc": runtime.pii.encrypt(form.device_id) if form.device_id else None,
            "api_key_fingerprint": fingerprint(api_key),
            "created_at": now,
        },
    )
    names = await catalogue.names(
        session=session,
        category_codes=[],
        department_codes=[category.department_code],
        area_codes=[],
    )
    return RequestCreated(
        service_request_id=case.tracking_no,
        service_notice=notice_of(category, names.departments),
        account_id=form.account_id,
    )


def agency_of(case: Case, names: catalogue.Names) -> str | None:
    """The department handling the case, else its grid, else its community."""
    if case.department_code:
        return names.departments.get(case.department_code, case.department_code)
    for code in (case.grid_code, case.community_code):
        if code:
            return names.areas.get(code, code)
    return None


# The status notes that only name the agency responsible (if known), and the fixed ones.
_AGENCY_NOTES = {
    "routed": ("Routed to {}.", "Waiting for a dispatcher to route it."),
    "assigned": ("Assigned to {}.", "Assigned."),
    "accepted": ("Being handled by {}.", "Being handled."),
    "transferred": ("Transferred to {}.", "Transferred."),
}
_FIXED_NOTES = {
    "reported": "Received; being routed to the unit responsible.",
    "returned": "Handed back to the dispatchers to be routed again.",
    "suspended": "Suspended for now (缓办).",
    "merged": "Merged into an earlier request about the same problem.",
    "withdrawn": "Withdrawn by the reporter.",
}


def status_notes(case: Case, agency: str | None) -> str | None:
    # Staff's resolution, closing and reopening notes may name residents: they are shown
    # only on requests sent through Open311; other channels' cases get the fixed text.
    public = case.channel == "open311"
    note = case.status_note if public else None
    if case.status in _AGENCY_NOTES:
        named, unnamed = _AGENCY_NOTES[case.status]
        return named.format(agency) if agency else unnamed
    match case.status:
        case "resolved":
            return f"Resolved, awaiting verification: {note}" if note else "Resolved."
        case "closed" | "evaluated":
            final = note or (case.resolution_note if public else None)
            return f"Closed: {final}" if final else "Closed."
        case "reopened":
            return f"Reopened: {note}" if note else "Reopened."
    return _FIXED_NOTES.get(case.status)


def _read(case: Case, extra: Open311Request | None, names: catalogue.Names) -> RequestRead:
    code = case.category_code or case.category_hint
    category = names.categories.get(code) if code else None
    agency = agency_of(case, names)
    # What the reporter wrote, where and their photo are public only for requests sent
    # through Open311; other channels' reports may hold personal details.
    public = case.channel == "open311"
    return RequestRead(
        service_request_id=case.tracking_no,
        status="closed" if case.status in CLOSED_STATUSES else "open",
        status_notes=status_notes(case, agency),
        service_name=category.name if category else None,
        service_code=code,
        description=case.content if public else None,
        agency_responsible=agency,
        service_notice=notice_of(category, names.departments),
        requested_datetime=w3c(case.reported_at) or "",
        updated_datetime=w3c(case.status_changed_at) or "",
        expected_datetime=w3c(case.expected_at),
        address=case.address if public else None,
        address_id=extra.address_id if extra else None,
        zipcode=None,
        lat=case.lat if public else None,
        long=case.lon if public else None,
        media_url=(case.attachments[0] if case.attachments else None) if public else None,
    )


async def _reads(session: AsyncSession, cases: Sequence[Case]) -> list[RequestRead]:
    extras = await repository.extras_of(session, [c.id for c in cases])
    names = await catalogue.names(
        session=session,
        category_codes=[c.category_code or c.category_hint for c in cases],
        department_codes=[c.department_code for c in cases],
        area_codes=[code for c in cases for code in (c.grid_code, c.community_code)],
    )
    return [_read(case, extras.get(case.id), names) for case in cases]


async def requests(
    *,
    session: AsyncSession,
    now: datetime,
    service_request_id: str | None,
    service_code: str | None,
    start_date: str | None,
    end_date: str | None,
    status: str | None,
    page: str | None = None,
    page_size: str | None = None,
) -> list[RequestRead]:
    """GET requests: ``service_request_id`` (comma-separated) overrides every other
    argument, and finds a case of any channel; otherwise requests sent through Open311
    within [start_date, end_date] (the last 90 days by default, at most 90 days), newest
    first, at most 1000 — or pages of ``page_size`` (the specification's pagination
    extension)."""
    ids = _csv(service_request_id)
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
        return await _reads(
            session, await case_service.by_tracking_nos(session=session, tracking_nos=ids)
        )

    statuses = {s.lower() for s in _csv(status)}
    unknown = statuses - {"open", "closed"}
    if unknown:
        raise Open311Error(400, f"status must be open or closed, not {', '.join(sorted(unknown))}")
    start, end = _window(start_date, end_date, now=now)
    size = _positive("page_size", page_size, MAX_RESULTS)
    if size > MAX_RESULTS:
        raise Open311Error(400, f"page_size must be at most {MAX_RESULTS}")
    number = _positive("page", page, 1)
    only = statuses.pop() if len(statuses) == 1 else None
    cases = await case_service.search(
        session=session,
        categories=_csv(service_code),
        start=start,
        end=end,
        statuses=CLOSED_STATUSES if only == "closed" else None,
        excluded_statuses=CLOSED_STATUSES if only == "open" else None,
        # The anonymous list names only requests sent through Open311: other channels'
        # tracking numbers are their residents' to share (looked up by id, above).
        channels=("open311",),
        limit=size,
        offset=(number - 1) * size,
    )
    return await _reads(session, cases)


def _window(
    start_date: str | None, end_date: str | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """[start, end] from the W3C dates given: the last 90 days by default, at most 90."""
    start = parse_w3c("start_date", start_date) if start_date else None
    end = parse_w3c("end_date", end_date) if end_date else None
    try:
        if start is None:
            end = end or now
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
    except OverflowError:
        raise Open311Error(400, "start_date or end_date is out of range") from None
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


async def request(*, session: AsyncSession, service_request_id: str) -> RequestRead:
    cases = await case_service.by_tracking_nos(session=session, tracking_nos=[service_request_id])
    if not cases:
        raise Open311Error(404, f"service_request_id {service_request_id!r} was not found")
    return (await _reads(session, cases))[0]


def check_api_key(api_key: str | None, keys: Sequence[str]) -> str:
    """The key if it is one of GRIDCASE_OPEN311_API_KEYS (compared in constant time)."""
    if not api_key:
        raise Open311Error(403, "api_key was not provided -- can't proceed with create_request")
    if not any(hmac.compare_digest(api_key.encode(), k.encode()) for k in keys):
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request")
    return api_key


def validation_errors(errors: Sequence[dict[str, Any]]) -> list[str]:
    """Pydantic's errors as Open311 error descriptions, one per problem."""
    out = []
    for error in errors:
        field = ".".join(str(p) for p in error["loc"])
        if error["type"] == "missing":
            out.append(f"{field} was not provided")
        elif field:
            out.append(f"{field}: {error['msg']}")
        else:
            out.append(str(error["msg"]).removeprefix("Value error, "))
    return out
