"""Payload schemas of every event type, registered with their versions.

These are the contract between the services (docs/architecture.md). Events carry what their
consumers need, so that a consumer that sees `case.assigned` before `case.reported`
can still act. Residents' phone numbers never travel in plaintext: events carry the
masked form and, where notify must reach the person, a ciphertext under
``GRIDCASE_PII_KEY``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridcase_events.registry import event_type

Channel = Literal["hotline", "wish_wall", "patrol", "visit", "open311"]
Priority = Literal["urgent", "normal"]
RouteTarget = Literal["grid", "community", "department", "triage"]
RouteMethod = Literal[
    "category_department", "point_in_polygon", "gazetteer", "community_name", "unplaceable"
]
Post = Literal["A", "B", "leader", "station", "operator"]
StaffRole = Literal[
    "grid_member",
    "grid_leader",
    "station_master",
    "street_officer",
    "district_center",
    "city_center",
    "department_operator",
    "dispatcher",
    "ops",
    "admin",
]
AreaLevel = Literal["district", "street", "community", "grid"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GeoPoint(_Payload):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Contact(_Payload):
    """A person's contact as events may carry it: masked, plus ciphertext for notify."""

    name_masked: str | None = None
    phone_masked: str | None = None
    phone_encrypted: str | None = Field(
        default=None, description="Fernet token under GRIDCASE_PII_KEY; only notify decrypts it"
    )


# ----------------------------------------------------------------------------- intake


@event_type("case.reported", 1)
class CaseReported(_Payload):
    case_id: UUID
    tracking_no: str
    channel: Channel
    external_ref: str | None = Field(default=None, description="e.g. the 12345 ticket_no")
    reported_at: AwareDatetime
    content: str
    category_hint: str | None = None
    priority: Priority
    address: str | None = None
    location: GeoPoint | None = None
    reporter: Contact | None = None
    attachments: list[str] = Field(default_factory=list)


@event_type("case.merged", 1)
class CaseMerged(_Payload):
    """A new report duplicates an open case (same category, near or at the same address):
    it is folded into that case instead of being dispatched again. Its reporter then hears
    of the first case's progress."""

    case_id: UUID = Field(description="the duplicate (the new report)")
    tracking_no: str
    channel: Channel
    external_ref: str | None = None
    duplicate_of: UUID = Field(description="the open case it was merged into")
    duplicate_of_tracking_no: str
    category_code: str | None = None
    reason: str = Field(description="why: the distance or the shared address")
    distance_m: float | None = Field(default=None, ge=0)
    reporter: Contact | None = None
    merged_at: AwareDatetime


@event_type("case.withdrawn", 1)
class CaseWithdrawn(_Payload):
    """The reporter (or the hotline) withdrew the demand before it was closed."""

    case_id: UUID
    tracking_no: str
    channel: Channel
    external_ref: str | None = None
    reason: str
    withdrawn_at: AwareDatetime


@event_type("case.supplemented", 1)
class CaseSupplemented(_Payload):
    """More information about a case arrived after it was reported (补充材料)."""

    case_id: UUID
    tracking_no: str
    channel: Channel
    external_ref: str | None = None
    content: str | None = None
    attachments: list[str] = Field(default_factory=list)
    supplemented_at: AwareDatetime


@event_type("patrol.ended", 1)
class PatrolEnded(_Payload):
    """A grid member's patrol session (巡查) ended. Carries the practice it is judged by
    (intake's settings), so a consumer counts a day as met exactly as intake's own
    compliance report does: at least ``min_sessions_per_day`` sessions of at least
    ``min_session_minutes`` that started on that local ``day``. The subject (key) is
    the session's id."""

    session_id: UUID
    staff_id: str
    staff_role: StaffRole = Field(description="grid_member or grid_leader: who patrols")
    grid_code: str
    started_at: AwareDatetime
    ended_at: AwareDatetime
    minutes: int = Field(ge=0)
    day: date = Field(description="the local day (the practice's time zone) of its start")
    qualifying: bool = Field(description="minutes >= min_session_minutes")
    min_sessions_per_day: int = Field(ge=1)
    min_session_minutes: int = Field(ge=1)


@event_type("visit.recorded", 1)
class VisitRecorded(_Payload):
    """A household visit (入户走访) recorded by a grid member. No address, household or
    notes: consumers count visits, the household file stays in intake. The subject
    (key) is the visit's id."""

    visit_id: UUID
    staff_id: str
    staff_role: StaffRole = Field(description="grid_member or grid_leader: who visits")
    grid_code: str
    visited_at: AwareDatetime


# --------------------------------------------------------------------------- dispatch


class Owner(_Payload):
    """A unit and the person in it who accepted a case (首问负责制: the first one stays
    accountable until another owner has accepted)."""

    unit: Literal["grid", "community", "department"]
    code: str
    staff_id: str


class CaseRef(_Payload):
    case_id: UUID
    tracking_no: str
    category_code: str | None
    priority: Priority
    channel: Channel
    external_ref: str | None = None
    case_version: int = Field(
        default=1,
        ge=1,
        description="dispatch's version of the case after this event; orders events across topics",
    )
    first_owner: Owner | None = None


@event_type("case.routed", 1)
class CaseRouted(CaseRef):
    target: RouteTarget
    method: RouteMethod
    grid_code: str | None = None
    community_code: str | None = Field(
        default=None, description="when only the community is known (its station dispatches)"
    )
    department_code: str | None = None
    reason: str


@event_type("case.assigned", 1)
class CaseAssigned(CaseRef):
    assignee_id: str
    assignee_role: StaffRole
    post: Post
    reason: str = Field(description="why this person: which post was used and why")
    grid_code: str | None = None
    community_code: str | None = None
    department_code: str | None = None
    summary: str = Field(max_length=200)
    assigned_at: AwareDatetime


class _CaseAction(CaseRef):
    """A workflow action on a case: who did it, when, and where the case now is."""

    actor_id: str
    actor_role: StaffRole
    at: AwareDatetime
    grid_code: str | None = None
    community_code: str | None = None
    department_code: str | None = None
    assignee_id: str | None = None


@event_type("case.accepted", 1)
class CaseAccepted(_CaseAction):
    """签收: the assignee signs for the case."""


@event_type("case.contacted", 1)
class CaseContacted(_CaseAction):
    """The assignee has made first contact with the resident (首次联系)."""

    note: str | None = None


@event_type("case.returned", 1)
class CaseReturned(_CaseAction):
    """退单: handed back to the dispatchers' triage queue, with a reason."""

    reason: str
    returns: int = Field(ge=1, description="how many times this case has been returned")
    from_grid_code: str | None = None
    from_department_code: str | None = None


@event_type("case.transferred", 1)
class CaseTransferred(_CaseAction):
    """转派: moved to another grid or department; the receiver must accept it."""

    reason: str
    transfers: int = Field(ge=1)
    from_grid_code: str | None = None
    from_department_code: str | None = None


@event_type("case.dispatched", 1)
class CaseDispatched(_CaseAction):
    """A hand-off by the operators' case API, by ``kind``: 派遣 (``dispatch``) — a
    dispatcher (or the district centre) sends a case from triage, returned or waiting in
    a unit's queue to a grid, a community's station or a department; 改派
    (``reassign``) — another person of the same unit; ``claim`` — an operator takes an
    unassigned case of their department. The person follows as ``case.assigned``
    (``assignee_id`` names them; none: the case waits in the unit's queue).
    ``grid_code`` / ``community_code`` / ``department_code`` say where it now is,
    ``from_grid_code`` / ``from_department_code`` the unit a dispatch took it out of."""

    kind: Literal["dispatch", "reassign", "claim"] = "dispatch"
    target: Literal["grid", "community", "department"]
    reason: str
    from_status: str
    named_assignee_id: str | None = Field(
        default=None, description="the person the dispatcher chose, if any"
    )
    previous_assignee_id: str | None = None
    from_grid_code: str | None = Field(
        default=None, description="the grid or community a dispatch took the case out of"
    )
    from_department_code: str | None = None
    transfers: int = Field(
        default=0,
        ge=0,
        description="the case's hand-offs to another unit so far (转派 and dispatches out of "
        "a unit count alike; first-question responsibility, 首问负责制)",
    )

    @property
    def left_a_unit(self) -> bool:
        """A dispatch out of one unit into another: a hand-off, as a transfer is."""
        return self.kind == "dispatch" and bool(self.from_grid_code or self.from_department_code)


@event_type("case.resolved", 1)
class CaseResolved(_CaseAction):
    """办结: done, with a note and evidence."""

    note: str
    evidence: list[str] = Field(default_factory=list)


@event_type("case.closed", 1)
class CaseClosed(_CaseAction):
    """核查结案: verified and closed by someone other than the resolver."""

    note: str | None = None


@event_type("case.reopened", 1)
class CaseReopened(_CaseAction):
    reason: str
    reopenings: int = Field(ge=1)


Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied"]


@event_type("case.evaluated", 1)
class CaseEvaluated(_CaseAction):
    """回访: the resident's verdict; a dissatisfied one reopens the case."""

    satisfaction: Satisfaction
    resolved: bool
    comment: str | None = None


@event_type("case.extension_requested", 1)
class CaseExtensionRequested(_CaseAction):
    """延期: asked for before the deadline; the deadline moves only when approved."""

    until: AwareDatetime
    reason: str


@event_type("case.extension_approved", 1)
class CaseExtensionApproved(_CaseAction):
    until: AwareDatetime
    reason: str | None = None


@event_type("case.extension_rejected", 1)
class CaseExtensionRejected(_CaseAction):
    reason: str


@event_type("case.suspended", 1)
class CaseSuspended(_CaseAction):
    """缓办: the resolution clock pauses until the case is resumed."""

    reason: str


@event_type("case.resumed", 1)
class CaseResumed(_CaseAction):
    reason: str | None = None


# -------------------------------------------------------------------------- directory


@event_type("directory.area_upserted", 1)
class AreaUpserted(_Payload):
    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    kind: Literal["residential", "unit"] | None = None
    geometry: dict[str, Any] | None = Field(
        default=None,
        description="a grid's polygon (GeoJSON Polygon or MultiPolygon, WGS84), from which "
        "intake learns the district's boundary; the levels above carry none",
    )


@event_type("directory.staff_upserted", 1)
class StaffUpserted(_Payload):
    staff_id: str
    name: str
    role: StaffRole
    area_code: str | None
    department_code: str | None
    post: Literal["A", "B"] | None
    phone_masked: str
    phone_encrypted: str


@event_type("directory.department_upserted", 1)
class DepartmentUpserted(_Payload):
    code: str
    name: str


@event_type("directory.category_upserted", 1)
class CategoryUpserted(_Payload):
    code: str
    name: str
    handler: Literal["grid", "department"]
    department_code: str | None
    priority: Priority


# ------------------------------------------------------------------------- escalation

ClockKind = Literal["sign_for", "first_contact", "resolution", "callback", "ownership"]
"""``ownership``: how long a case has gone without an accepted owner (首问负责制)."""


class _SlaRef(_Payload):
    case_id: UUID
    tracking_no: str
    clock: ClockKind
    generation: int = Field(ge=1, description="a restarted clock (transfer, reopen) counts up")
    started_at: AwareDatetime
    due_at: AwareDatetime
    priority: Priority
    category_code: str | None = None
    grid_code: str | None = None
    department_code: str | None = None
    assignee_id: str | None = None
    fired_at: AwareDatetime
    late_seconds: float = Field(
        ge=0, description="how long after its due time the timer fired (downtime shows here)"
    )


@event_type("sla.clock_started", 1)
class SlaClockStarted(_Payload):
    """A clock started (or restarted: a new generation), or its deadline moved (an
    approved extension, time added back after a suspension). Consumers keep the latest:
    the highest generation, then the latest ``changed_at``."""

    case_id: UUID
    tracking_no: str
    clock: ClockKind
    generation: int = Field(ge=1)
    reason: Literal["started", "extended", "resumed"] = "started"
    started_at: AwareDatetime
    due_at: AwareDatetime
    changed_at: AwareDatetime = Field(description="when the deadline was set (case time)")
    priority: Priority
    category_code: str | None = None
    grid_code: str | None = None
    department_code: str | None = None
    assignee_id: str | None = None


@event_type("sla.warning", 1)
class SlaWarning(_SlaRef):
    """A clock has used `percent` of its time (by default at 50% and 80%)."""

    percent: int = Field(gt=0, lt=100)


@event_type("sla.breached", 1)
class SlaBreached(_SlaRef):
    """A clock ran out (100%) before it was stopped."""


@event_type("case.escalated", 1)
class CaseEscalated(_SlaRef):
    """A breached case climbs the ladder: a rung's people are told, and reminded (催办)
    at a cadence until the case moves."""

    level: int = Field(ge=1, description="the rung of the ladder")
    buck_passing: bool = Field(
        default=False, description="推诿: nobody accepted the case, or it was handed on too often"
    )
    urge: int = Field(ge=0, description="0 for the escalation itself, then 1, 2 … for reminders")
    target_role: StaffRole
    target_staff_ids: list[str] = Field(description="who stands on that rung over the case's area")
    reason: str


@event_type("supervision.issued", 1)
class SupervisionIssued(_Payload):
    """督办: a supervision order against the unit responsible for a case."""

    order_id: UUID
    case_id: UUID
    tracking_no: str
    card: Literal["yellow", "red", "none"] = Field(
        description="yellow at a breach, red at the second level; none for an order by hand"
    )
    source: Literal["auto", "manual"]
    reason: str
    issued_by: str
    grid_code: str | None = None
    department_code: str | None = None
    issued_at: AwareDatetime


# ----------------------------------------------------------------------------- notify


class _DeliveryRef(_Payload):
    delivery_id: UUID
    case_id: UUID | None
    channel: str
    recipient_id: str
    recipient_masked: str
    trigger_event_id: UUID
    trigger_event_type: str
    attempts: int


@event_type("notification.delivered", 1)
class NotificationDelivered(_DeliveryRef):
    provider_ref: str | None = None
    delivered_at: AwareDatetime


@event_type("notification.failed", 1)
class NotificationFailed(_DeliveryRef):
    error: str
    failed_at: AwareDatetime
