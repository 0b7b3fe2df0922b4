"""Directory import files (the directory data of docs/architecture.md): parsing and row
validation, before any database."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dispatch.directory.schemas import ImportProblem, StaffRow
from dispatch.directory.service import ImportRejected, parse

STAFF_HEADER = "staff_id,name,phone,role,area_code,department_code,post"
GRID = "510302001001001"
COMMUNITY = "510302001001"


def csv_bytes(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def rejected(kind: str, raw: bytes) -> list[ImportProblem]:
    with pytest.raises(ImportRejected) as raised:
        parse(kind, raw)  # type: ignore[arg-type]
    return raised.value.problems


def only_problem(kind: str, raw: bytes) -> ImportProblem:
    problems = rejected(kind, raw)
    assert len(problems) == 1, problems
    return problems[0]


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


def feature(geometry: dict[str, Any] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


DISTRICT = feature(code="510302", name="自流井区", level="district")
STREET = feature(code="510302001", name="五星街街道", level="street", parent_code="510302")
COMMUNITY_FEATURE = feature(
    square(104.0, 29.0, 105.0, 30.0),
    code=COMMUNITY,
    name="光大街社区",
    level="community",
    parent_code="510302001",
)


# ----------------------------------------------------------------------------- staff


def test_valid_staff_csv_parses_into_rows() -> None:
    rows = parse(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,grid_member,{GRID},,A",
            f"gm-002,李四,138 0013 8001,grid_member,{GRID},,B",
            f"sm-001,王五,+86 13800138002,station_master,{COMMUNITY},,",
            "op-001,赵六,13800138003,department_operator,,water,",
        ),
    )
    assert [(r.staff_id, r.role, r.post) for r in rows] == [
        ("gm-001", "grid_member", "A"),
        ("gm-002", "grid_member", "B"),
        ("sm-001", "station_master", None),
        ("op-001", "department_operator", None),
    ]
    assert all(isinstance(r, StaffRow) for r in rows)
    assert rows[2].area_code == COMMUNITY
    assert rows[2].department_code is None
    assert rows[3].department_code == "water"
    assert rows[3].area_code is None


def test_staff_csv_with_a_byte_order_mark_parses() -> None:
    raw = "\ufeff".encode() + csv_bytes(
        STAFF_HEADER, f"gm-001,张三,13800138000,grid_member,{GRID},,A"
    )
    assert [r.staff_id for r in parse("staff", raw)] == ["gm-001"]


def test_wrong_header_is_rejected_with_the_expected_header() -> None:
    problem = only_problem(
        "staff",
        csv_bytes(
            "id,name,phone,role,area,department,post",
            f"gm-001,张三,13800138000,grid_member,{GRID},,A",
        ),
    )
    assert problem.row is None
    assert f"header must be: {STAFF_HEADER}" in problem.message


def test_unknown_role_is_one_problem_on_its_row() -> None:
    problem = only_problem(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,grid_member,{GRID},,A",
            f"gm-002,李四,13800138001,mayor,{GRID},,",
        ),
    )
    assert (problem.row, problem.field) == (2, "role")
    assert "grid_member" in problem.message


def test_grid_member_with_post_c_is_one_problem_on_the_post() -> None:
    problem = only_problem(
        "staff", csv_bytes(STAFF_HEADER, f"gm-001,张三,13800138000,grid_member,{GRID},,C")
    )
    assert (problem.row, problem.field) == (1, "post")
    assert "'A' or 'B'" in problem.message


def test_station_master_with_a_post_is_one_problem_on_the_post() -> None:
    problem = only_problem(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,grid_member,{GRID},,A",
            f"sm-001,王五,13800138002,station_master,{COMMUNITY},,A",
        ),
    )
    assert "only grid members hold an A or B post" in problem.message
    assert (problem.row, problem.field) == (2, "post")


def test_department_operator_without_department_is_one_problem_on_department_code() -> None:
    problem = only_problem(
        "staff", csv_bytes(STAFF_HEADER, "op-001,赵六,13800138003,department_operator,,,")
    )
    assert "a department operator needs department_code" in problem.message
    assert (problem.row, problem.field) == (1, "department_code")


def test_grid_member_without_area_code_is_rejected() -> None:
    problem = only_problem(
        "staff", csv_bytes(STAFF_HEADER, "gm-001,张三,13800138000,grid_member,,,A")
    )
    assert problem.row == 1
    assert "a grid_member needs area_code" in problem.message


def test_every_bad_row_is_reported_not_just_the_first() -> None:
    problems = rejected(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,mayor,{GRID},,",
            f"gm-002,李四,13800138001,grid_member,{GRID},,A",
            f"gm-003,王五,13800138002,grid_member,{GRID},,C",
        ),
    )
    assert [(p.row, p.field) for p in problems] == [(1, "role"), (3, "post")]


def test_row_with_too_many_columns_is_reported_on_its_row() -> None:
    problem = only_problem(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,grid_member,{GRID},,A",
            f"gm-002,李四,13800138001,grid_member,{GRID},,B,extra",
        ),
    )
    assert (problem.row, problem.message) == (2, "too many columns")


def test_rows_after_one_with_too_many_columns_keep_their_row_numbers() -> None:
    problems = rejected(
        "staff",
        csv_bytes(
            STAFF_HEADER,
            f"gm-001,张三,13800138000,grid_member,{GRID},,A,extra",
            f"gm-002,李四,13800138001,mayor,{GRID},,",
        ),
    )
    assert [(p.row, p.field) for p in problems] == [(1, None), (2, "role")]


def test_values_padded_with_spaces_like_the_header_are_accepted() -> None:
    raw = csv_bytes(
        "staff_id, name, phone, role, area_code, department_code, post",
        f"gm-001, 张三, 13800138000, grid_member, {GRID}, , A",
    )
    try:
        rows = parse("staff", raw)
    except ImportRejected as exc:
        pytest.fail(f"padded values were rejected: {exc.problems}")
    assert [(r.staff_id, r.role, r.department_code, r.post) for r in rows] == [
        ("gm-001", "grid_member", None, "A")
    ]


def test_header_only_file_is_rejected_as_empty() -> None:
    problem = only_problem("staff", csv_bytes(STAFF_HEADER))
    assert problem.row is None
    assert "no rows" in problem.message


def test_non_utf8_file_is_rejected() -> None:
    raw = csv_bytes(STAFF_HEADER, f"gm-001,张三,13800138000,grid_member,{GRID},,A")
    problem = only_problem("staff", raw.decode().encode("gb18030"))
    assert problem.row is None
    assert "not UTF-8" in problem.message


# ----------------------------------------------------------------------------- absences


def test_valid_absence_parses_with_aware_times() -> None:
    rows = parse(
        "absences",
        csv_bytes(
            "staff_id,start,end", "gm-001,2026-11-21T08:00:00+08:00,2026-11-23T08:00:00+08:00"
        ),
    )
    assert rows[0].start == datetime(2026, 11, 21, 0, 0, tzinfo=UTC)
    assert rows[0].end == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_absence_ending_before_it_starts_is_rejected() -> None:
    problem = only_problem(
        "absences",
        csv_bytes(
            "staff_id,start,end",
            "gm-001,2026-11-21T08:00:00+08:00,2026-11-23T08:00:00+08:00",
            "gm-002,2026-11-23T08:00:00+08:00,2026-11-21T08:00:00+08:00",
        ),
    )
    assert problem.row == 2
    assert "end must be after start" in problem.message


def test_absence_without_utc_offset_is_rejected() -> None:
    problem = only_problem(
        "absences",
        csv_bytes("staff_id,start,end", "gm-001,2026-11-21T08:00:00,2026-11-23T08:00:00+08:00"),
    )
    assert (problem.row, problem.field) == (1, "start")


# ----------------------------------------------------------------------------- categories

CATEGORY_HEADER = "code,name,handler,department_code,priority"


def test_valid_categories_parse() -> None:
    rows = parse(
        "categories",
        csv_bytes(
            CATEGORY_HEADER,
            "environment/garbage-overflow,垃圾满溢,grid,,normal",
            "utility/water-outage,停水,department,water,urgent",
        ),
    )
    assert [(r.code, r.handler, r.department_code, r.priority) for r in rows] == [
        ("environment/garbage-overflow", "grid", None, "normal"),
        ("utility/water-outage", "department", "water", "urgent"),
    ]


def test_department_category_without_department_code_is_rejected() -> None:
    problem = only_problem(
        "categories",
        csv_bytes(
            CATEGORY_HEADER,
            "environment/garbage-overflow,垃圾满溢,grid,,normal",
            "utility/water-outage,停水,department,,urgent",
        ),
    )
    assert problem.row == 2
    assert "department_code is required" in problem.message


# ----------------------------------------------------------------------------- areas


def test_valid_area_collection_parses() -> None:
    rows = parse(
        "areas",
        collection(
            DISTRICT,
            STREET,
            COMMUNITY_FEATURE,
            feature(
                square(104.0, 29.0, 104.5, 29.5),
                code=GRID,
                name="一网格",
                level="grid",
                parent_code=COMMUNITY,
                kind="residential",
                households=320,
            ),
        ),
    )
    assert [(r.code, r.level) for r in rows] == [
        ("510302", "district"),
        ("510302001", "street"),
        (COMMUNITY, "community"),
        (GRID, "grid"),
    ]
    assert rows[3].kind == "residential"
    assert rows[3].households == 320
    assert rows[3].geometry == square(104.0, 29.0, 104.5, 29.5)


@pytest.mark.parametrize(
    "document",
    [
        {"type": "Feature", "properties": {}, "geometry": None},
        [DISTRICT],
        {"features": [DISTRICT]},
    ],
    ids=["a-feature", "a-list", "no-type"],
)
def test_areas_that_are_not_a_feature_collection_are_rejected(document: Any) -> None:
    problem = only_problem("areas", json.dumps(document).encode())
    assert problem.row is None
    assert "expected a GeoJSON FeatureCollection" in problem.message


def test_areas_that_are_not_json_are_rejected() -> None:
    problem = only_problem("areas", b"code,name\n510302,x\n")
    assert problem.row is None
    assert "not JSON" in problem.message


def test_grid_feature_without_geometry_is_rejected() -> None:
    problem = only_problem(
        "areas",
        collection(
            DISTRICT,
            STREET,
            COMMUNITY_FEATURE,
            feature(
                None,
                code=GRID,
                name="一网格",
                level="grid",
                parent_code=COMMUNITY,
                kind="residential",
            ),
        ),
    )
    assert problem.row == 4
    assert "a grid needs a polygon geometry" in problem.message


def test_grid_feature_without_kind_is_rejected() -> None:
    problem = only_problem(
        "areas",
        collection(
            DISTRICT,
            feature(
                square(104.0, 29.0, 104.5, 29.5),
                code=GRID,
                name="一网格",
                level="grid",
                parent_code=COMMUNITY,
            ),
        ),
    )
    assert problem.row == 2
    assert "a grid needs kind" in problem.message


def test_street_code_that_does_not_extend_its_parent_is_rejected() -> None:
    problem = only_problem(
        "areas",
        collection(
            DISTRICT,
            feature(code="510302002", name="舒坪街道", level="street", parent_code="510303"),
        ),
    )
    assert problem.row == 2
    assert "code must extend its parent_code" in problem.message


def test_area_code_of_the_wrong_length_for_its_level_is_rejected() -> None:
    problem = only_problem(
        "areas",
        collection(feature(code="510302001", name="五星街街道", level="district")),
    )
    assert problem.row == 1
    assert "a district code has 6 digits" in problem.message


def test_non_utf8_areas_file_is_rejected() -> None:
    raw = collection(DISTRICT).decode().encode("utf-16")
    problem = only_problem("areas", raw)
    assert "not UTF-8" in problem.message


def test_a_household_count_beyond_any_grid_is_a_problem_not_a_database_error() -> None:
    problem = only_problem(
        "areas",
        collection(
            DISTRICT,
            STREET,
            COMMUNITY_FEATURE,
            feature(
                square(104.0, 29.0, 104.5, 29.5),
                code=GRID,
                name="一网格",
                level="grid",
                parent_code=COMMUNITY,
                kind="residential",
                households=4308354508938190219420631040,
            ),
        ),
    )

    assert (problem.row, problem.field) == (4, "households")


# ----------------------------------------------------------------------------- codes


@pytest.mark.parametrize("code", ["CG", "SW", "PCS", "0301", "urban", "Dept_7.b", "CG/01"])
def test_department_codes_as_districts_write_them_parse_unchanged(code: str) -> None:
    [row] = parse("departments", csv_bytes("code,name", f"{code},城管局"))
    assert row.code == code


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("C G", "' '"),
        ('"CG,01"', "','"),
        ('"C""G"', "'\"'"),
        ("CG?x", "'?'"),
        ("CG#1", "'#'"),
        ("城管", "'城' '管'"),
    ],
)
def test_a_department_code_that_would_break_a_url_or_a_csv_is_refused_on_its_row(
    cell: str, shown: str
) -> None:
    problem = only_problem("departments", csv_bytes("code,name", "CG,城管局", f"{cell},水务局"))
    assert (problem.row, problem.field) == (2, "code")
    assert f"holds {shown}, which would break a URL or a CSV" in problem.message


@pytest.mark.parametrize("code", ["../CG", "-CG", "=1+1", "CG//01", "CG/"])
def test_a_code_part_not_starting_with_a_letter_or_digit_is_refused(code: str) -> None:
    problem = only_problem("departments", csv_bytes("code,name", f"{code},城管局"))
    assert (problem.row, problem.field) == (1, "code")


def test_a_department_code_longer_than_32_characters_is_refused() -> None:
    problem = only_problem("departments", csv_bytes("code,name", f"{'C' * 33},城管局"))
    assert "is 33 characters long; at most 32" in problem.message


def test_categories_and_staff_name_departments_by_codes_of_any_case() -> None:
    categories = parse(
        "categories",
        csv_bytes(CATEGORY_HEADER, "Urban/Stall.Occupation,占道经营,department,CG,normal"),
    )
    staff = parse(
        "staff",
        csv_bytes(STAFF_HEADER, "0301/op.1,王芳,13800000001,department_operator,,0301,"),
    )
    assert [(c.code, c.department_code) for c in categories] == [("Urban/Stall.Occupation", "CG")]
    assert [(s.staff_id, s.department_code) for s in staff] == [("0301/op.1", "0301")]
