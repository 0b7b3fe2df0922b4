"""``gridcase report``: service-quality reports (escalation computes them)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from gridcase_cli.common import (
    STATE,
    _now,
    _settings,
    console,
)
from gridcase_events.kit import auth

app = typer.Typer(
    help="Service-quality reports: the three rates (三率), daily and monthly (escalation).",
    no_args_is_help=True,
)

REPORT_URL = typer.Option(envvar="GRIDCASE_ESCALATION_URL", help="escalation's base URL")
REPORT_TOKEN = typer.Option(
    envvar="GRIDCASE_TOKEN",
    help="a staff token; else GRIDCASE_TOKEN_OPS from tokens.env, else a development ops token",
)
LEVELS = ("grid", "community", "street", "department", "district")
RATE_COLUMNS = (
    ("response_rate", "response"),
    ("resolution_rate", "resolution"),
    ("on_time_closure_rate", "on-time closure"),
    ("satisfaction_rate", "satisfaction"),
)


def _report_token(token: str | None) -> str:
    if token:
        return token
    tokens_file = STATE / "tokens.env"
    if tokens_file.is_file():
        for line in tokens_file.read_text().splitlines():
            name, _, value = line.partition("=")
            if name == "GRIDCASE_TOKEN_OPS" and value:
                return value
    settings = _settings()
    return auth.mint(
        settings.jwt_key(),
        **settings.token_claims(),
        sub="cli",
        role="ops",
        now=_now(),
        ttl=timedelta(minutes=10),
    )


def _report_get(url: str, path: str, token: str, params: dict[str, Any]) -> httpx.Response:
    try:
        response = httpx.get(
            f"{url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
    except httpx.HTTPError as exc:
        console.print(f"[red]{url}: {exc}[/red]")
        raise typer.Exit(1) from None
    if response.status_code != 200:
        console.print(f"[red]{path}: {response.status_code}[/red] {response.text[:500]}")
        raise typer.Exit(1)
    return response


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _rates_table(rows: list[dict[str, Any]], total: dict[str, Any], title: str) -> Table:
    table = Table("unit", "name", "received", *(label for _, label in RATE_COLUMNS), title=title)
    for extra in ("returns", "reopenings", "buck-passing", "supervision"):
        table.add_column(extra, justify="right")
    for row in [*rows, {**total, "unit_code": "total", "unit_name": ""}]:
        table.add_row(
            row["unit_code"] or "none",
            row["unit_name"] or "",
            str(row["received"]),
            *(_pct(row[key]) for key, _ in RATE_COLUMNS),
            str(row["returns"]),
            str(row["reopenings"]),
            str(row["buck_passing_flags"]),
            str(row["supervision_orders"]),
        )
    return table


def _generic_table(body: Any, title: str) -> Table | None:
    """Another service's rows: a list, or an object with ``days`` (intake's patrol
    compliance), ``rows`` or ``items``."""
    rows = (
        next((body[k] for k in ("days", "rows", "items") if k in body), None)
        if isinstance(body, dict)
        else body
    )
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        return None
    columns = list(rows[0])
    table = Table(*columns, title=title)
    for row in rows:
        table.add_row(*(str(row.get(c, "")) for c in columns))
    return table


def _patrol_compliance(
    intake_url: str | None, token: str, area_code: str | None, first: str, last: str
) -> None:
    """Patrol compliance is intake's (it records patrol sessions): shown when its URL is
    configured; if the call fails, the rates above still stand."""
    if not intake_url:
        console.print("patrol compliance: set --intake-url or GRIDCASE_INTAKE_URL to include it")
        return
    params = {"from": first, "to": last, **({"area_code": area_code} if area_code else {})}
    try:
        response = httpx.get(
            f"{intake_url}/v1/patrols/compliance",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        table = _generic_table(response.json(), "patrol compliance (intake)")
    except (httpx.HTTPError, ValueError) as exc:
        console.print(f"[yellow]patrol compliance unavailable from {intake_url}: {exc}[/yellow]")
        return
    console.print(table or "patrol compliance (intake): no rows")


@app.command("rates")
def report_rates(
    from_: Annotated[str, typer.Option("--from", help="first day received, YYYY-MM-DD")],
    to: Annotated[str, typer.Option("--to", help="last day received, YYYY-MM-DD")],
    level: Annotated[str, typer.Option(help="one of: " + ", ".join(LEVELS))] = "street",
    csv_file: Annotated[Path | None, typer.Option("--csv", help="also write a CSV here")] = None,
    url: Annotated[str, REPORT_URL] = "http://127.0.0.1:8003",
    token: Annotated[str | None, REPORT_TOKEN] = None,
    intake_url: Annotated[
        str | None, typer.Option(envvar="GRIDCASE_INTAKE_URL", help="for patrol compliance")
    ] = None,
    area_code: Annotated[str | None, typer.Option(help="patrol compliance's area")] = None,
) -> None:
    """The three rates and more, per unit, for cases received in a period."""
    if level not in LEVELS:
        console.print(f"[red]level must be one of {', '.join(LEVELS)}[/red]")
        raise typer.Exit(2)
    bearer = _report_token(token)
    params = {"level": level, "from": from_, "to": to}
    body = _report_get(url, "/v1/reports/rates", bearer, params).json()
    console.print(
        _rates_table(body["rows"], body["total"], f"{level} rates, received {from_} – {to}")
    )
    if csv_file is not None:
        exported = _report_get(url, "/v1/reports/rates", bearer, {**params, "format": "csv"})
        csv_file.write_bytes(exported.content)
        console.print(f"CSV written to {csv_file}")
    _patrol_compliance(intake_url, bearer, area_code, from_, to)


@app.command("daily")
def report_daily(
    community: Annotated[str, typer.Option(help="the community's 12-digit code")],
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD; today if absent")] = None,
    url: Annotated[str, REPORT_URL] = "http://127.0.0.1:8003",
    token: Annotated[str | None, REPORT_TOKEN] = None,
) -> None:
    """A station master's daily summary of a community."""
    params = {"community": community, **({"date": date} if date else {})}
    day = _report_get(url, "/v1/reports/daily", _report_token(token), params).json()
    name = f" {day['community_name']}" if day.get("community_name") else ""
    console.print(f"[bold]{day['date']}[/bold] community {community}{name}")
    summary = Table("new", "accepted", "resolved", "closed", "overdue", "breaches", "escalations")
    summary.add_row(
        *(str(day[k]) for k in ("new", "accepted", "resolved", "closed")),
        *(str(len(day[k])) for k in ("overdue", "breaches", "escalations")),
    )
    console.print(summary)
    overdue = Table("tracking no", "grid", "assignee", "due", "overdue", title="overdue")
    for c in day["overdue"]:
        overdue.add_row(
            c["tracking_no"],
            c["grid_code"] or "",
            c["assignee_id"] or "",
            c["due_at"],
            str(timedelta(seconds=c["overdue_seconds"])),
        )
    console.print(overdue)
    breaches = Table("tracking no", "clock", "due", "breached", title="breaches")
    for b in day["breaches"]:
        breaches.add_row(b["tracking_no"], b["clock"], b["due_at"], b["breached_at"] or "")
    console.print(breaches)
    escalations = Table("tracking no", "clock", "rung", "to", "推诿", "at", title="escalations")
    for e in day["escalations"]:
        escalations.add_row(
            e["tracking_no"],
            e["clock"],
            str(e["level"]),
            e["target_role"],
            "yes" if e["buck_passing"] else "",
            e["escalated_at"],
        )
    console.print(escalations)


@app.command("monthly")
def report_monthly(
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    level: Annotated[str, typer.Option(help="one of: " + ", ".join(LEVELS))] = "grid",
    url: Annotated[str, REPORT_URL] = "http://127.0.0.1:8003",
    token: Annotated[str | None, REPORT_TOKEN] = None,
) -> None:
    """The monthly grid review: rates against the month before, worst units, 督办."""
    body = _report_get(
        url, "/v1/reports/monthly", _report_token(token), {"month": month, "level": level}
    ).json()
    table = Table(
        "unit",
        "name",
        "received",
        *(f"{label} (before)" for _, label in RATE_COLUMNS),
        title=f"{level} review {month} (against {body['previous_month']})",
    )
    for row in body["rows"]:
        now, before = row["current"] or {}, row["previous"] or {}
        table.add_row(
            row["unit_code"] or "none",
            row["unit_name"] or "",
            str(now.get("received", 0)),
            *(f"{_pct(now.get(k))} ({_pct(before.get(k))})" for k, _ in RATE_COLUMNS),
        )
    console.print(table)
    worst = Table("rate", "unit", "name", "value", title="worst units")
    for w in body["worst"]:
        worst.add_row(w["rate"], w["unit_code"] or "none", w["unit_name"] or "", _pct(w["value"]))
    console.print(worst)
    s = body["supervision"]
    console.print(
        f"supervision orders (督办) issued: {s['total']} "
        f"(yellow {s['yellow']}, red {s['red']}, by hand {s['manual']})"
    )
