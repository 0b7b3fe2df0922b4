"""``gridcase token``: bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from gridcase_cli.common import (
    _now,
    _settings,
    console,
)
from gridcase_events.kit import auth

app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)


@app.command("mint")
def mint_token(
    sub: Annotated[str, typer.Option(help="staff id")],
    role: Annotated[str, typer.Option(help="one of: " + ", ".join(auth.ALL_ROLES))],
    area_code: Annotated[str | None, typer.Option(help="grid/community/street/district")] = None,
    department_code: Annotated[str | None, typer.Option()] = None,
    ttl_hours: Annotated[float, typer.Option(min=0.01)] = 12,
) -> None:
    """Mint a token signed with GRIDCASE_JWT_SECRET (development value in development)."""
    if role not in auth.ALL_ROLES:
        console.print(f"[red]unknown role {role}[/red]")
        raise typer.Exit(2)
    settings = _settings()
    print(
        auth.mint(
            settings.jwt_key(),
            **settings.token_claims(),
            sub=sub,
            role=role,
            area_code=area_code,
            department_code=department_code,
            now=_now(),
            ttl=timedelta(hours=ttl_hours),
        )
    )
