"""The pure rules of duplicate merging: distances and normalised keys."""

import pytest

from intake.merge.service import distance_m, normalize_address, normalize_category


def test_haversine_distance_matches_known_figures() -> None:
    # One minute of latitude is one nautical mile (1852 m) to within half a percent.
    assert distance_m(29.0, 104.0, 29.0 + 1 / 60, 104.0) == pytest.approx(1852, rel=0.005)
    # Along a parallel, a degree shrinks with the cosine of the latitude.
    assert distance_m(60.0, 10.0, 60.0, 11.0) == pytest.approx(55_800, rel=0.005)
    assert distance_m(29.355, 104.7725, 29.355, 104.7725) == 0


@pytest.mark.parametrize(
    "variant",
    [
        "示范区东城街道桂花路1号1栋",
        "示范区 东城街道 桂花路 1 号 1 栋",
        "示范区东城街道桂花路１号１栋",  # full-width digits
        "示范区东城街道，桂花路1号、1栋。",
        "示范区东城街道桂花路1号1幢",
        "示范区东城街道桂花路1号1号楼",
    ],
)
def test_address_variants_normalise_to_one_key(variant: str) -> None:
    assert normalize_address(variant) == normalize_address("示范区东城街道桂花路1号1栋")


def test_different_doorplates_stay_different() -> None:
    assert normalize_address("桂花路1-2号") != normalize_address("桂花路12号")
    assert normalize_address("桂花路1号1栋") != normalize_address("桂花路1号2栋")
    assert normalize_address("  ") is None
    assert normalize_address(None) is None


def test_category_hints_compare_without_case_width_or_spaces() -> None:
    assert normalize_category(" Environment/Garbage-Overflow ") == "environment/garbage-overflow"
    assert normalize_category("ＥＮＶＩＲＯＮＭＥＮＴ/garbage-overflow") == (
        "environment/garbage-overflow"
    )
    assert normalize_category("垃圾 满溢") == normalize_category("垃圾满溢")
    assert normalize_category("   ") is None
