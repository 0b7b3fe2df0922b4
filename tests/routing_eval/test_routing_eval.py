"""Routing precision and recall on generated variants of a gazetteer: a synthetic
district (seed A; the benchmark uses another seed) and the demo city's gazetteer."""

from collections.abc import Callable
from pathlib import Path

import pytest

from dispatch.routing.service import Gazetteer
from tests.routing_eval.generate import (
    KINDS,
    NEGATIVE_KINDS,
    District,
    Tally,
    Variant,
    district,
    read_gazetteer,
    report,
    score,
    variants,
)

SEED_A = 20261128
DEMO_GAZETTEER = Path(__file__).parents[2] / "deploy" / "demo" / "gazetteer.csv"
RIGHT = 0.98  # of the variants that name one grid, at least this share reach it
WRONG = 0.005  # of all variants, at most this share reach a wrong grid


@pytest.fixture(scope="module")
def generated() -> District:
    return district(SEED_A, buildings=3000)


def gazetteer_of(made: District) -> Gazetteer:
    places = [a.name for a in made.areas if a.level in ("district", "street")]
    return Gazetteer(made.gazetteer, prefixes=places, threshold=0.9)


def route_with(gazetteer: Gazetteer) -> Callable[[str], str | None]:
    def route(address: str) -> str | None:
        found = gazetteer.lookup(address)
        return found[0] if found else None

    return route


def test_the_generated_district_has_64_grids_and_an_official_gazetteer(
    generated: District,
) -> None:
    levels = [a.level for a in generated.areas]
    assert levels.count("grid") == 64
    assert levels.count("district") == 1
    assert levels.count("street") >= 3
    grids = {a.code for a in generated.areas if a.level == "grid"}
    assert len(generated.gazetteer) >= 3000
    assert {grid for _, grid in generated.gazetteer} <= grids
    district_name = next(a.name for a in generated.areas if a.level == "district")
    address = generated.gazetteer[0][0]
    assert address.startswith(district_name)
    assert "街道" in address and "社区" in address and address.endswith("号楼")


def test_the_same_seed_makes_the_same_district() -> None:
    assert district(7, buildings=300).gazetteer == district(7, buildings=300).gazetteer
    assert district(7, buildings=300).gazetteer != district(8, buildings=300).gazetteer


def test_variants_of_every_kind_are_made(generated: District) -> None:
    made = variants(generated.gazetteer, seed=1, per_kind=50)
    assert {v.kind for v in made} == set(KINDS)
    assert all(v.grid_code is None for v in made if v.kind in NEGATIVE_KINDS)


def test_the_scores_count_a_wrong_grid_and_a_triage_apart() -> None:
    made = [
        Variant("no_prefix", "a", "g1", "a"),
        Variant("no_prefix", "b", "g1", "b"),
        Variant("no_prefix", "c", "g1", "c"),
        Variant("no_such_road", "d", None, "d"),
    ]
    answers = {"a": "g1", "b": "g2", "c": None, "d": "g1"}
    tallies = score(made, answers.get)
    assert tallies["no_prefix"] == Tally(right=1, wrong=1, triage=1)
    assert tallies["no_such_road"] == Tally(wrong_on_triage=1)
    assert tallies["all"].wrong_rate == 2 / 4
    assert tallies["all"].precision == 1 / 3


def test_a_generated_district_routes_as_callers_write_its_addresses(
    generated: District,
) -> None:
    tallies = score(
        variants(generated.gazetteer, seed=SEED_A, per_kind=300),
        route_with(gazetteer_of(generated)),
    )
    print(report(tallies))
    overall = tallies["all"]
    assert overall.recall >= RIGHT, report(tallies)
    assert overall.wrong_rate <= WRONG, report(tallies)
    for kind, tally in tallies.items():
        assert tally.recall >= 0.95, f"{kind}\n{report(tallies)}"


def test_the_demo_gazetteer_routes_as_callers_write_its_addresses() -> None:
    demo = read_gazetteer(DEMO_GAZETTEER)
    gazetteer = Gazetteer(demo, prefixes=["示范区", "东城街道", "西城街道"], threshold=0.9)
    tallies = score(variants(demo, seed=SEED_A), route_with(gazetteer))
    print(report(tallies))
    assert tallies["all"].recall >= RIGHT, report(tallies)
    assert tallies["all"].wrong_rate <= WRONG, report(tallies)
