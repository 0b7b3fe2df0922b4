"""Routing: address normalisation, point-in-polygon over grids, and the route decision."""

from typing import Any

import pytest

from dispatch.directory.models import Category
from dispatch.routing.service import (
    ROUTE_REASON_CODES,
    Gazetteer,
    GridIndex,
    RoutingIndex,
    decide,
    normalize_address,
)
from gridcase_events.payloads import GeoPoint

NO_GAZETTEER = Gazetteer([], prefixes=(), threshold=0.9)
RESIDENTIAL_WEST = "510302001001001"
RESIDENTIAL_EAST = "510302001001002"
SCHOOL = "510302001001003"  # a unit grid inside RESIDENTIAL_WEST


def square(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """A GeoJSON polygon (lon, lat order) for a lon/lat box."""
    return {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, south], [east, north], [west, north], [west, south]]
        ],
    }


# Two residential grids of equal size sharing the border lon = 104.5, and a school
# (a unit grid) inside the western one. Halves are exact in binary floating point.
GRIDS: list[tuple[str, str, dict[str, Any]]] = [
    (RESIDENTIAL_WEST, "residential", square(104.0, 29.0, 104.5, 29.5)),
    (RESIDENTIAL_EAST, "residential", square(104.5, 29.0, 105.0, 29.5)),
    (SCHOOL, "unit", square(104.125, 29.125, 104.25, 29.25)),
]


def category(handler: str, department_code: str | None = None) -> Category:
    code = "utility/water-outage" if handler == "department" else "environment/garbage-overflow"
    return Category(
        code=code,
        name="停水" if handler == "department" else "垃圾满溢",
        handler=handler,
        department_code=department_code,
        priority="normal",
    )


# ----------------------------------------------------------------------------- normalize_address


def test_normalize_address_turns_full_width_digits_and_letters_half_width() -> None:
    assert normalize_address("五星街１２号Ａ单元") == "五星街12号a单元"


def test_normalize_address_removes_every_kind_of_space() -> None:
    assert normalize_address(" 五星街 12栋\t3单元\u3000401 ") == "五星街12栋3单元401"


@pytest.mark.parametrize("building", ["号楼", "幢", "栋"])
def test_normalize_address_unifies_building_words(building: str) -> None:
    assert normalize_address(f"五星街12{building}3单元") == "五星街12栋3单元"


def test_normalize_address_folds_case() -> None:
    assert normalize_address("Wuxing Road B-Block") == normalize_address("WUXING ROAD b-block")
    assert normalize_address("Wuxing Road B-Block") == "wuxingroadb-block"


def test_normalize_address_makes_variant_spellings_equal() -> None:
    assert normalize_address("自流井区 五星街 １２号楼") == normalize_address("自流井区五星街12幢")


# ----------------------------------------------------------------------------- GridIndex


def test_point_inside_a_residential_grid_is_located_in_it() -> None:
    assert GridIndex(GRIDS).locate(29.4, 104.4) == (RESIDENTIAL_WEST, "residential")


def test_point_inside_the_eastern_grid_is_located_in_it() -> None:
    assert GridIndex(GRIDS).locate(29.25, 104.75) == (RESIDENTIAL_EAST, "residential")


def test_point_inside_a_unit_grid_goes_to_the_unit_grid() -> None:
    assert GridIndex(GRIDS).locate(29.2, 104.2) == (SCHOOL, "unit")


def test_unit_grid_wins_whatever_the_order_of_the_grids() -> None:
    assert GridIndex(list(reversed(GRIDS))).locate(29.2, 104.2) == (SCHOOL, "unit")


def test_point_outside_every_grid_is_not_located() -> None:
    assert GridIndex(GRIDS).locate(30.0, 104.25) is None


def test_latitude_and_longitude_are_not_swapped() -> None:
    # GeoJSON is (lon, lat); locate takes (lat, lon).
    assert GridIndex(GRIDS).locate(29.4, 104.4) == (RESIDENTIAL_WEST, "residential")
    assert GridIndex(GRIDS).locate(104.4, 29.4) is None


def test_point_on_a_shared_border_is_located_deterministically() -> None:
    index = GridIndex(GRIDS)
    first = index.locate(29.4, 104.5)
    assert first in {(RESIDENTIAL_WEST, "residential"), (RESIDENTIAL_EAST, "residential")}
    assert index.locate(29.4, 104.5) == first
    assert GridIndex(list(reversed(GRIDS))).locate(29.4, 104.5) == first


def test_empty_index_locates_nothing() -> None:
    index = GridIndex([])
    assert len(index) == 0
    assert index.locate(29.4, 104.4) is None


# ----------------------------------------------------------------------------- decide


def test_unknown_category_goes_to_triage_naming_the_hint() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=None,
        category_hint="水管爆了",
        location=GeoPoint(lat=29.4, lon=104.4),
        address="五星街12栋",
    )
    assert decision.target == "triage"
    assert decision.method == "unplaceable"
    assert "unknown category '水管爆了'" in decision.reason
    assert decision.grid_code is None
    assert decision.department_code is None


def test_missing_category_goes_to_triage_saying_none_was_given() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=None,
        category_hint=None,
        location=None,
        address=None,
    )
    assert decision.target == "triage"
    assert "no category given" in decision.reason


def test_department_category_goes_to_its_department() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("department", "water"),
        category_hint="utility/water-outage",
        location=GeoPoint(lat=29.4, lon=104.4),
        address="五星街12栋",
    )
    assert decision.target == "department"
    assert decision.method == "category_department"
    assert decision.department_code == "water"
    assert decision.grid_code is None
    assert "water" in decision.reason


def test_grid_category_with_a_located_point_goes_to_that_grid() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("grid"),
        category_hint="environment/garbage-overflow",
        location=GeoPoint(lat=29.4, lon=104.75),
        address=None,
    )
    assert decision.target == "grid"
    assert decision.method == "point_in_polygon"
    assert decision.grid_code == RESIDENTIAL_EAST
    assert RESIDENTIAL_EAST in decision.reason


def test_grid_category_with_a_point_in_a_unit_grid_goes_to_the_unit_grid() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("grid"),
        category_hint="environment/garbage-overflow",
        location=GeoPoint(lat=29.2, lon=104.2),
        address=None,
    )
    assert (decision.target, decision.method, decision.grid_code) == (
        "grid",
        "point_in_polygon",
        SCHOOL,
    )
    assert "unit grid" in decision.reason


def test_grid_category_with_a_point_outside_and_no_address_goes_to_triage() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("grid"),
        category_hint="environment/garbage-overflow",
        location=GeoPoint(lat=31.0, lon=104.2),
        address=None,
    )
    assert decision.target == "triage"
    assert decision.method == "unplaceable"
    assert "the point lies in no grid" in decision.reason


def test_grid_category_without_location_or_address_goes_to_triage() -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("grid"),
        category_hint="environment/garbage-overflow",
        location=None,
        address=None,
    )
    assert decision.target == "triage"
    assert "no coordinates" in decision.reason


# -------------------------------------------------------------------------- gazetteer

PLACE_NAMES = ["示范区", "东城街道", "西城街道"]
BUILDING_1 = "510302001001001"
BUILDING_9 = "510302001001002"


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer(
        [
            ("示范区东城街道桂花路1号1栋", BUILDING_1),
            ("示范区东城街道桂花路9号", BUILDING_9),
            ("示范区西城街道超市路8号", BUILDING_9),
        ],
        prefixes=PLACE_NAMES,
        threshold=0.9,
    )


@pytest.mark.parametrize(
    "written",
    [
        "桂花路1号1栋",
        "示范区东城街道桂花路1号1栋",
        "四川省自贡市示范区东城街道桂花路1号1栋",
        "示范区 东城街道 桂花路１号１号楼",
        "东城街道，桂花路1号1幢",
    ],
)
def test_spelling_variants_of_an_address_find_its_building(
    gazetteer: Gazetteer, written: str
) -> None:
    assert gazetteer.lookup(written) == (BUILDING_1, "桂花路1号1栋", 1.0)


def test_a_place_name_inside_the_street_name_is_not_dropped() -> None:
    assert normalize_address("示范区超市路8号", prefixes=PLACE_NAMES) == "超市路8号"


def test_an_address_naming_a_building_and_more_finds_the_building(gazetteer: Gazetteer) -> None:
    grid, key, score = gazetteer.lookup("桂花路9号附近的垃圾站") or ("", "", 0.0)
    assert (grid, key) == (BUILDING_9, "桂花路9号")
    assert 0 < score < 1


def test_a_near_miss_above_the_threshold_matches_fuzzily() -> None:
    strict = Gazetteer([("和平大道一百二十八号三栋", BUILDING_1)], prefixes=(), threshold=0.9)
    match = strict.lookup("和平大道一百二十八号三幢楼")  # 幢 → 栋, one extra character
    assert match is not None
    assert match[0] == BUILDING_1
    assert 0.9 <= match[2] < 1


def test_an_unknown_address_finds_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.lookup("火星基地1号") is None
    assert gazetteer.lookup("") is None


def test_an_address_found_only_in_the_gazetteer_is_routed_by_it(gazetteer: Gazetteer) -> None:
    decision = decide(
        index=RoutingIndex(GridIndex([]), gazetteer),
        category=Category(
            code="environment/garbage-overflow",
            name="垃圾满溢",
            handler="grid",
            department_code=None,
            priority="normal",
        ),
        category_hint="environment/garbage-overflow",
        location=None,
        address="桂花路1号1号楼",
    )
    assert (decision.target, decision.method, decision.grid_code) == (
        "grid",
        "gazetteer",
        BUILDING_1,
    )


def test_hyphens_keep_building_and_door_numbers_apart() -> None:
    assert normalize_address("桂花路1-2号") != normalize_address("桂花路12号")


def test_an_address_naming_one_community_goes_to_its_station() -> None:
    index = RoutingIndex(
        GridIndex([]),
        NO_GAZETTEER,
        communities=[("桂花社区", "510302001001"), ("学府社区", "510302002002")],
    )
    category = Category(
        code="facility/road-damage",
        name="道路破损",
        handler="grid",
        department_code=None,
        priority="normal",
    )

    named = decide(
        index=index,
        category=category,
        category_hint=None,
        location=None,
        address="学府社区北门路面塌陷",
    )
    both = decide(
        index=index,
        category=category,
        category_hint=None,
        location=None,
        address="桂花社区和学府社区之间",
    )

    assert (named.target, named.method, named.community_code) == (
        "community",
        "community_name",
        "510302002002",
    )
    assert both.target == "triage"  # two communities named: a dispatcher decides


@pytest.mark.parametrize(
    ("hint", "location", "code"),
    [
        (None, None, "no_category"),
        ("something/unknown", None, "unknown_category"),
        ("environment/garbage-overflow", GeoPoint(lat=29.2, lon=104.2), "point_in_grid"),
        ("environment/garbage-overflow", GeoPoint(lat=31.0, lon=104.2), "point_in_no_grid"),
        ("environment/garbage-overflow", None, "no_location"),
    ],
)
def test_every_decision_has_a_reason_code_the_console_words(
    hint: str | None, location: GeoPoint | None, code: str
) -> None:
    decision = decide(
        index=RoutingIndex(GridIndex(GRIDS), NO_GAZETTEER),
        category=category("grid") if hint == "environment/garbage-overflow" else None,
        category_hint=hint,
        location=location,
        address=None,
    )
    assert decision.reason_code == code
    assert code in ROUTE_REASON_CODES
