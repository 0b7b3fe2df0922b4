"""Routing at district scale: point-in-polygon over tens of thousands of grids, and
gazetteer look-ups over tens of thousands of buildings. Pure CPU, no servers.

    .venv/bin/python bench/routing.py [grids] [buildings]
"""

from __future__ import annotations

import os
import platform
import random
import resource
import sys
import time
from collections.abc import Callable

from dispatch.routing.service import Gazetteer, GridIndex


def square(x: float, y: float, size: float) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
    }


def main(grids: int, buildings: int) -> None:
    rng = random.Random(7)
    side = int(grids**0.5)
    size = 0.005  # ~500 m
    cells = [
        (f"g{i}-{j}", "residential", square(104.0 + i * size, 29.0 + j * size, size))
        for i in range(side)
        for j in range(side)
    ]
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    started = time.perf_counter()
    index = GridIndex(cells)
    print(f"grid index: {len(index)} grids built in {time.perf_counter() - started:.2f} s")
    points = [
        (29.0 + rng.random() * side * size, 104.0 + rng.random() * side * size)
        for _ in range(100_000)
    ]
    started = time.perf_counter()
    found = sum(index.locate(lat, lon) is not None for lat, lon in points)
    elapsed = time.perf_counter() - started
    print(
        f"point in polygon: {len(points) / elapsed:,.0f} look-ups/s ({elapsed / len(points) * 1e6:.1f} µs each), {found} placed"
    )

    roads = ["桂花路", "枫林巷", "滨江大道", "学府路", "和平街", "解放路", "人民路", "建设路"]
    entries = [
        (
            f"示范区东城街道{roads[i % len(roads)]}{i // len(roads) + 1}号{i % 9 + 1}栋",
            f"g{i % side}-0",
        )
        for i in range(buildings)
    ]
    started = time.perf_counter()
    gazetteer = Gazetteer(entries, prefixes=["示范区", "东城街道"], threshold=0.9)
    print(f"gazetteer: {len(gazetteer)} buildings indexed in {time.perf_counter() - started:.2f} s")
    samples = [rng.choice(entries)[0] for _ in range(200)]
    variants: list[tuple[str, Callable[[str], str]]] = [
        ("exact", lambda a: a),
        ("full-width + 号楼", lambda a: a.replace("栋", "号楼").replace("1", "１")),
        ("trailing words", lambda a: a + "门口的垃圾站"),
    ]
    for label, variant in variants:
        started = time.perf_counter()
        hits = sum(gazetteer.lookup(variant(a)) is not None for a in samples)
        elapsed = time.perf_counter() - started
        print(
            f"gazetteer {label:<17} {elapsed / len(samples) * 1e3:7.2f} ms per look-up, {hits}/{len(samples)} found"
        )
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 40_000,
        int(sys.argv[2]) if len(sys.argv) > 2 else 50_000,
    )
