"""`gridcase report …` is a thin client: the figures come from escalation over HTTP,
patrol compliance from intake when configured."""

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from gridcase_cli.main import app as cli
from gridcase_events import envelope, payloads
from gridcase_events.testing import HttpSink, free_port

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
GRID = "510302001001001"
OPS_TOKEN = "--token"


@pytest.fixture
async def served(client: Any) -> AsyncIterator[str]:
    """The running escalation app on a real loopback port, for the CLI's HTTP calls."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(client.app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    with contextlib.suppress(Exception):
        await task


@pytest.fixture
async def one_case(publish: Any, processed: Any) -> None:
    case_id = envelope.new_id()
    ref = {
        "case_id": case_id,
        "tracking_no": "GC-CLI-1",
        "category_code": "environment/garbage-overflow",
        "priority": "normal",
        "channel": "hotline",
    }
    sent = [
        await publish(
            payloads.CaseReported(
                case_id=case_id,
                tracking_no="GC-CLI-1",
                channel="hotline",
                reported_at=T0,
                content="垃圾满溢",
                priority="normal",
            ),
            source="intake",
        ),
        await publish(
            payloads.CaseAssigned(
                **ref,
                case_version=2,
                assignee_id="gm111a",
                assignee_role="grid_member",
                post="A",
                reason="A post",
                grid_code=GRID,
                summary="垃圾满溢",
                assigned_at=T0,
            )
        ),
        await publish(
            payloads.CaseAccepted(
                **ref,
                case_version=3,
                actor_id="gm111a",
                actor_role="grid_member",
                at=T0 + timedelta(minutes=15),
                grid_code=GRID,
                assignee_id="gm111a",
            )
        ),
    ]
    await processed([e.id for e in sent])


def invoke(*args: str) -> Any:
    from gridcase_events.testing import bearer

    token = bearer("ops1", "ops", "510302")["Authorization"].removeprefix("Bearer ")
    return CliRunner().invoke(cli, [*args, OPS_TOKEN, token], env={"COLUMNS": "200"})


async def test_rates_print_a_table_write_csv_and_survive_a_failing_intake(
    served: str, one_case: None, http_sink: HttpSink, tmp_path: Path
) -> None:
    http_sink.fail_next(503)
    out = tmp_path / "rates.csv"

    result = await asyncio.to_thread(
        invoke,
        "report",
        "rates",
        "--level",
        "street",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--csv",
        str(out),
        "--url",
        served,
        "--intake-url",
        http_sink.url,
        "--area-code",
        "510302001",
    )

    assert result.exit_code == 0, result.output
    assert "510302001" in result.output
    assert "100.00%" in result.output  # accepted in 15 min: 1 / 1
    assert "patrol compliance unavailable" in result.output
    [request] = http_sink.requests
    assert request.path == "/v1/patrols/compliance"
    [row] = list(csv.DictReader(io.StringIO(out.read_text())))
    assert (row["unit_code"], row["received"], row["response_rate"]) == ("510302001", "1", "1.0")


async def test_daily_and_monthly_print_their_summaries(served: str, one_case: None) -> None:
    daily = await asyncio.to_thread(
        invoke,
        "report",
        "daily",
        "--community",
        "510302001001",
        "--date",
        "2026-11-23",
        "--url",
        served,
    )
    monthly = await asyncio.to_thread(
        invoke, "report", "monthly", "--month", "2026-11", "--level", "grid", "--url", served
    )

    assert daily.exit_code == 0, daily.output
    assert "2026-11-23" in daily.output and "overdue" in daily.output
    assert monthly.exit_code == 0, monthly.output
    assert GRID in monthly.output
    assert "supervision orders (督办) issued: 0" in monthly.output


async def test_a_refused_report_exits_non_zero(served: str) -> None:
    from gridcase_events.testing import bearer

    token = bearer("water1", "department_operator", department_code="water")["Authorization"]
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        [
            "report",
            "rates",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--url",
            served,
            "--token",
            token.removeprefix("Bearer "),
        ],
    )

    assert result.exit_code == 1
    assert "403" in result.output
