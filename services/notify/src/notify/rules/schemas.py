from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ChannelName = Literal["sms", "inapp", "email", "wecom", "dingtalk", "webhook"]
Selector = Literal[
    "assignee",
    "rung",
    "grid_leader",
    "station_master",
    "department_operators",
    "reporters",
    "hotline",
    "area_robot",
]
EventType = Literal[
    "case.assigned",
    "case.accepted",
    "case.resolved",
    "case.closed",
    "case.escalated",
    "sla.warning",
    "sla.breached",
    "supervision.issued",
]
SELECTOR_CHANNELS: dict[str, frozenset[str]] = {
    # Which channels can reach whom a selector yields.
    "assignee": frozenset({"sms", "inapp", "email"}),
    "rung": frozenset({"sms", "inapp", "email"}),
    "grid_leader": frozenset({"sms", "inapp", "email"}),
    "station_master": frozenset({"sms", "inapp", "email"}),
    "department_operators": frozenset({"sms", "inapp", "email"}),
    "reporters": frozenset({"sms"}),
    "hotline": frozenset({"webhook"}),
    "area_robot": frozenset({"wecom", "dingtalk"}),
}


class RecipientRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    selector: Selector = Field(
        description=(
            "assignee: the case's assignee (the B post when standing in); rung: the people on "
            "the escalation ladder's rung; grid_leader, station_master: of the case's grid; "
            "department_operators: of the case's department; reporters: residents who gave "
            "a phone number, merged duplicates' included; hotline: the 12345 platform, for "
            "hotline cases; area_robot: the group robot of the case's grid, community, "
            "street or district, or department"
        )
    )
    channels: list[ChannelName] = Field(min_length=1)


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipients: list[RecipientRule]
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the rule's updated_at as the editor read it: when someone changed the "
        "rule since, nothing is saved (409, with the rule as it is now)",
    )


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_type: str
    recipients: list[RecipientRule]
    updated_at: datetime
    updated_by: str
