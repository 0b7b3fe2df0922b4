"""Requests and answers of the hand-offs: dispatch, reassign, claim, and their bulk forms."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dispatch.text import Text
from dispatch.workflow.models import Case
from gridcase_events.kit.errors import DomainError

CODE = r"^[0-9A-Za-z_./-]{1,64}$"
Reason = Field(min_length=1, max_length=500, description="why: recorded on the timeline")


class DispatchIn(BaseModel):
    """派遣: where the case goes (exactly one of the three), optionally to whom."""

    model_config = ConfigDict(extra="forbid")

    grid_code: str | None = Field(default=None, pattern=CODE)
    community_code: str | None = Field(default=None, pattern=CODE)
    department_code: str | None = Field(default=None, pattern=CODE)
    assignee_id: Text | None = Field(
        default=None, min_length=1, max_length=64, description="a person on duty in that unit"
    )
    reason: Text = Reason

    @model_validator(mode="after")
    def _one_destination(self) -> DispatchIn:
        given = [c for c in (self.grid_code, self.community_code, self.department_code) if c]
        if len(given) != 1:
            raise ValueError("give exactly one of grid_code, community_code, department_code")
        return self

    @property
    def target(self) -> Literal["grid", "community", "department"]:
        if self.grid_code:
            return "grid"
        return "community" if self.community_code else "department"

    @property
    def code(self) -> str:
        return self.grid_code or self.community_code or self.department_code or ""


class ReassignIn(BaseModel):
    """改派: another person of the same unit."""

    model_config = ConfigDict(extra="forbid")

    assignee_id: Text = Field(min_length=1, max_length=64)
    reason: Text = Reason


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text | None = Field(default=None, min_length=1, max_length=500)


CaseIds = Field(min_length=1, max_length=100, description="up to 100 cases, each handled alone")


class BulkDispatchIn(DispatchIn):
    case_ids: list[UUID] = CaseIds


class BulkReassignIn(ReassignIn):
    case_ids: list[UUID] = CaseIds


class BulkResult(BaseModel):
    """One case's outcome: the status code it would have had alone (a refusal's
    ``case_status`` and ``version``: the case's state now, as a 409 says)."""

    case_id: UUID
    status: int
    code: str | None = None
    detail: str | None = None
    case_status: str | None = None
    assignee_id: str | None = None
    version: int | None = None

    @classmethod
    def done(cls, case: Case) -> BulkResult:
        return cls(
            case_id=case.id,
            status=200,
            case_status=case.status,
            assignee_id=case.assignee_id,
            version=case.version,
        )

    @classmethod
    def refused(cls, case_id: UUID, error: DomainError) -> BulkResult:
        """The answer the kit's error handler gives the case alone, as a row."""
        status, version = error.extra.get("status"), error.extra.get("version")
        return cls(
            case_id=case_id,
            status=error.status_code,
            code=error.code,
            detail=error.detail,
            case_status=status if isinstance(status, str) else None,
            version=version if isinstance(version, int) else None,
        )


class BulkOut(BaseModel):
    results: list[BulkResult]
