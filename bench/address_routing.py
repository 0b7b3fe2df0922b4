"""Address routing measured: precision and recall per kind of variant, and look-up
latency, on a synthetic district generated with another seed than the tests use
(tests/routing_eval). Pure CPU, no servers.

    .venv/bin/python bench/address_routing.py [buildings] [variants per kind]
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dispatch.routing.service import Gazetteer
from tests.routing_eval.generate import district, report, score, variants

SEED_B = 1515


def percentile(sorted_values: list[float], share: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


def main(buildings: int, per_kind: int) -> None:
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    started = time.perf_counter()
    made = district(SEED_B, buildings=buildings)
    print(
        f"district (seed {SEED_B}): {sum(a.level == 'grid' for a in made.areas)} grids, "
        f"{len(made.gazetteer):,} gazetteer rows, made in {time.perf_counter() - started:.1f} s"
    )
    places = [a.name for a in made.areas if a.level in ("district", "street")]
    started = time.perf_counter()
    gazetteer = Gazetteer(made.gazetteer, prefixes=places, threshold=0.9)
    print(f"gazetteer indexed in {time.perf_counter() - started:.2f} s")
    cases = variants(made.gazetteer, seed=SEED_B, per_kind=per_kind)
    timings: list[float] = []

    def route(address: str) -> str | None:
        begun = time.perf_counter_ns()
        found = gazetteer.lookup(address)
        timings.append((time.perf_counter_ns() - begun) / 1e6)
        return found[0] if found else None

    tallies = score(cases, route)
    print(report(tallies))
    timings.sort()
    print(
        f"look-up latency over {len(timings):,} look-ups: "
        f"p50 {percentile(timings, 0.5):.3f} ms, p99 {percentile(timings, 0.99):.3f} ms, "
        f"max {timings[-1]:.3f} ms"
    )
    communities = [a.name for a in made.areas if a.level == "community"]
    free_text = [f"{name}北门附近路面塌陷" for name in communities] * 50
    begun = time.perf_counter()
    placed = sum(gazetteer.lookup(text) is not None for text in free_text)
    each = (time.perf_counter() - begun) / len(free_text) * 1e3
    print(f"addresses without a doorplate: {each:.3f} ms each, {placed} placed by the gazetteer")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1_000,
    )
