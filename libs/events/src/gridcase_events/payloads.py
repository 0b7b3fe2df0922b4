"""Payload schemas of every event type, registered with their versions.

These are the contract between the services (DESIGN.md §2–3). Events carry what their
consumers need, so that a consumer that sees `case.assigned` before `case.reported`
can still act. Residents' phone numbers never travel in plaintext: events carry the
masked form and, where notify must reach the person, a ciphertext under
``GRIDCASE_PII_KEY``.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gridcase_events.registry import event_type

Channel = Literal["hotline", "wish_wall", "patrol", "visit", "open311"]
Priority = Literal["urgent", "normal"]
RouteTarget = Literal["grid", "department", "triage"]
RouteMethod = Literal[
    "category_department", "point_in_polygon", "gazetteer", "community_name", "unplaceable"
]
Post = Literal["A", "B", "leader", "operator"]
StaffRole = Literal[
    "grid_member",
    "grid_leader",
    "station_master",
    "street_officer",
    "district_center",
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


# --------------------------------------------------------------------------- dispatch


class _CaseRef(_Payload):
    case_id: UUID
    tracking_no: str
    category_code: str | None
    priority: Priority
    channel: Channel
    external_ref: str | None = None


@event_type("case.routed", 1)
class CaseRouted(_CaseRef):
    target: RouteTarget
    method: RouteMethod
    grid_code: str | None = None
    department_code: str | None = None
    reason: str


@event_type("case.assigned", 1)
class CaseAssigned(_CaseRef):
    assignee_id: str
    assignee_role: StaffRole
    post: Post
    reason: str = Field(description="why this person: which post was used and why")
    grid_code: str | None = None
    department_code: str | None = None
    summary: str = Field(max_length=200)
    assigned_at: AwareDatetime


# -------------------------------------------------------------------------- directory


@event_type("directory.area_upserted", 1)
class AreaUpserted(_Payload):
    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    kind: Literal["residential", "unit"] | None = None


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
