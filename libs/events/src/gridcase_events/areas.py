"""Area codes: the geography's one shared word (docs/architecture.md).

A code chains its parents' codes: district ``510302`` (GB/T 2260, 6 digits) + street
``001`` + community ``002`` + grid ``003`` → ``510302001002003``. So the level of a code
is its length, its parent is a prefix, and "inside this area" is a prefix test. Every
service asks these questions here rather than slicing strings itself.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

AreaLevel = Literal["district", "street", "community", "grid"]
LEVELS: Final[tuple[AreaLevel, ...]] = get_args(AreaLevel)
LENGTHS: Final[dict[AreaLevel, int]] = {"district": 6, "street": 9, "community": 12, "grid": 15}
_BY_LENGTH: Final[dict[int, AreaLevel]] = {n: level for level, n in LENGTHS.items()}


class AreaCode(str):
    """An area code of the chained form; ``AreaCode("510302001002003").community``."""

    __slots__ = ()

    @property
    def level(self) -> AreaLevel | None:
        """The level its length says, or None for a code of another shape (an imported
        district may use its own codes; then the directory's parent links decide)."""
        return _BY_LENGTH.get(len(self)) if self.isdigit() else None

    def at(self, level: AreaLevel) -> AreaCode | None:
        """This code's ancestor (or itself) at `level`; None when it is above `level`."""
        n = LENGTHS[level]
        own = self.level
        if own is None or LENGTHS[own] < n:
            return None
        return AreaCode(self[:n])

    @property
    def district(self) -> AreaCode | None:
        return self.at("district")

    @property
    def street(self) -> AreaCode | None:
        return self.at("street")

    @property
    def community(self) -> AreaCode | None:
        return self.at("community")

    @property
    def parent(self) -> AreaCode | None:
        own = self.level
        if own is None or own == "district":
            return None
        return self.at(LEVELS[LEVELS.index(own) - 1])

    def ancestors(self) -> list[AreaCode]:
        """From the district down to the parent, not including itself."""
        own = self.level
        if own is None:
            return []
        return [AreaCode(self[: LENGTHS[lv]]) for lv in LEVELS[: LEVELS.index(own)]]

    def contains(self, other: str | None) -> bool:
        """Whether `other` is this area or lies inside it (a prefix test)."""
        return other is not None and other.startswith(self) and len(self) > 0


def community_of(code: str | None) -> str | None:
    """The community a grid (or community) code belongs to; None for higher levels."""
    if not code:
        return None
    found = AreaCode(code).community
    return str(found) if found is not None else None


def within(area_code: str | None, code: str | None) -> bool:
    """Whether `code` lies in `area_code` (both may be None: then False)."""
    return bool(area_code) and AreaCode(area_code or "").contains(code)


DISTRICT_LENGTH: Final = LENGTHS["district"]


def district_of(code: str | None) -> str | None:
    """The district (the tenant) an area code lies in: its first six characters (GB/T
    2260); None for no code or a code shorter than a district's."""
    if not code or len(code) < DISTRICT_LENGTH:
        return None
    return code[:DISTRICT_LENGTH]
