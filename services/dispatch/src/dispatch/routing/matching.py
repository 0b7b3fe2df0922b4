"""Matching an address with the gazetteer on its parts (road, number, building …).

Callers leave out the district, street and community, and write numbers and building
words their own way, so the gazetteer is indexed by road → doorplate number → entries,
and an address matches on the parts it names:

- road + number + building places a building; road + number alone places it when every
  entry at that number lies in one grid;
- the community, street or district the address names breaks ties between entries of
  the same road, number and building (a road name used in two streets), and an address
  naming a known community the entry is not in is not matched;
- a road name one character off (宾江路 for 滨江路) is read as the one road it can be, and
  only then (never 路 for 街: 滨江路 and 滨江街 are two places).

A wrong grid is worse than triage, so anything ambiguous is a :class:`Miss` with the
reason, and the caller sends the case to a dispatcher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gridcase_events.addresses import AddressParts

# Confidence reported with a match on parts (1.0 is reserved for the gazetteer's own
# spelling of the address).
ON_PARTS = 0.95
ON_FEWER_PARTS = 0.9  # a road read one character off, or a building the gazetteer lacks
# Text before a known road that is this short is part of another road's name (北滨江路
# is not 滨江路); longer text is a name the gazetteer does not spell the same way.
MIN_UNKNOWN_PREFIX = 3
MIN_FUZZY_ROAD = 3  # a two-character road with one character wrong is any road
_ANY = "\0"
_WHOLE_DOORPLATE = " (building not in the gazetteer)"


@dataclass(frozen=True)
class Entry:
    parts: AddressParts
    grid: str
    key: str


@dataclass(frozen=True)
class Hit:
    grid: str
    key: str
    score: float
    why: str  # "matched road+number+building; community from gazetteer (桂花社区)"


@dataclass(frozen=True)
class Miss:
    why: str  # "no number 999 on 滨江路"


@dataclass(frozen=True)
class _Road:
    name: str
    note: str  # how the address's road was read, "" when written as in the gazetteer


class PartsIndex:
    """The gazetteer's entries that have a road and a doorplate number, by road and
    number, with a one-character-wildcard index of road names for misspellings."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._at: dict[str, dict[str, list[Entry]]] = defaultdict(lambda: defaultdict(list))
        self._communities: set[str] = set()
        self._streets: set[str] = set()
        for entry in entries:
            parts = entry.parts
            if parts.road is None or parts.number is None:
                continue
            self._at[parts.road][parts.number].append(entry)
            if parts.community:
                self._communities.add(parts.community)
            if parts.street:
                self._streets.add(parts.street)
        self._near: dict[str, set[str]] = defaultdict(set)
        for road in self._at:
            for wildcard in _wildcards(road):
                self._near[wildcard].add(road)

    def __len__(self) -> int:
        return sum(len(entries) for numbers in self._at.values() for entries in numbers.values())

    def match(self, address: AddressParts) -> Hit | Miss:
        """The entry the address names, or why none is named unambiguously."""
        if address.road is None or address.number is None:
            return Miss("names no road and doorplate number")
        road = self._road(address.road)
        if isinstance(road, Miss):
            return road
        numbers = self._at[road.name]
        if address.number not in numbers:
            return Miss(f"no number {address.number} on {road.name}")
        candidates, used = _by_building(numbers[address.number], address)
        if not candidates:
            return Miss(f"no building {address.building} at {road.name}{address.number}号")
        return self._settle(candidates, address=address, road=road, used=used)

    def _road(self, written: str) -> _Road | Miss:
        if written in self._at:
            return _Road(written, "")
        # "自贡滨江路": a name the gazetteer spells otherwise, then a known road.
        for start in range(MIN_UNKNOWN_PREFIX, len(written) - 1):
            if written[start:] in self._at:
                return _Road(written[start:], "")
        if len(written) >= MIN_FUZZY_ROAD:
            near = {road for w in _wildcards(written) for road in self._near.get(w, ())}
            if len(near) == 1:
                [road] = near
                return _Road(road, f"road {written} read as {road} (one character off)")
            if len(near) > 1:
                return Miss(f"road {written} is one character off {', '.join(sorted(near))}")
        return Miss(f"no road {written} in the gazetteer")

    def _settle(
        self, candidates: Sequence[Entry], *, address: AddressParts, road: _Road, used: str
    ) -> Hit | Miss:
        """One grid among the candidates, ties broken by the places the address names."""
        notes = [road.note] if road.note else []
        for level in ("community", "street", "district"):
            named = getattr(address, level)
            if named is None:
                continue
            narrowed = [e for e in candidates if getattr(e.parts, level) == named]
            if narrowed:
                if len({e.grid for e in narrowed}) < len({e.grid for e in candidates}):
                    notes.append(f"{level} named in the address breaks a tie")
                candidates = narrowed
            elif self._contradicts(level, named, candidates):
                where = ", ".join(sorted({str(getattr(e.parts, level)) for e in candidates}))
                return Miss(f"the address names {level} {named}, the gazetteer has {where}")
        grids = sorted({e.grid for e in candidates})
        if len(grids) > 1:
            return Miss(f"{used} lies in grids {', '.join(grids)}")
        entry = candidates[0]
        if address.community is None and entry.parts.community:
            notes.append(f"community from gazetteer ({entry.parts.community})")
        whole = used.endswith(_WHOLE_DOORPLATE)
        return Hit(
            grid=grids[0],
            key=entry.key,
            score=ON_FEWER_PARTS if road.note or whole else ON_PARTS,
            why="; ".join([f"matched {used}", *notes]),
        )

    def _contradicts(self, level: str, named: str | None, candidates: Sequence[Entry]) -> bool:
        """The address names a community (or street) the gazetteer knows, and none of the
        candidates lies in it."""
        known = {"community": self._communities, "street": self._streets}.get(level, set())
        return (
            named is not None
            and named in known
            and all(getattr(e.parts, level) not in (None, named) for e in candidates)
        )


def _by_building(entries: Sequence[Entry], address: AddressParts) -> tuple[list[Entry], str]:
    """The entries at the address's doorplate that its building (and unit) name, and the
    parts that matched."""
    if address.building is None:
        return list(entries), "road+number"
    same = [e for e in entries if e.parts.building == address.building]
    if not same:
        # A doorplate the gazetteer lists without buildings covers them all.
        whole = [e for e in entries if e.parts.building is None]
        return whole, f"road+number{_WHOLE_DOORPLATE}"
    if address.unit is not None:
        same_unit = [e for e in same if e.parts.unit == address.unit]
        if same_unit:
            return same_unit, "road+number+building+unit"
    return same, "road+number+building"


def _wildcards(road: str) -> list[str]:
    """The road name with each character but its last (路, 街, 巷 …) replaced by a
    wildcard: two names sharing one of these differ in one character."""
    return [road[:i] + _ANY + road[i + 1 :] for i in range(len(road) - 1)]
