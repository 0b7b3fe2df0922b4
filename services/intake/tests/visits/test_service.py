"""Household addresses (pure)."""

from intake.visits.service import address_key


def test_full_width_forms_and_spaces_do_not_make_another_household() -> None:
    assert address_key("桂花路 １号１栋 Ａ座") == address_key("桂花路1号1栋a座")
    assert address_key("桂花路1号1栋") != address_key("桂花路1号2栋")
