"""The household key fits its column however much NFKC lengthens the address."""

from intake.merge.service import normalize_address, normalize_category
from intake.visits.service import address_key


def test_keys_that_lengthen_when_folded_are_cut_to_their_columns() -> None:
    assert len(address_key("ﷺ" * 300)) == 300
    assert len(normalize_address("㍿" * 300) or "") == 300
    assert len(normalize_category("ﷺ" * 100) or "") == 100
    # Short keys are untouched.
    assert address_key("桂花路 1号１栋") == "桂花路1号1栋"
