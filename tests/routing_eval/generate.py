"""Evaluation sets for address routing: variants of a gazetteer's addresses as callers
write them, labelled with the grid they must reach (or triage), and synthetic districts.

    # a synthetic district: areas.geojson and gazetteer.csv (written the official way)
    .venv/bin/python tests/routing_eval/generate.py district --seed 1 --out /tmp/district
    # variants of any gazetteer (CSV address,grid_code) as CSV kind,address,grid_code
    .venv/bin/python tests/routing_eval/generate.py variants deploy/demo/gazetteer.csv --seed 1

The labels come from the gazetteer alone: a variant that leaves out the places before
the road is labelled triage when its road, number and building lie in more than one grid,
and a misspelt road when it is one character off more than one road. Routing a negative
(a number or a road in no gazetteer) anywhere is a wrong grid.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely import MultiPoint, box, voronoi_polygons
from shapely.geometry import mapping

from gridcase_events.addresses import AddressParts, parse_address

POSITIVE_KINDS = (
    "as_written",
    "no_prefix",
    "no_district_street",
    "full_width",
    "building_word",
    "chinese_numerals",
    "spaces_punctuation",
    "misspelled",
    "extra_words",
    "no_building",
    "unit_and_room",
    "mixed",
)
NEGATIVE_KINDS = ("no_such_number", "no_such_road")
KINDS = POSITIVE_KINDS + NEGATIVE_KINDS

BUILDING_WORDS = ("号楼", "栋", "幢", "座")
NEAR_WORDS = ("门口", "楼下", "附近", "旁边", "对面")
SEPARATORS = (" ", "  ", ",", "，", "、", " , ", "\u3000")
# Characters a misspelt road name may take (sounds-alike and common slips).
SLIPS = "滨宾彬斌江姜将桂贵花华和河合平坪萍安岸兴星新欣民明名东冬西溪南楠北贝阳杨扬光广"
# Road names of no gazetteer: characters no generated district uses.
NOWHERE = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
ROAD_WORDS = ("路", "街", "巷", "大道")
_CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Variant:
    kind: str
    address: str
    grid_code: str | None  # None: a dispatcher must decide (triage)
    source: str  # the gazetteer address it was made from


@dataclass
class Tally:
    """Outcomes of one kind: positives routed right, wrong or to triage, and negatives
    routed anywhere (wrong) or to triage (right)."""

    right: int = 0
    wrong: int = 0
    triage: int = 0
    expected_triage: int = 0
    wrong_on_triage: int = 0

    @property
    def positives(self) -> int:
        return self.right + self.wrong + self.triage

    @property
    def total(self) -> int:
        return self.positives + self.expected_triage + self.wrong_on_triage

    @property
    def recall(self) -> float:
        """Positives routed to their grid."""
        return self.right / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        """Of everything routed to a grid, the share that went to the right one."""
        routed = self.right + self.wrong + self.wrong_on_triage
        return self.right / routed if routed else 1.0

    @property
    def wrong_rate(self) -> float:
        """Variants routed to a wrong grid, of all variants."""
        return (self.wrong + self.wrong_on_triage) / self.total if self.total else 0.0

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.triage += other.triage
        self.expected_triage += other.expected_triage
        self.wrong_on_triage += other.wrong_on_triage


def score(variants: Sequence[Variant], route: Callable[[str], str | None]) -> dict[str, Tally]:
    """Tallies per kind and overall (key "all"); `route` answers a grid code or None."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for variant in variants:
        got = route(variant.address)
        tally = tallies[variant.kind]
        if variant.grid_code is None:
            if got is None:
                tally.expected_triage += 1
            else:
                tally.wrong_on_triage += 1
        elif got == variant.grid_code:
            tally.right += 1
        elif got is None:
            tally.triage += 1
        else:
            tally.wrong += 1
    overall = Tally()
    for tally in tallies.values():
        overall.add(tally)
    return {**dict(sorted(tallies.items())), "all": overall}


def report(tallies: dict[str, Tally]) -> str:
    lines = [f"{'kind':<20}{'n':>7}{'recall':>9}{'precision':>11}{'wrong':>8}{'triage':>8}"]
    for kind, t in tallies.items():
        lines.append(
            f"{kind:<20}{t.total:>7}{t.recall:>9.1%}{t.precision:>11.1%}"
            f"{t.wrong + t.wrong_on_triage:>8}{t.triage + t.expected_triage:>8}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------ variants


def chinese(number: int) -> str:
    """26 → 二十六, 183 → 一百八十三, 103 → 一百零三 (up to 9999)."""
    if number < 10:
        return _CN_DIGITS[number]
    out = ""
    zero = False
    for value, word in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if (value == 10 and number < 20) else _CN_DIGITS[digit]) + word
    return out


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


@dataclass(frozen=True)
class _Form:
    """How to write an address from its parts."""

    places: tuple[str, ...] = ("district", "street", "community")
    word: str = "号楼"
    numerals: bool = False
    sep: Sequence[str] = ("",)
    road: str | None = None
    building: bool = True
    extra: str = ""


def _render(parts: AddressParts, form: _Form, rng: random.Random) -> str:
    def num(text: str) -> str:
        return chinese(int(text)) if form.numerals and text.isdigit() else text

    pieces = [str(getattr(parts, level)) for level in form.places if getattr(parts, level)]
    pieces.append(f"{form.road or parts.road}{num(str(parts.number))}号")
    if form.building and parts.building:
        pieces.append(f"{num(parts.building.upper())}{form.word}")
    if parts.unit:
        pieces.append(f"{num(parts.unit)}单元")
    if parts.room:
        pieces.append(f"{parts.room}室")
    text = "".join(piece + rng.choice(form.sep) for piece in pieces).strip()
    return text + parts.rest + form.extra


@dataclass
class _Book:
    """The gazetteer by its parts, to label variants."""

    parsed: list[tuple[str, str, AddressParts]] = field(default_factory=list)
    grids_at: dict[tuple[str | None, ...], set[str]] = field(
        default_factory=lambda: defaultdict(set)
    )
    numbers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, gazetteer: Sequence[tuple[str, str]]) -> _Book:
        book = cls()
        for address, grid in gazetteer:
            parts = parse_address(address)
            if parts.road is None or parts.number is None:
                continue
            book.parsed.append((address, grid, parts))
            book.numbers[parts.road].add(parts.number)
            book.grids_at[(parts.road, parts.number, parts.building)].add(grid)
            book.grids_at[(parts.road, parts.number)].add(grid)
            book.grids_at[(parts.community, parts.road, parts.number, parts.building)].add(grid)
        return book

    def one_grid(self, key: tuple[str | None, ...]) -> str | None:
        grids = self.grids_at.get(key, set())
        return next(iter(grids)) if len(grids) == 1 else None

    def roads_one_off(self, road: str) -> set[str]:
        return {
            other
            for other in self.numbers
            if len(other) == len(road)
            and other[-1] == road[-1]
            and sum(a != b for a, b in zip(other, road, strict=True)) == 1
        }


def variants(
    gazetteer: Sequence[tuple[str, str]], *, seed: int, per_kind: int = 200
) -> list[Variant]:
    """Up to `per_kind` variants of each kind, from entries drawn with `seed`."""
    rng = random.Random(seed)
    book = _Book.of(gazetteer)
    out: list[Variant] = []
    for kind in KINDS:
        sources = book.parsed if len(book.parsed) <= per_kind else rng.sample(book.parsed, per_kind)
        for address, grid, parts in sources:
            made = _variant(kind, address, grid, parts, book=book, rng=rng)
            if made is not None:
                out.append(Variant(kind, made[0], made[1], address))
    return out


def _variant(
    kind: str,
    address: str,
    grid: str,
    parts: AddressParts,
    *,
    book: _Book,
    rng: random.Random,
) -> tuple[str, str | None] | None:
    """One variant of `address` of `kind`, with its label; None when the kind does not
    apply to the entry."""
    if kind in _SPELLINGS:
        return _spelling(kind, address, grid, parts, book=book, rng=rng)
    return _reshaped(kind, parts, book=book, rng=rng)


_SPELLINGS = {
    "as_written",
    "no_prefix",
    "no_district_street",
    "full_width",
    "building_word",
    "chinese_numerals",
    "spaces_punctuation",
    "extra_words",
}


def _spelling(
    kind: str,
    address: str,
    grid: str,
    parts: AddressParts,
    *,
    book: _Book,
    rng: random.Random,
) -> tuple[str, str | None] | None:
    """The same parts written another way."""
    bare = book.one_grid((parts.road, parts.number, parts.building))
    with_community = book.one_grid((parts.community, parts.road, parts.number, parts.building))
    short = _Form(places=())
    match kind:
        case "as_written":
            return address, grid
        case "no_prefix":
            return _render(parts, short, rng), bare
        case "no_district_street":
            return _render(parts, _Form(places=("community",)), rng), with_community
        case "full_width":
            return full_width(_render(parts, short, rng)), bare
        case "building_word":
            if parts.building is None:
                return None
            word = rng.choice(BUILDING_WORDS[1:])
            return _render(parts, _Form(places=(), word=word), rng), bare
        case "chinese_numerals":
            return _render(parts, _Form(places=(), numerals=True, word="栋"), rng), bare
        case "spaces_punctuation":
            return _render(parts, _Form(sep=SEPARATORS), rng), grid
        case "extra_words":
            extra = rng.choice(NEAR_WORDS)
            return _render(parts, _Form(places=(), word="栋", extra=extra), rng), bare
    raise ValueError(kind)


def _reshaped(
    kind: str, parts: AddressParts, *, book: _Book, rng: random.Random
) -> tuple[str, str | None] | None:
    """Parts left out, added, misspelt, or made up (the negatives)."""
    bare = book.one_grid((parts.road, parts.number, parts.building))
    short = _Form(places=())
    match kind:
        case "misspelled":
            return _misspelled(parts, book=book, rng=rng, label=bare)
        case "no_building":
            if parts.building is None:
                return None
            form = _Form(places=(), building=False)
            return _render(parts, form, rng), book.one_grid((parts.road, parts.number))
        case "unit_and_room":
            unit, room = rng.randint(1, 6), rng.randint(1, 30) * 100 + rng.randint(1, 4)
            form = _Form(places=(), extra=f"{unit}单元{room}室")
            return _render(parts, form, rng), bare
        case "mixed":
            # "滨江路183号 ２６栋门口": several habits at once.
            form = _Form(
                places=(),
                word=rng.choice(BUILDING_WORDS),
                numerals=rng.random() < 0.5,
                sep=SEPARATORS,
                extra=rng.choice(NEAR_WORDS),
            )
            text = _render(parts, form, rng)
            return (full_width(text) if rng.random() < 0.5 else text), bare
        case "no_such_number":
            taken = {int(n) for n in book.numbers[str(parts.road)] if n.isdigit()}
            number = max(taken, default=0) + rng.randint(1, 50)
            return _render(AddressParts(**{**vars(parts), "number": str(number)}), short, rng), None
        case "no_such_road":
            road = "".join(rng.sample(NOWHERE, 2)) + rng.choice(ROAD_WORDS)
            return _render(parts, _Form(places=(), road=road), rng), None
    raise ValueError(kind)


def _misspelled(
    parts: AddressParts, *, book: _Book, rng: random.Random, label: str | None
) -> tuple[str, str | None] | None:
    """The road with one character (not its road word) swapped; labelled triage when the
    slip is one character off more than one road."""
    road = str(parts.road)
    if len(road) < 3:
        return None
    for _ in range(10):
        at = rng.randrange(len(road) - 1)
        slip = road[:at] + rng.choice(SLIPS) + road[at + 1 :]
        if slip == road or slip in book.numbers:
            continue
        one_off = book.roads_one_off(slip)
        text = _render(parts, _Form(places=(), road=slip), rng)
        return text, (label if one_off == {road} else None)
    return None


# ------------------------------------------------------------------------------ district

GIVEN = (
    "桂花枫林滨江学府和平解放建设人民青松翠竹金沙银杏龙泉凤凰盐井釉彩丹桂紫荆文昌"
    "玉带锦绣长乐永安太平光明朝阳东升春华秋实梅园兰亭荷塘竹林松涛柳岸杏坛桃源"
    "白鹭黄桷红岩碧水云台雪峰石门沙湾双溪三元五福万寿华严天池清泉观音鹿鸣"
)
GRIDS = 64


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: dict[str, Any] | None = None
    kind: str | None = None
    households: int | None = None


@dataclass
class District:
    areas: list[Area]
    gazetteer: list[tuple[str, str]]

    def write(self, out: Path) -> None:
        """areas.geojson and gazetteer.csv, as the directory import takes them."""
        out.mkdir(parents=True, exist_ok=True)
        features = [
            {
                "type": "Feature",
                "geometry": area.geometry,
                "properties": {
                    k: v
                    for k, v in vars(area).items()
                    if k != "geometry" and (v is not None or k == "parent_code")
                },
            }
            for area in self.areas
        ]
        (out / "areas.geojson").write_text(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
            encoding="utf-8",
        )
        with (out / "gazetteer.csv").open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["address", "grid_code"])
            writer.writerows(self.gazetteer)


def _names(rng: random.Random, count: int, *, word: str, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        size = rng.choice((2, 2, 2, 3))
        start = rng.randrange(0, len(GIVEN) - size, 2) if size == 2 else rng.randrange(len(GIVEN))
        name = (GIVEN[start : start + size] if size == 2 else "".join(rng.sample(GIVEN, 3))) + word
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def district(seed: int, *, buildings: int = 3000) -> District:
    """A district of streets and communities over 64 irregular grids (Voronoi cells of
    random points), with a gazetteer of about `buildings` rows written the official way,
    `<district><street><community><road><number>号<building>号楼`. Some road names recur
    in two streets, some roads share a name with another road word (滨江路, 滨江街), and
    some doorplates have buildings in two grids."""
    rng = random.Random(seed)
    code = f"5103{rng.randint(10, 99)}"
    taken: set[str] = set()
    [name] = _names(rng, 1, word="区", taken=taken)
    areas = [Area(code, name, "district", None)]
    cells = _cells(rng, west=104.0 + rng.random(), south=29.0 + rng.random())
    streets = rng.randint(3, 5)
    street_names = _names(rng, streets, word="街道", taken=taken)
    # Uneven shares: 64 grids over the streets, then over 2–5 communities each.
    cuts = sorted(rng.sample(range(8, GRIDS - 8), streets - 1))
    bounds = list(zip([0, *cuts], [*cuts, GRIDS], strict=True))
    communities: list[tuple[Area, list[Area]]] = []
    for s, (lo, hi) in enumerate(bounds, start=1):
        street = Area(f"{code}{s:03d}", street_names[s - 1], "street", code)
        areas.append(street)
        count = min(rng.randint(2, 5), hi - lo)
        inner = sorted(rng.sample(range(lo + 1, hi), count - 1))
        names = _names(rng, count, word="社区", taken=taken)
        for c, (clo, chi) in enumerate(zip([lo, *inner], [*inner, hi], strict=True), start=1):
            community = Area(f"{street.code}{c:03d}", names[c - 1], "community", street.code)
            grids = [
                Area(
                    f"{community.code}{g:03d}",
                    f"第{g}网格",
                    "grid",
                    community.code,
                    geometry=mapping(cells[i]),
                    kind="unit" if rng.random() < 0.1 else "residential",
                    households=rng.randint(250, 500),
                )
                for g, i in enumerate(range(clo, chi), start=1)
            ]
            areas += [community, *grids]
            communities.append((community, grids))
    areas.sort(key=lambda a: (len(a.code), a.code))
    by_code = {a.code: a for a in areas}
    gazetteer = _gazetteer(rng, communities, by_code=by_code, buildings=buildings)
    return District(areas=areas, gazetteer=gazetteer)


def _cells(rng: random.Random, *, west: float, south: float) -> list[Any]:
    """64 irregular polygons tiling a 0.1° box, ordered west to east."""
    frame = box(west, south, west + 0.1, south + 0.1)
    points = MultiPoint(
        [(west + rng.random() * 0.1, south + rng.random() * 0.1) for _ in range(GRIDS)]
    )
    cells = [cell.intersection(frame) for cell in voronoi_polygons(points, extend_to=frame).geoms]
    return sorted(cells, key=lambda c: (round(c.centroid.x, 6), c.centroid.y))


def _gazetteer(
    rng: random.Random,
    communities: list[tuple[Area, list[Area]]],
    *,
    by_code: dict[str, Area],
    buildings: int,
) -> list[tuple[str, str]]:
    per_community = max(1, buildings // len(communities))
    taken: set[str] = set()
    rows: list[tuple[str, str]] = []
    shared: list[str] = []  # road names another street also uses
    for community, grids in communities:
        street = by_code[str(community.parent_code)]
        prefix = f"{by_code[str(street.parent_code)].name}{street.name}{community.name}"
        made = 0
        while made < per_community:
            if shared and rng.random() < 0.05:
                road = shared.pop()
            else:
                [road] = _names(rng, 1, word=rng.choice(ROAD_WORDS), taken=taken)
                if rng.random() < 0.05:
                    shared.append(road)
            for number in sorted(rng.sample(range(1, 400), rng.randint(5, 30))):
                home = rng.choice(grids).code
                if rng.random() < 0.1:
                    rows.append((f"{prefix}{road}{number}号", home))
                    made += 1
                    continue
                other = rng.choice(grids).code if rng.random() < 0.1 else home
                for building in range(1, rng.randint(2, 9)):
                    grid = other if building > 3 else home
                    rows.append((f"{prefix}{road}{number}号{building}号楼", grid))
                    made += 1
    # A road that recurs in another street may repeat a doorplate: keep the first row.
    first: dict[str, str] = {}
    for address, grid in rows:
        first.setdefault(address, grid)
    return list(first.items())


# ------------------------------------------------------------------------------ command


def read_gazetteer(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [(row["address"], row["grid_code"]) for row in csv.DictReader(file)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("district", help="write a synthetic district")
    make.add_argument("--seed", type=int, required=True)
    make.add_argument("--buildings", type=int, default=3000)
    make.add_argument("--out", type=Path, required=True)
    vary = commands.add_parser("variants", help="write variants of a gazetteer as CSV")
    vary.add_argument("gazetteer", type=Path)
    vary.add_argument("--seed", type=int, required=True)
    vary.add_argument("--per-kind", type=int, default=200)
    args = parser.parse_args(argv)
    if args.command == "district":
        made = district(args.seed, buildings=args.buildings)
        made.write(args.out)
        print(f"{len(made.areas)} areas, {len(made.gazetteer)} gazetteer rows in {args.out}")
        return
    writer = csv.writer(sys.stdout)
    writer.writerow(["kind", "address", "grid_code"])
    for v in variants(read_gazetteer(args.gazetteer), seed=args.seed, per_kind=args.per_kind):
        writer.writerow([v.kind, v.address, v.grid_code or ""])


if __name__ == "__main__":
    main()
