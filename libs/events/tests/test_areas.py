import pytest

from gridcase_events.areas import AreaCode, community_of, within


def test_a_grid_code_names_each_level_above_it() -> None:
    grid = AreaCode("510302001002003")
    assert grid.level == "grid"
    assert (grid.district, grid.street, grid.community) == ("510302", "510302001", "510302001002")
    assert grid.parent == "510302001002"
    assert grid.ancestors() == ["510302", "510302001", "510302001002"]


def test_a_street_has_no_community_and_a_district_no_parent() -> None:
    assert AreaCode("510302001").community is None
    assert AreaCode("510302").parent is None


@pytest.mark.parametrize("code", ["", "CG-01", "51030200100", "5103020010020031"])
def test_a_code_of_another_shape_has_no_level(code: str) -> None:
    assert AreaCode(code).level is None
    assert AreaCode(code).community is None


def test_inside_is_a_prefix_test_and_nothing_is_inside_an_empty_area() -> None:
    assert within("510302001", "510302001002003")
    assert not within("510302002", "510302001002003")
    assert not within("", "510302001002003")
    assert not within(None, "510302001002003")
    assert not within("510302", None)


def test_community_of_a_grid() -> None:
    assert community_of("510302001002003") == "510302001002"
    assert community_of("510302001") is None
    assert community_of(None) is None
