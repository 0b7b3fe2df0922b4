"""``gridcase``: the command line of the platform.

gridcase dev up                 the whole system locally, with a demo city
gridcase dev down               stop it (from another terminal)
gridcase token mint ...         a development or service token
gridcase hotline push ...       push a signed 12345 ticket
gridcase directory import ...   load directory data into dispatch
gridcase topics create          create the Kafka topics
gridcase report rates|daily|monthly   service-quality reports (escalation computes them)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gridcase_events import topics
from gridcase_events.kit import auth, signing
from gridcase_events.kit.settings import PlatformSettings

REPO = Path(__file__).resolve().parents[4]
INFRA = REPO / "deploy" / "local" / "infra.sh"
DEMO = REPO / "deploy" / "demo"
STATE = Path(os.environ.get("GRIDCASE_HOME", Path.home() / ".cache" / "gridcase")) / "run"
SERVICES = {"intake": 8001, "dispatch": 8002, "escalation": 8003, "notify": 8004}
DEMO_KINDS = ("departments", "areas", "categories", "staff", "gazetteer", "absences")
DEMO_FILES = {
    "departments": "departments.csv",
    "areas": "areas.geojson",
    "categories": "categories.csv",
    "staff": "staff.csv",
    "gazetteer": "gazetteer.csv",
    "absences": "absences.csv",
}
# One token per demo role: (staff id, role, area, department).
DEMO_ROLES = [
    ("gm111a", "grid_member", "510302001001001", None),
    ("gl111", "grid_leader", "510302001001001", None),
    ("sm11", "station_master", "510302001001", None),
    ("so1", "street_officer", "510302001", None),
    ("dc1", "district_center", "510302", None),
    ("dp1", "dispatcher", "510302", None),
    ("water1", "department_operator", None, "water"),
    ("ops1", "ops", "510302", None),
    ("admin1", "admin", "510302", None),
]
EXAMPLE_TICKET = {
    "ticket_no": "12345-DEMO-0001",
    "received_at": "2026-11-21T09:00:00+08:00",
    "caller_name": "市民张先生",
    "caller_phone": "13912345678",
    "content": "桂花路1号1栋楼下垃圾桶满溢三天无人清运，气味很大。",
    "category_hint": "environment/garbage-overflow",
    "address": "示范区东城街道桂花路1号1栋",
    "lat": 29.355,
    "lon": 104.7725,
    "urgency": "normal",
}

app = typer.Typer(help="gridcase: community grid case dispatch.", no_args_is_help=True)
dev_app = typer.Typer(help="Run the whole system locally.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens.", no_args_is_help=True)
hotline_app = typer.Typer(help="The 12345 hotline push.", no_args_is_help=True)
directory_app = typer.Typer(help="Directory data (dispatch).", no_args_is_help=True)
topics_app = typer.Typer(help="Kafka topics.", no_args_is_help=True)
app.add_typer(dev_app, name="dev")
app.add_typer(token_app, name="token")
app.add_typer(hotline_app, name="hotline")
app.add_typer(directory_app, name="directory")
app.add_typer(topics_app, name="topics")
pii_app = typer.Typer(help="Personal data encryption (GRIDCASE_PII_KEY).", no_args_is_help=True)
app.add_typer(pii_app, name="pii")
console = Console()


def _settings() -> PlatformSettings:
    """The CLI is a client of a local development stack unless told otherwise: with
    GRIDCASE_ENV unset it uses the development secrets (services default to production)."""
    os.environ.setdefault("GRIDCASE_ENV", "development")
    try:
        return PlatformSettings()
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            console.print(f"[red]{error['msg']}[/red]")
        raise typer.Exit(2) from None


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------- tokens


@token_app.command("mint")
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


# --------------------------------------------------------------------------- hotline


@hotline_app.command("push")
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


@hotline_app.command("sign")
def hotline_sign(file: Annotated[Path, typer.Argument(help="the exact body to sign")]) -> None:
    """Print the X-Gridcase-Signature header value for a body, signed now."""
    print(signing.sign(_settings().hotline_secrets[0], file.read_bytes(), now=_now()))


# ------------------------------------------------------------------------- directory


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


def _admin_token(settings: PlatformSettings) -> str:
    return auth.mint(
        settings.jwt_key(),
        **settings.token_claims(),
        sub="cli",
        role="admin",
        now=_now(),
        ttl=timedelta(minutes=10),
    )


def _summary_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("kind", "rows", "created", "updated", "unchanged", title="directory import")
    for r in rows:
        table.add_row(r["kind"], *(str(r[k]) for k in ("rows", "created", "updated", "unchanged")))
    return table


@directory_app.command("import")
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


@directory_app.command("demo")
def directory_demo(
    url: Annotated[str, typer.Option()] = "http://127.0.0.1:8002",
    dir: Annotated[Path, typer.Option(help="where the demo files are")] = DEMO,
) -> None:
    """Load the demo city (deploy/demo) into dispatch."""
    _load_demo(url, _settings(), dir)


def _load_demo(url: str, settings: PlatformSettings, demo_dir: Path = DEMO) -> None:
    _import_all(url, settings, [(kind, demo_dir / DEMO_FILES[kind]) for kind in DEMO_KINDS])


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


policies_app = typer.Typer(help="Time limits (escalation).", no_args_is_help=True)
app.add_typer(policies_app, name="policies")
POLICY_HEADER = [
    "category_code",
    "priority",
    "clock",
    "amount",
    "unit",
    "working_hours",
    "end_of_day",
]


@policies_app.command("import")
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


# --------------------------------------------------------------------------- reports

report_app = typer.Typer(
    help="Service-quality reports: the three rates (三率), daily and monthly (escalation).",
    no_args_is_help=True,
)
app.add_typer(report_app, name="report")
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


@report_app.command("rates")
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


@report_app.command("daily")
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


@report_app.command("monthly")
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


# ---------------------------------------------------------------------------- topics


@topics_app.command("create")
def topics_create() -> None:
    """Create every topic that does not exist yet."""
    settings = _settings()
    created = asyncio.run(
        topics.ensure(
            settings.kafka_bootstrap_servers,
            namespace=settings.topic_namespace,
            partitions=settings.topic_partitions,
        )
    )
    console.print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")


@pii_app.command("rotate")
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


# ------------------------------------------------------------------------------- dev


def _infra(command: str) -> str:
    result = subprocess.run([str(INFRA), command], check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    return result.stdout


def _wait_ready(
    name: str, port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            console.print(f"[red]{name} exited with {proc.returncode}; last lines of {log}:[/red]")
            console.print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
            raise typer.Exit(1)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    console.print(f"[red]{name} not ready after {timeout:.0f} s; see {log}[/red]")
    raise typer.Exit(1)


def _start_workbench(procs: dict[str, subprocess.Popen[bytes]], env: dict[str, str]) -> str | None:
    """The workbench behind nginx (gridcase_events.webstack); without node or nginx the
    APIs still run, and the developer is told what to install."""
    from gridcase_events import webstack

    port = int(env.get("GRIDCASE_WEB_PORT", "8080"))
    urls = {name: f"http://127.0.0.1:{p}" for name, p in SERVICES.items()}
    try:
        procs["nginx"] = webstack.up(state=STATE, urls=urls, port=port, say=console.print)
    except webstack.WebStackError as exc:
        console.print(f"[yellow]the workbench is not served: {exc}[/yellow]")
        return None
    return f"http://127.0.0.1:{port}/"


def _stop(procs: dict[str, subprocess.Popen[bytes]]) -> None:
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 25
    for name, proc in procs.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]{name} did not stop in time; killing it[/yellow]")
            proc.kill()


def _print_welcome(settings: PlatformSettings, sms_port: int, web_url: str | None) -> None:
    """What to look at, and copy-pasteable secrets, tokens and an example push."""
    say = console.print
    say("\n[bold green]gridcase is up[/bold green] with the demo city 示范区 (district 510302)\n")
    if web_url:
        say(f"  [bold]workbench   {web_url}[/bold]  (sign in as any demo person)", soft_wrap=True)
    for name, port in SERVICES.items():
        say(
            f"  {name:<11} http://127.0.0.1:{port}/docs    metrics http://127.0.0.1:{port}/metrics",
            soft_wrap=True,
        )
    say(
        f"  SMS sink    http://127.0.0.1:{sms_port}/sms/messages  (development SMS gateway)",
        soft_wrap=True,
    )
    say(
        f"  logs        {STATE / 'logs'}/<service>.log  (JSON, one line per event)\n",
        soft_wrap=True,
    )
    say("[bold]development secrets[/bold]")
    say(f"  GRIDCASE_HOTLINE_SECRETS={settings.hotline_secrets[0]}", soft_wrap=True)
    say(f"  GRIDCASE_OPEN311_API_KEYS={settings.open311_api_keys[0]}", soft_wrap=True)
    say(
        "  GRIDCASE_JWT_SECRET, GRIDCASE_PII_KEY: fixed development values (GRIDCASE_ENV=development)\n"
    )
    tokens_file = STATE / "tokens.env"
    lines = []
    say(f"[bold]development tokens[/bold] (12 h; also in {tokens_file})")
    for sub, role, area, dept in DEMO_ROLES:
        token = auth.mint(
            settings.jwt_key(),
            **settings.token_claims(),
            sub=sub,
            role=role,
            area_code=area,
            department_code=dept,
            now=_now(),
            ttl=timedelta(hours=12),
        )
        say(f"  [cyan]{role}[/cyan] {sub} ({area or dept}):", soft_wrap=True)
        say(f"    {token}", soft_wrap=True, highlight=False)
        lines.append(f"GRIDCASE_TOKEN_{role.upper()}={token}")
    tokens_file.write_text("\n".join(lines) + "\n")
    tokens_file.chmod(0o600)

    body = json.dumps(EXAMPLE_TICKET, ensure_ascii=False)
    secret = settings.hotline_secrets[0]
    say(
        "\n[bold]try it[/bold]: push a signed 12345 ticket; grid member gm111a gets an SMS at the sink"
    )
    say("  .venv/bin/gridcase hotline push --example\n", highlight=False)
    say("  or by hand, with curl and openssl:", highlight=False)
    example = (
        f"body='{body}'\n"
        "t=$(date +%s)\n"
        f"sig=$(printf '%s.%s' \"$t\" \"$body\" | openssl dgst -sha256 -hmac '{secret}' | sed 's/^.* //')\n"
        "curl -s http://127.0.0.1:8001/v1/hotline/tickets -H 'Content-Type: application/json' "
        '-H "X-Gridcase-Signature: t=$t,v1=$sig" -d "$body"'
    )
    console.out(example, highlight=False)
    say(
        "\n  then: GET http://127.0.0.1:8001/v1/public/cases/<tracking_no> (public status),\n"
        "        GET http://127.0.0.1:8002/v1/cases/<case_id> with the grid_member token (case + timeline),\n"
        "        GET http://127.0.0.1:8003/v1/cases/<case_id>/clocks (deadline).\n"
        "  Ctrl-C here, or `make down` in another terminal, stops everything.",
        soft_wrap=True,
        highlight=False,
    )


@dev_app.command("up")
def dev_up(
    keep_infra: Annotated[
        bool, typer.Option(help="leave Kafka and PostgreSQL running on exit")
    ] = False,
    demo: Annotated[bool, typer.Option(help="load the demo city")] = True,
) -> None:
    """Kafka, PostgreSQL, topics, the four services and the demo city; Ctrl-C stops all."""
    STATE.mkdir(parents=True, exist_ok=True)
    (STATE / "logs").mkdir(exist_ok=True)
    pid_file = STATE / "dev-up.pid"
    if pid_file.exists():
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.kill(int(pid_file.read_text()), 0)
            console.print("[red]gridcase dev up is already running (make down stops it)[/red]")
            raise typer.Exit(1)
    pid_file.write_text(str(os.getpid()))
    started = time.monotonic()
    env = dict(os.environ)
    env.setdefault("GRIDCASE_ENV", "development")
    console.print("[bold]starting Kafka and PostgreSQL[/bold] (deploy/local/infra.sh)")
    _infra("start")
    for line in _infra("env").splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    os.environ.update(env)
    settings = _settings()
    sms_port = int(env.get("GRIDCASE_DEV_SMS_PORT", "8025"))
    env.setdefault("NOTIFY_SMS_GATEWAY_URL", f"http://127.0.0.1:{sms_port}/sms/send")
    env.setdefault("NOTIFY_SMS_GATEWAY_SECRET", "gridcase-dev-sms-secret")
    env.setdefault("NOTIFY_QUIET_HOURS", "")  # the demo's SMS arrive at any hour
    created = asyncio.run(
        topics.ensure(
            settings.kafka_bootstrap_servers,
            namespace=settings.topic_namespace,
            partitions=settings.topic_partitions,
        )
    )
    if created:
        console.print(f"created {len(created)} topics")

    procs: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        logs = {}
        for name in ("sms-sink", *SERVICES):
            log = STATE / "logs" / f"{name}.log"
            logs[name] = log
            cmd = (
                [
                    sys.executable,
                    "-m",
                    "gridcase_events.cli",
                    "dev",
                    "sms-sink",
                    "--port",
                    str(sms_port),
                ]
                if name == "sms-sink"
                else [sys.executable, "-m", name]
            )
            out = None if name == "sms-sink" else log.open("ab")
            procs[name] = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                cmd, env=env, stdout=out, stderr=subprocess.STDOUT if out else None
            )
        console.print("[bold]starting the services[/bold] (ports 8001–8004)")
        for name, port in SERVICES.items():
            _wait_ready(name, port, procs[name], logs[name])
            console.print(f"  {name} ready")
        if demo:
            _load_demo(f"http://127.0.0.1:{SERVICES['dispatch']}", settings)
        web_url = _start_workbench(procs, env)
        _print_welcome(settings, sms_port, web_url)
        console.print(f"[dim]up in {time.monotonic() - started:.1f} s[/dim]")
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    console.print(
                        f"[red]{name} exited ({proc.returncode}); stopping everything[/red]"
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        console.print("[bold]stopping[/bold]")
        _stop(procs)
        if not keep_infra:
            _infra("stop")
        pid_file.unlink(missing_ok=True)
        console.print("stopped")


@dev_app.command("down")
def dev_down() -> None:
    """Stop a running `gridcase dev up` (it then stops Kafka and PostgreSQL)."""
    pid_file = STATE / "dev-up.pid"
    if not pid_file.exists():
        console.print("gridcase dev up is not running")
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    for _ in range(120):
        if not pid_file.exists():
            break
        time.sleep(0.5)
    console.print("stopped")


@dev_app.command("sms-sink")
def dev_sms_sink(
    port: Annotated[int, typer.Option()] = 8025,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
) -> None:
    """A development SMS gateway that prints every message it receives."""
    import uvicorn

    from gridcase_events.devtools import create_sms_sink_app

    def show(message: dict[str, Any]) -> None:
        console.print(f"[green]SMS → {message['phone_masked']}[/green] {message['content']}")

    sink = create_sms_sink_app(secret=os.environ.get("NOTIFY_SMS_GATEWAY_SECRET"), on_message=show)
    uvicorn.run(sink, host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
