"""Matching addresses with the gazetteer on their parts (routing/matching.py), through
Gazetteer.match as routing uses it."""

import pytest

from dispatch.directory.models import Category
from dispatch.routing.matching import Hit, Miss
from dispatch.routing.service import Gazetteer, GridIndex, RoutingIndex, decide

RIVERSIDE = "510399001001001"
RIVERSIDE_2 = "510399001001002"
OSMANTHUS = "510399001002001"
WEST_TOWN = "510399002001001"

ENTRIES = [
    ("示范区滨江街道滨江社区滨江路183号26号楼", RIVERSIDE),
    ("示范区滨江街道滨江社区滨江路183号27号楼", RIVERSIDE),
    ("示范区滨江街道滨江社区滨江路185号1号楼", RIVERSIDE),
    ("示范区滨江街道滨江社区滨江路185号2号楼", RIVERSIDE_2),
    ("示范区滨江街道滨江社区滨江街7号1号楼", OSMANTHUS),
    ("示范区滨江街道桂花社区桂花路9号", OSMANTHUS),
    # The same road name in two streets.
    ("示范区滨江街道桂花社区人民路1号1号楼", OSMANTHUS),
    ("示范区西城街道西城社区人民路1号1号楼", WEST_TOWN),
    # Two roads one character apart.
    ("示范区西城街道西城社区青松路2号1号楼", WEST_TOWN),
    ("示范区西城街道西城社区青杉路2号1号楼", WEST_TOWN),
]


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer(ENTRIES, prefixes=["示范区", "滨江街道", "西城街道"], threshold=0.9)


def hit(gazetteer: Gazetteer, address: str) -> Hit:
    found = gazetteer.match(address)
    assert isinstance(found, Hit), found
    return found


def miss(gazetteer: Gazetteer, address: str) -> str:
    found = gazetteer.match(address)
    assert isinstance(found, Miss), found
    return found.why


@pytest.mark.parametrize(
    "written",
    [
        "滨江路183号 ２６栋",
        "滨江路一百八十三号二十六幢",
        "滨江路183号26座门口",
        "自贡市 滨江路183号26号楼",
    ],
)
def test_a_building_written_as_callers_say_it_is_placed(gazetteer: Gazetteer, written: str) -> None:
    found = hit(gazetteer, written)
    assert found.grid == RIVERSIDE
    assert found.why == "matched road+number+building; community from gazetteer (滨江社区)"


def test_road_and_number_alone_place_a_doorplate_whose_buildings_share_a_grid(
    gazetteer: Gazetteer,
) -> None:
    assert hit(gazetteer, "滨江路183号").grid == RIVERSIDE


def test_road_and_number_alone_spanning_two_grids_go_to_triage(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "滨江路185号") == (
        f"road+number lies in grids {RIVERSIDE}, {RIVERSIDE_2}"
    )


def test_a_number_the_road_does_not_have_is_not_placed(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "滨江路999号1栋") == "no number 999 on 滨江路"


def test_a_building_the_doorplate_does_not_have_is_not_placed(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "滨江路183号9栋") == "no building 9 at 滨江路183号"


def test_a_building_at_a_doorplate_listed_whole_goes_to_the_doorplate_grid(
    gazetteer: Gazetteer,
) -> None:
    found = hit(gazetteer, "桂花路9号3栋")
    assert found.grid == OSMANTHUS
    assert found.why.startswith("matched road+number (building not in the gazetteer)")


def test_lu_jie_and_xiang_are_different_roads(gazetteer: Gazetteer) -> None:
    assert hit(gazetteer, "滨江街7号1栋").grid == OSMANTHUS
    assert miss(gazetteer, "滨江巷7号1栋") == "no road 滨江巷 in the gazetteer"


def test_a_road_one_character_off_is_read_as_the_one_road_it_can_be(
    gazetteer: Gazetteer,
) -> None:
    found = hit(gazetteer, "宾江路183号26栋")
    assert found.grid == RIVERSIDE
    assert "road 宾江路 read as 滨江路 (one character off)" in found.why
    assert found.score < 1


def test_a_road_one_character_off_two_roads_goes_to_triage(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "青柏路2号1栋") == "road 青柏路 is one character off 青杉路, 青松路"


def test_a_road_named_in_two_streets_needs_the_street_or_community(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "人民路1号1栋").startswith("road+number+building lies in grids")
    by_community = hit(gazetteer, "西城社区人民路一号一栋")
    assert by_community.grid == WEST_TOWN
    assert "community named in the address breaks a tie" in by_community.why
    assert hit(gazetteer, "滨江街道人民路1号1栋").grid == OSMANTHUS


def test_an_address_naming_another_known_community_is_not_placed(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "桂花社区滨江路183号26栋") == (
        "the address names community 桂花社区, the gazetteer has 滨江社区"
    )


def test_a_longer_road_ending_like_a_known_one_is_not_that_road(gazetteer: Gazetteer) -> None:
    assert miss(gazetteer, "北滨江路183号26栋") == "no road 北滨江路 in the gazetteer"


GARBAGE = Category(
    code="environment/garbage-overflow",
    name="垃圾满溢",
    handler="grid",
    department_code=None,
    priority="normal",
)


def test_the_route_reason_says_which_parts_matched(gazetteer: Gazetteer) -> None:
    decision = decide(
        index=RoutingIndex(GridIndex([]), gazetteer),
        category=GARBAGE,
        category_hint=None,
        location=None,
        address="滨江路183号 ２６栋门口",
    )

    assert (decision.target, decision.method, decision.grid_code) == (
        "grid",
        "gazetteer",
        RIVERSIDE,
    )
    assert decision.reason == (
        "address '滨江路183号 ２６栋门口' matches gazetteer entry '滨江社区滨江路183号26栋': "
        "matched road+number+building; community from gazetteer (滨江社区), "
        f"grid {RIVERSIDE}"
    )


def test_the_triage_reason_says_why_the_address_was_not_placed(gazetteer: Gazetteer) -> None:
    decision = decide(
        index=RoutingIndex(GridIndex([]), gazetteer),
        category=GARBAGE,
        category_hint=None,
        location=None,
        address="滨江路185号",
    )

    assert decision.target == "triage"
    assert decision.reason == (
        "no coordinates and the address is not in the gazetteer "
        f"(road+number lies in grids {RIVERSIDE}, {RIVERSIDE_2}): a dispatcher decides"
    )
