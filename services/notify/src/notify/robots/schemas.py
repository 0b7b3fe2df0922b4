from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict

RobotChannel = Literal["wecom", "dingtalk"]


class RobotUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: RobotChannel
    url: AnyHttpUrl


class RobotRead(BaseModel):
    """A robot; its URL shown only up to the key (the key is a secret)."""

    code: str
    channel: str
    url_masked: str
    updated_at: datetime
    updated_by: str
