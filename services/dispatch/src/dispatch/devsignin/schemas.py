from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class PersonRead(BaseModel):
    """One person of the staff directory, as the development sign-in page lists them."""

    staff_id: str
    name: str
    role: str
    post: str | None
    area_code: str | None
    area_name: str | None
    department_code: str | None
    department_name: str | None


class SignInIn(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64)


class SignInRead(BaseModel):
    token: str = Field(description="a bearer token for every gridcase API")
    expires_at: datetime
    person: PersonRead
