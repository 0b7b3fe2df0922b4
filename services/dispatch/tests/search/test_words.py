"""Which words may be matched with LIKE instead of ILIKE (pure logic)."""

import pytest

from dispatch.search.repository import caseless


@pytest.mark.parametrize(
    "words", ["井盖松动", "某某路123号", "１２３号，", "【停水】", "#5 - 3", "𠀋", "豈"]
)
def test_words_without_case(words: str) -> None:
    assert caseless(words)


@pytest.mark.parametrize(
    "words", ["WATER", "water", "A栋", "Ａ栋", "ß", "Ǆ", "İ", "K", "Ω", "é", "100%_b"]
)
def test_words_with_a_cased_letter(words: str) -> None:
    assert not caseless(words)
