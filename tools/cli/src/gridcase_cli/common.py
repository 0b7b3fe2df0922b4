"""What every command group shares: where things are, the settings, the console."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.console import Console

from gridcase_events.kit import auth
from gridcase_events.kit.settings import PlatformSettings

REPO = Path(__file__).resolve().parents[4]  # tools/cli/src/gridcase_cli/common.py
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
# The demo's further districts (deploy/demo/<district code>/, e.g. 河畔区 510303),
# imported beside the first (docs/adr/0005): their own areas, gazetteer and people; the
# departments and categories are the city's, shared.
DEMO_DISTRICT_KINDS = ("areas", "staff", "gazetteer")
# One token per demo role: (staff id, role, area, department).
DEMO_ROLES = [
    ("gm111a", "grid_member", "510302001001001", None),
    ("gl111", "grid_leader", "510302001001001", None),
    ("sm11", "station_master", "510302001001", None),
    ("so1", "street_officer", "510302001", None),
    ("dc1", "district_center", "510302", None),
    ("dp1", "dispatcher", "510302", None),
    ("water1", "department_operator", "510302", "water"),
    ("ops1", "ops", "510302", None),
    ("admin1", "admin", "510302", None),
    # 河畔区 (510303), the second district, and the city centre that sees both.
    ("hp-gm111a", "grid_member", "510303001001001", None),
    ("hp-dp1", "dispatcher", "510303", None),
    ("hp-water1", "department_operator", "510303", "water"),
    ("cc1", "city_center", None, None),
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


def _admin_token(settings: PlatformSettings) -> str:
    return auth.mint(
        settings.jwt_key(),
        **settings.token_claims(),
        sub="cli",
        role="admin",
        now=_now(),
        ttl=timedelta(minutes=10),
    )
