"""Addresses as people write them, folded to one key (the normaliser every service uses).

Routing matches the gazetteer with it (dispatch), duplicate merge compares addresses
with it (intake), and household visits key a household's file with it (intake), so
"桂花路１号 1栋", "桂花路1号1幢" and "桂花路1号1号楼" are one building everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

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
