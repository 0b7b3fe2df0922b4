from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from dispatch.text import no_nul

PhraseAction = Literal[
    "dispatch", "reassign", "return", "transfer", "resolve", "close", "reopen", "suspend"
]
Phrase = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(no_nul),
]


class PhrasesPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: PhraseAction
    phrases: list[Phrase] = Field(max_length=50, description="in the order the screens offer them")
    expected_updated_at: AwareDatetime | None = Field(
        default=None,
        description="the updated_at of this list as the editor read it: when someone "
        "saved it since, nothing is saved (409, naming who and when); absent: saved "
        "regardless",
    )


class PhrasesRead(BaseModel):
    unit: str = Field(description="area:<code> or department:<code>")
    action: PhraseAction
    phrases: list[str]
    updated_by: str | None = None
    updated_at: datetime | None = None


class PhrasesList(BaseModel):
    items: list[PhrasesRead] = Field(description="from the widest unit (the district) to yours")
