from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from escalation.supervision.schemas import SupervisionRead

Level = Literal["member", "grid", "community", "street", "department", "district"]
"""``member``: the person a case stands assigned to (the drill-down below a grid)."""
RateName = Literal["response_rate", "resolution_rate", "on_time_closure_rate", "satisfaction_rate"]


class RateRow(BaseModel):
    """One unit's figures; every rate is a fraction rounded to 4 places, null when its
    denominator is 0 (docs/reports.md defines each)."""

    unit_code: str | None = Field(
        description="null: cases with no unit of this level; at level member, the staff id"
    )
    unit_name: str | None
    received: int
    sign_for_clocked: int = Field(description="received cases that ran a sign-for clock")
    accepted_in_time: int
    response_rate: float | None = Field(description="accepted_in_time / sign_for_clocked")
    resolved: int
    resolution_rate: float | None = Field(description="resolved / received")
    closed: int = Field(description="closed cases that had a resolution deadline")
    closed_on_time: int
    on_time_closure_rate: float | None = Field(description="按期结案率: closed_on_time / closed")
    evaluated: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    satisfaction_rate: float | None = Field(
        description="(satisfied + basically_satisfied) / evaluated"
    )
    returns: int
    reopenings: int
    buck_passing_flags: int
    supervision_orders: int
    supervision_yellow: int
    supervision_red: int
    supervision_manual: int


class RatesReport(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    level: Level
    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")
    timezone: str
    generated_at: datetime
    rows: list[RateRow]
    total: RateRow = Field(description="all rows together (rates from the summed counts)")


class OverdueCase(BaseModel):
    case_id: UUID
    tracking_no: str
    grid_code: str | None
    assignee_id: str | None
    due_at: datetime
    overdue_seconds: int


class BreachRead(BaseModel):
    case_id: UUID
    tracking_no: str
    clock: str
    due_at: datetime
    breached_at: datetime | None


class EscalationRead(BaseModel):
    case_id: UUID
    tracking_no: str
    clock: str
    level: int
    target_role: str
    buck_passing: bool
    escalated_at: datetime


class DailySummary(BaseModel):
    """A station master's day: what came in and moved, what is overdue, what breached
    and climbed the ladder."""

    date: date
    community_code: str
    community_name: str | None
    as_of: datetime = Field(description="overdue means: past its deadline at this moment")
    new: int
    accepted: int
    resolved: int
    closed: int
    overdue: list[OverdueCase]
    breaches: list[BreachRead]
    escalations: list[EscalationRead]


class MonthlyRow(BaseModel):
    unit_code: str | None
    unit_name: str | None
    current: RateRow | None
    previous: RateRow | None


class WorstUnit(BaseModel):
    rate: RateName
    unit_code: str | None
    unit_name: str | None
    value: float


class SupervisionCounts(BaseModel):
    yellow: int
    red: int
    manual: int
    total: int


class MonthlyReview(BaseModel):
    """The monthly grid review: the rates per unit this month and the month before,
    the worst units by each rate, and the supervision orders issued in the month."""

    month: str
    previous_month: str
    level: Level
    rows: list[MonthlyRow]
    total: RateRow
    previous_total: RateRow
    worst: list[WorstUnit]
    supervision: SupervisionCounts
    orders: list[SupervisionRead]


AssessmentComponentName = Literal[
    "on_time_sign_for",
    "on_time_resolution",
    "no_return",
    "no_reopening",
    "satisfaction",
    "patrol_compliance",
    "visits",
]


class AssessmentComponent(BaseModel):
    name: AssessmentComponentName
    value: float | None = Field(description="numerator / sample, 4 places; null when sample is 0")
    numerator: int = Field(
        description="patrol_compliance: working days met; visits: visits, at most the target"
    )
    sample: int = Field(
        description="its denominator: cases; for patrol_compliance the working days required "
        "so far, for visits the target so far"
    )
    weight: float


class MemberAssessment(BaseModel):
    member_id: str
    cases: int = Field(description="cases received in the month standing assigned to the member")
    visits: int = Field(description="household visits made in the month (入户走访)")
    score: float | None = Field(description="0–100, 1 place; null when no component has a sample")
    rank: int | None = Field(description="within the community; null below the minimum sample")
    review: bool = Field(description="among the community's lowest scores: flagged for review")
    components: list[AssessmentComponent]


class CommunityAssessment(BaseModel):
    community_code: str
    community_name: str | None
    members: list[MemberAssessment] = Field(description="ranked first, then the unranked")


class AssessmentReport(BaseModel):
    """The monthly assessment of grid members (网格员考核): docs/reports.md."""

    month: str
    timezone: str
    generated_at: datetime
    formula: str
    weights: dict[str, float]
    min_sample: int
    review_bottom: int
    monthly_visits: int = Field(description="the monthly visit target of a grid member")
    working_days: int = Field(description="the month's working days (the official calendar)")
    working_days_required: int = Field(
        description="the working days already over: what patrol compliance is judged on"
    )
    visits_target: int = Field(
        description="monthly_visits × working_days_required / working_days, rounded"
    )
    components_not_included: list[str] = Field(
        description="parts of the assessment this report cannot compute yet, and so leaves out"
    )
    communities: list[CommunityAssessment]
