"""Addresses as people write them, folded to one key (the normaliser every service uses).

Routing matches the gazetteer with it (dispatch), duplicate merge compares addresses
with it (intake), and household visits key a household's file with it (intake), so
"桂花路１号 1栋", "桂花路1号1幢" and "桂花路1号1号楼" are one building everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Spaces and punctuation that do not change an address. Hyphens stay: "1-2号" ≠ "12号".
NOISE = re.compile(r"[\s,，.。、;；:：'\"“”‘’()（）\[\]【】<>《》_]+")
_BUILDING = re.compile(r"(号楼|幢|栋)")
# What may stand before the district's own name: "四川省", "自贡市", "凉山彝族自治州".
_REGION_TAIL = re.compile(r"(省|自治区|市|自治州|州|盟)$")


def fold(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, no spaces or punctuation."""
    return NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


def normalize_address(address: str, *, prefixes: Sequence[str] = ()) -> str:
    """:func:`fold`, 号楼/幢/栋 → 栋, and leading place names dropped: the known
    district and street names (`prefixes`, already folded, longest first) and any
    province or city written before them."""
    text = _BUILDING.sub("栋", fold(address))
    for _ in range(len(prefixes) + 1):
        before = text
        for prefix in prefixes:
            if text.startswith(prefix):
                text = text[len(prefix) :]
        # "四川省自贡市示范区…": drop the region only when a known name follows it.
        cuts = [i for i in (text.find(p) for p in prefixes) if 0 < i <= 16]
        if cuts and _REGION_TAIL.search(text[: min(cuts)]):
            text = text[min(cuts) :]
        if text == before:
            break
    return text


# ------------------------------------------------------------------ parts of an address
#
# Routing matches on the parts of an address rather than on the whole string, because
# callers leave out the district, street and community, and write numbers and building
# words their own way ("滨江路183号 二十六幢" is "示范区滨江街道滨江社区滨江路183号26号楼").

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# A run of Chinese numerals counts only before a word that numbers something, so road
# names such as 五星街, 八一路 or 三环路 keep their characters.
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千]+(?=号|栋|幢|座|单元|室|楼|层)")
# What callers add around a place: "门口", "楼下", "附近" say where, not which building.
_NEAR_WORDS = re.compile(r"门口|楼下|附近|旁边|对面|周边|一带|边上")
# The doorplate number (号, 号院); "3号楼" right after a road is the doorplate 3 (枫林巷3号楼).
_DOORPLATE = re.compile(r"(\d+(?:-\d+)?)号院?(?!楼)")
_DOORPLATE_BUILDING = re.compile(r"(\d+(?:-\d+)?)号楼")
_AFTER_DOORPLATE = re.compile(
    r"(?:(?P<building>[0-9a-z]+(?:-[0-9a-z]+)?)(?:号楼|栋|幢|座|号))?"
    r"(?:(?P<unit>[0-9a-z]+)单元)?"
    r"(?:\d+[楼层](?=\d))?"
    r"(?:(?P<room>\d+(?:-\d+)?)(?:室|房|号)?)?"
)
# Names of administrative units end with these words. A one-character word ends a name
# only when at least two characters stand before it in a name, so 新村路, 区府路 and
# 镇江路 stay road names.
_UNIT_WORD = re.compile(r"居委会|村委会|自治区|自治州|社区|街道|省|市|区|县|旗|镇|乡|村|州")
_LEVEL_OF_WORD = {
    "社区": "community",
    "居委会": "community",
    "村委会": "community",
    "村": "community",
    "街道": "street",
    "镇": "street",
    "乡": "street",
    "区": "district",
    "县": "district",
    "旗": "district",
}


@dataclass(frozen=True)
class AddressParts:
    """An address split into its parts, each folded (half-width, lower case, Arabic
    numerals, 号楼/幢/座 → 栋). A part the address does not name is None.

    `road` is the road, street or lane with its word (路, 街, 巷 and 大道 are kept: 滨江路
    and 滨江街 are different places); `number` the doorplate (号); `building` the building
    (号楼/栋/幢/座); `rest` what follows that is none of these."""

    road: str | None = None
    number: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    rest: str = ""


def chinese_number(text: str) -> int:
    """二十六 → 26, 一百零三 → 103, 十 → 10; digits without 十/百/千 read one by one
    (一八三 → 183)."""
    if not any(ch in _CN_UNITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, 0
    for ch in text:
        if ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            digit = _CN_DIGITS[ch]
    return total + digit


def fold_parts_text(address: str) -> str:
    """:func:`fold`, then Chinese numerals before 号/栋/单元/室/楼 as Arabic numerals and
    the words that say "near" (门口, 楼下, 附近, 旁边, 对面) dropped."""
    text = fold(address)
    text = _CN_NUMBER.sub(lambda m: str(chinese_number(m.group())), text)
    return _NEAR_WORDS.sub("", text)


def parse_address(address: str) -> AddressParts:
    """The parts of an address. Without a doorplate number (号) only `rest` is set: the
    parts of such an address cannot be told apart reliably."""
    text = fold_parts_text(address)
    doorplate = next((m for m in _DOORPLATE.finditer(text) if m.start() > 0), None)
    if doorplate is None:
        doorplate = next((m for m in _DOORPLATE_BUILDING.finditer(text) if m.start() > 0), None)
    if doorplate is None:
        return AddressParts(rest=text)
    head, tail = text[: doorplate.start()], text[doorplate.end() :]
    after = _AFTER_DOORPLATE.match(tail)
    assert after is not None  # every group is optional: it always matches
    places = _places(head)
    return AddressParts(
        road=places.pop("road", None),
        number=doorplate.group(1),
        building=after.group("building"),
        unit=after.group("unit"),
        room=after.group("room"),
        district=places.get("district"),
        street=places.get("street"),
        community=places.get("community"),
        rest=tail[after.end() :],
    )


def _unit_word_ends(head: str) -> list[tuple[int, str]]:
    """Where names of administrative units end in `head`, with their word."""
    ends: list[tuple[int, str]] = []
    for match in _UNIT_WORD.finditer(head):
        word = match.group()
        if len(word) > 1 or match.start() - (ends[-1][0] if ends else 0) >= 2:
            ends.append((match.end(), word))
    return ends


def _places(head: str) -> dict[str, str]:
    """The road (the text after the last administrative name, at least a name and its
    word long) and the district, street and community named before it."""
    ends = _unit_word_ends(head)
    cut = 0
    for end, word in reversed(ends):
        if len(head) - end >= (2 if len(word) > 1 else 3):
            cut = end
            break
    found: dict[str, str] = {}
    if head[cut:]:
        found["road"] = head[cut:]
    start = 0
    for end, word in ends:
        if end > cut:
            break
        level = _LEVEL_OF_WORD.get(word)
        if level is not None:
            found[level] = head[start:end]
        start = end
    return found
