"""``gridcase hotline``: the signed 12345 push."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from gridcase_cli.common import (
    EXAMPLE_TICKET,
    _now,
    _settings,
    console,
)
from gridcase_events.kit import signing

app = typer.Typer(help="The 12345 hotline push.", no_args_is_help=True)


@app.command("push")
def hotline_push(
    file: Annotated[Path | None, typer.Argument(help="a JSON ticket; '-' for stdin")] = None,
    example: Annotated[bool, typer.Option(help="push the built-in example ticket")] = False,
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8001",
) -> None:
    """Sign a 12345 ticket with the first GRIDCASE_HOTLINE_SECRETS and push it."""
    if example:
        ticket: Any = {**EXAMPLE_TICKET, "ticket_no": f"12345-DEMO-{int(time.time())}"}
        ticket["received_at"] = _now().isoformat()
        body = json.dumps(ticket, ensure_ascii=False).encode()
    elif file is not None:
        body = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    else:
        console.print("[red]give a file, '-' or --example[/red]")
        raise typer.Exit(2)
    secret = _settings().hotline_secrets[0]
    response = httpx.post(
        f"{url}/v1/hotline/tickets",
        content=body,
        headers={
            "Content-Type": "application/json",
            signing.HEADER: signing.sign(secret, body, now=_now()),
        },
        timeout=10,
    )
    console.print(f"{response.status_code} {response.text}")
    raise typer.Exit(0 if response.is_success else 1)


@app.command("sign")
def hotline_sign(file: Annotated[Path, typer.Argument(help="the exact body to sign")]) -> None:
    """Print the X-Gridcase-Signature header value for a body, signed now."""
    print(signing.sign(_settings().hotline_secrets[0], file.read_bytes(), now=_now()))
