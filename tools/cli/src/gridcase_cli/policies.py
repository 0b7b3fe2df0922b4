"""``gridcase policies``: time limits (escalation)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.table import Table

from gridcase_cli.common import (
    _admin_token,
    _settings,
    console,
)

app = typer.Typer(help="Time limits (escalation).", no_args_is_help=True)

POLICY_HEADER = [
    "category_code",
    "priority",
    "clock",
    "amount",
    "unit",
    "working_hours",
    "end_of_day",
]


@app.command("import")
def policies_import(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV: " + ",".join(POLICY_HEADER))
    ],
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8003",
) -> None:
    """Add or change time limits from a CSV file ("*" for any category or priority)."""
    import csv

    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != POLICY_HEADER:
            console.print(f"[red]header must be: {','.join(POLICY_HEADER)}[/red]")
            raise typer.Exit(2)
        rows = [
            {
                **row,
                "working_hours": row["working_hours"].strip().lower() in ("true", "1", "yes"),
                "end_of_day": row["end_of_day"].strip().lower() in ("true", "1", "yes"),
            }
            for row in reader
        ]
    response = httpx.put(
        f"{url}/v1/policies",
        json=rows,
        headers={"Authorization": f"Bearer {_admin_token(_settings())}"},
        timeout=30,
    )
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}[/red]")
        console.print_json(data=response.json())
        raise typer.Exit(1)
    table = Table(*POLICY_HEADER, title="time limits now in force")
    for p in response.json():
        table.add_row(*(str(p[k]) for k in POLICY_HEADER))
    console.print(table)
