"""The parts of an address as people write it (parse_address)."""

import pytest

from gridcase_events.addresses import AddressParts, chinese_number, parse_address


def test_an_address_written_the_official_way_splits_into_every_part() -> None:
    assert parse_address("示范区滨江街道滨江社区滨江路183号26号楼3单元402室") == AddressParts(
        district="示范区",
        street="滨江街道",
        community="滨江社区",
        road="滨江路",
        number="183",
        building="26",
        unit="3",
        room="402",
    )


@pytest.mark.parametrize(
    "written",
    [
        "滨江路183号26号楼",
        "滨江路183号26栋",
        "滨江路183号26幢",
        "滨江路183号26座",
        "滨江路１８３号 ２６栋",
        "滨江路一百八十三号二十六栋",
        "滨江路，183号、26栋。",
        "滨江路183号26栋门口",
        "滨江路183号26栋楼下",
        "滨江路183号26号楼附近",
    ],
)
def test_the_ways_callers_write_a_building_give_the_same_parts(written: str) -> None:
    parts = parse_address(written)
    assert (parts.road, parts.number, parts.building) == ("滨江路", "183", "26")


@pytest.mark.parametrize(("road"), ["滨江路", "滨江街", "滨江巷", "滨江大道"])
def test_road_words_are_kept(road: str) -> None:
    assert parse_address(f"{road}5号").road == road


@pytest.mark.parametrize("road", ["新村路", "区府路", "镇江路", "五星街", "八一路", "三环路"])
def test_road_names_holding_a_place_word_or_a_numeral_stay_whole(road: str) -> None:
    parts = parse_address(f"示范区东城街道桂花社区{road}七号")
    assert (parts.road, parts.number, parts.community) == (road, "7", "桂花社区")


def test_a_doorplate_written_with_lou_after_the_road_is_the_doorplate() -> None:
    parts = parse_address("枫林巷3号楼")
    assert (parts.road, parts.number, parts.building) == ("枫林巷", "3", None)


def test_a_hyphenated_doorplate_is_not_another_number() -> None:
    assert parse_address("桂花路1-2号").number == "1-2"


def test_an_address_without_a_doorplate_has_no_parts_but_its_text() -> None:
    assert parse_address("学府社区北门附近") == AddressParts(rest="学府社区北门")


@pytest.mark.parametrize(
    ("numeral", "value"), [("二十六", 26), ("十", 10), ("一百零三", 103), ("一八三", 183)]
)
def test_chinese_numerals_read_as_numbers(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value
