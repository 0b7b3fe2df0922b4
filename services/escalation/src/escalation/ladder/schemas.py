from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class LadderLevelIn(BaseModel):
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
