"""``gridcase pii``: personal-data encryption (GRIDCASE_PII_KEY)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from gridcase_cli.common import (
    _settings,
    console,
)

app = typer.Typer(help="Personal data encryption (GRIDCASE_PII_KEY).", no_args_is_help=True)


@app.command("rotate")
def pii_rotate(
    batch: Annotated[int, typer.Option(min=1, help="rows per transaction")] = 500,
) -> None:
    """Re-encrypt stored personal data under the first key of GRIDCASE_PII_KEY (the
    others must still decrypt what is stored). Safe to run again, and while services run."""
    from gridcase_events.kit import pii
    from gridcase_events.kit.settings import SERVICES

    settings = _settings()
    counts = asyncio.run(
        pii.rotate_stored(
            settings.database_url.get_secret_value(),
            settings.pii_key_value(),
            schemas=SERVICES,
            batch=batch,
        )
    )
    table = Table("column", "re-encrypted", "already current", "unreadable", title="pii rotate")
    for column, c in counts.items():
        table.add_row(column, str(c.rotated), str(c.current), str(c.unreadable))
    console.print(table)
    if any(c.unreadable for c in counts.values()):
        console.print(f"[red]some values are unreadable with every key: {pii.ROTATION_HINT}[/red]")
        raise typer.Exit(1)
