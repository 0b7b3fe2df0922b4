"""The directory's import formats (the directory data of `docs/architecture.md`) and read
models."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from gridcase_events.codes import CategoryCode, DepartmentCode, StaffId
from gridcase_events.payloads import AreaLevel, Priority, StaffRole

ImportKind = Literal["areas", "gazetteer", "departments", "staff", "absences", "categories"]
CODE = r"^\d{6}(\d{3}){0,3}$"
LEVEL_DIGITS: dict[str, int] = {"district": 6, "street": 9, "community": 12, "grid": 15}
PARENT_LEVEL: dict[str, str | None] = {
    "district": None,
    "street": "district",
    "community": "street",
    "grid": "community",
}


class FieldProblem(ValueError):
    """A cross-field check's error, naming the field it is about (for import reports)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_none(cls, data: Any) -> Any:
        """CSV cells: surrounding spaces dropped, and a blank cell means no value."""
        if isinstance(data, dict):
            stripped = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
            return {k: (None if v == "" else v) for k, v in stripped.items()}
        return data


class AreaRow(_Row):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=100)
    level: AreaLevel
    parent_code: str | None = Field(default=None, pattern=CODE)
    kind: Literal["residential", "unit"] | None = None
    households: int | None = Field(default=None, ge=0, le=1_000_000)
    geometry: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if len(self.code) != LEVEL_DIGITS[self.level]:
            raise FieldProblem("code", f"a {self.level} code has {LEVEL_DIGITS[self.level]} digits")
        if self.level == "district":
            if self.parent_code is not None:
                raise FieldProblem("parent_code", "a district has no parent_code")
        elif self.parent_code is None or not self.code.startswith(self.parent_code):
            raise FieldProblem("code", "code must extend its parent_code")
        if self.level == "grid":
            if self.kind is None:
                raise FieldProblem("kind", "a grid needs kind (residential or unit)")
            if self.geometry is None:
                raise FieldProblem("geometry", "a grid needs a polygon geometry")
        elif self.kind is not None:
            raise FieldProblem("kind", "only grids have a kind")
        if self.geometry is not None and self.geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            raise FieldProblem("geometry", "geometry must be a Polygon or MultiPolygon")
        return self


class DepartmentRow(_Row):
    code: DepartmentCode
    name: str = Field(min_length=1, max_length=100)


class CategoryRow(_Row):
    code: CategoryCode
    name: str = Field(min_length=1, max_length=100)
    handler: Literal["grid", "department"]
    department_code: DepartmentCode | None = None
    priority: Priority = "normal"

    @model_validator(mode="after")
    def _department(self) -> Self:
        if (self.handler == "department") != (self.department_code is not None):
            raise FieldProblem(
                "department_code",
                "department_code is required for, and only for, handler=department",
            )
        return self


class StaffRow(_Row):
    staff_id: StaffId
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=r"^\+?[0-9][0-9 -]{4,19}$")
    role: StaffRole
    area_code: str | None = Field(default=None, pattern=CODE)
    department_code: DepartmentCode | None = None
    post: Literal["A", "B"] | None = None

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if self.role == "department_operator":
            if self.department_code is None:
                raise FieldProblem("department_code", "a department operator needs department_code")
        elif self.role not in ("ops", "admin", "city_center") and self.area_code is None:
            raise FieldProblem("area_code", f"a {self.role} needs area_code")
        if self.post is not None and self.role != "grid_member":
            raise FieldProblem("post", "only grid members hold an A or B post")
        return self


class GazetteerRow(_Row):
    address: str = Field(min_length=1, max_length=300)
    grid_code: str = Field(pattern=CODE)


class AbsenceRow(_Row):
    staff_id: str = Field(min_length=1, max_length=64)
    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.end <= self.start:
            raise FieldProblem("end", "end must be after start")
        return self


ROW_MODELS: dict[str, type[_Row]] = {
    "areas": AreaRow,
    "departments": DepartmentRow,
    "categories": CategoryRow,
    "staff": StaffRow,
    "gazetteer": GazetteerRow,
    "absences": AbsenceRow,
}
CSV_HEADERS: dict[str, list[str]] = {
    "gazetteer": ["address", "grid_code"],
    "departments": ["code", "name"],
    "staff": ["staff_id", "name", "phone", "role", "area_code", "department_code", "post"],
    "absences": ["staff_id", "start", "end"],
    "categories": ["code", "name", "handler", "department_code", "priority"],
}


class ImportProblem(BaseModel):
    row: int | None = Field(description="1-based data row (feature index for areas)")
    field: str | None = None
    message: str


class ImportSummary(BaseModel):
    kind: ImportKind
    rows: int
    created: int
    updated: int
    unchanged: int
    directory_version: int


class AreasRepublished(BaseModel):
    """What `POST /v1/directory/areas/republish` announced again."""

    district: str | None = Field(
        description="the district whose areas were announced; null: every district"
    )
    areas: int = Field(description="how many areas were announced")


class AreaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    kind: str | None
    households: int | None


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    staff_id: str
    name: str
    phone_masked: str
    role: StaffRole
    area_code: str | None
    department_code: str | None
    post: str | None
    on_duty: bool = True

    @field_validator("post")
    @classmethod
    def _post(cls, v: str | None) -> str | None:
        return v or None


class DepartmentRead(BaseModel):
    code: str
    name: str
    mine: bool = Field(description="the caller's own department (department operators)")


class DepartmentsRead(BaseModel):
    items: list[DepartmentRead]
