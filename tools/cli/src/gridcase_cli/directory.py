"""``gridcase directory``: directory data (dispatch)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import Progress
from rich.table import Table

from gridcase_cli.common import (
    DEMO,
    DEMO_DISTRICT_KINDS,
    DEMO_FILES,
    DEMO_KINDS,
    _admin_token,
    _settings,
    console,
)
from gridcase_events.kit.settings import PlatformSettings

app = typer.Typer(help="Directory data (dispatch).", no_args_is_help=True)


def _import(client: httpx.Client, url: str, token: str, kind: str, path: Path) -> dict[str, Any]:
    response = client.post(
        f"{url}/v1/directory/import",
        params={"kind": kind},
        files={"file": (path.name, path.read_bytes())},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    if response.status_code != 200:
        detail = (
            response.json() if "json" in response.headers.get("content-type", "") else response.text
        )
        console.print(f"[red]{kind}: {response.status_code}[/red]")
        console.print_json(data=detail)
        raise typer.Exit(1)
    result: dict[str, Any] = response.json()
    return result


def _summary_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("kind", "rows", "created", "updated", "unchanged", title="directory import")
    for r in rows:
        table.add_row(r["kind"], *(str(r[k]) for k in ("rows", "created", "updated", "unchanged")))
    return table


@app.command("import")
def directory_import(
    files: Annotated[
        list[str],
        typer.Argument(
            help="KIND=FILE pairs, applied in order, e.g. areas=areas.geojson staff=staff.csv"
        ),
    ],
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8002",
) -> None:
    """Import directory files (each all or nothing; idempotent) and show what changed."""
    kinds = {"areas", "gazetteer", "departments", "staff", "absences", "categories"}
    pairs: list[tuple[str, Path]] = []
    for item in files:
        kind, sep, name = item.partition("=")
        path = Path(name)
        if not sep or kind not in kinds:
            console.print(
                f"[red]{item!r}: expected KIND=FILE with KIND one of {', '.join(sorted(kinds))}[/red]"
            )
            raise typer.Exit(2)
        if not path.is_file():
            console.print(f"[red]{path}: no such file[/red]")
            raise typer.Exit(2)
        pairs.append((kind, path))
    _import_all(url, _settings(), pairs)


@app.command("demo")
def directory_demo(
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8002",
    dir: Annotated[Path, typer.Option(help="where the demo files are")] = DEMO,
) -> None:
    """Load the demo city (deploy/demo) into dispatch."""
    _load_demo(url, _settings(), dir)


def _load_demo(url: str, settings: PlatformSettings, demo_dir: Path = DEMO) -> None:
    """The demo city: its first district with the city's departments and categories,
    then each further district's own files (deploy/demo/<district code>/) beside it."""
    pairs = [(kind, demo_dir / DEMO_FILES[kind]) for kind in DEMO_KINDS]
    for district in sorted(p for p in demo_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        pairs += [
            (kind, district / DEMO_FILES[kind])
            for kind in DEMO_DISTRICT_KINDS
            if (district / DEMO_FILES[kind]).is_file()
        ]
    _import_all(url, settings, pairs)


def _import_all(url: str, settings: PlatformSettings, pairs: list[tuple[str, Path]]) -> None:
    token = _admin_token(settings)
    results = []
    with httpx.Client() as client, Progress(console=console, transient=True) as progress:
        task = progress.add_task("importing", total=len(pairs))
        for kind, path in pairs:
            progress.update(task, description=f"importing {kind} ({path.name})")
            results.append(_import(client, url, token, kind, path))
            progress.advance(task)
    console.print(_summary_table(results))


@app.command("republish-areas")
def directory_republish_areas(
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8002",
) -> None:
    """Announce every stored area again on the directory topic, so that intake (which
    draws the districts' boundary from the grids) and escalation know them all. Safe to
    repeat: consumers upsert."""
    response = httpx.post(
        f"{url}/v1/directory/areas/republish",
        headers={"Authorization": f"Bearer {_admin_token(_settings())}"},
        timeout=120,
    )
    if response.status_code != 200:
        console.print(f"[red]republish: {response.status_code}[/red] {response.text}")
        raise typer.Exit(1)
    answer = response.json()
    where = f"district {answer['district']}" if answer["district"] else "every district"
    console.print(f"{answer['areas']} areas of {where} announced again")
