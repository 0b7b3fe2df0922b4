from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field


class LadderLevelFields(BaseModel):
    unit: Literal["grid", "department", "ownership"]
    level: int = Field(ge=1, le=20)
    role: Literal[
        "grid_member",
        "grid_leader",
        "station_master",
        "street_officer",
        "district_center",
        "dispatcher",
    ]
    delay_minutes: int = Field(ge=0, le=525_600, description="after the breach")


class LadderLevelIn(LadderLevelFields):
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the updated_at of this unit's ladder as the editor read it: when "
        "someone replaced it since, nothing is saved (409, naming who and when); absent: "
        "saved regardless",
    )


class LadderLevelRead(LadderLevelFields):
    updated_at: datetime = Field(
        description="the version of this unit's ladder (its rungs are saved together)"
    )
    updated_by: str
