"""One case through all four services: a signed 12345 ticket in, an SMS out."""

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gridcase_events import topics
from gridcase_events.kit import signing
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import bearer, eventually, read_topic

pytestmark = pytest.mark.e2e

HOTLINE_SECRET = "e2e-hotline-secret"
GM111A_PHONE = "13800000002"
DEMO = (
    Path(__file__).resolve().parents[2] / "deploy" / "demo"
)  # the A post of 桂花社区一网格 in deploy/demo/staff.csv


def a_ticket(**overrides: Any) -> dict[str, Any]:
    ticket = {
        "ticket_no": f"E2E-{secrets.token_hex(4)}",
        "received_at": datetime.now(UTC).isoformat(),
        "caller_phone": "13912345678",
        "content": "桂花路1号1栋楼下垃圾桶满溢",
        "category_hint": "environment/garbage-overflow",
        "lat": 29.355,
        "lon": 104.7725,
    }
    ticket.update(overrides)
    return ticket


async def push(
    platform: Any, ticket: dict[str, Any], secret: str = HOTLINE_SECRET
) -> httpx.Response:
    body = json.dumps(ticket, ensure_ascii=False).encode()
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{platform.urls['intake']}/v1/hotline/tickets",
            content=body,
            headers={
                "Content-Type": "application/json",
                signing.HEADER: signing.sign(secret, body, now=datetime.now(UTC)),
            },
        )


def sms_for(platform: Any, tracking_no: str) -> list[Any]:
    return [r for r in platform.sink.requests if r.json()["params"]["tracking_no"] == tracking_no]


async def sms_arrived(platform: Any, tracking_no: str) -> list[Any]:
    async def check() -> list[Any]:
        return sms_for(platform, tracking_no)

    result: list[Any] = await eventually(check, timeout=60)
    return result


async def scalar(platform: Any, sql: str, **params: Any) -> Any:
    engine = create_engine(platform.database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


async def test_signed_ticket_reaches_the_a_post_member_by_sms_with_one_correlation_id(
    platform: Any, show_logs_on_failure: Any
) -> None:
    response = await push(platform, a_ticket())
    assert response.status_code == 201
    created = response.json()
    correlation_id = response.headers["x-correlation-id"]

    [sms] = await sms_arrived(platform, created["tracking_no"])

    assert sms.json()["phone"] == GM111A_PHONE
    assert created["tracking_no"] in sms.json()["content"]

    # Every event about the case, from every service, carries the one correlation id.
    async def all_events() -> list[dict[str, Any]] | None:
        found = []
        for topic in (topics.INTAKE, topics.DISPATCH, topics.NOTIFY):
            records = await read_topic(
                platform.kafka, topics.qualify(platform.namespace, topic), min_count=1
            )
            found += [json.loads(r.value) for r in records if r.key == created["case_id"].encode()]
        types = {e["type"] for e in found}
        return (
            found
            if {"case.reported", "case.routed", "case.assigned", "notification.delivered"} <= types
            else None
        )

    events = await eventually(all_events, timeout=60)
    assert {e["correlation_id"] for e in events} == {correlation_id}
    assigned = next(e for e in events if e["type"] == "case.assigned")
    assert assigned["data"]["assignee_id"] == "gm111a"
    assert assigned["data"]["post"] == "A"

    async with httpx.AsyncClient() as client:
        clocks = await client.get(
            f"{platform.urls['escalation']}/v1/cases/{created['case_id']}/clocks",
            headers=bearer("gm111a", "grid_member", "510302001001001"),
        )
        status = await client.get(
            f"{platform.urls['intake']}/v1/public/cases/{created['tracking_no']}"
        )
    assert clocks.status_code == 200
    assert {c["kind"] for c in clocks.json()} == {"sign_for", "resolution"}
    assert status.json()["status"] == "assigned"

    # The grid member signs for it; the resident's public status follows.
    member = bearer("gm111a", "grid_member", "510302001001001")
    async with httpx.AsyncClient() as client:
        accepted = await client.post(
            f"{platform.urls['dispatch']}/v1/cases/{created['case_id']}/accept", headers=member
        )
        assert accepted.status_code == 200

        async def public_status_accepted() -> bool:
            url = f"{platform.urls['intake']}/v1/public/cases/{created['tracking_no']}"
            return (await client.get(url)).json()["status"] == "accepted"

        await eventually(public_status_accepted, timeout=30)


async def test_the_same_ticket_pushed_twice_yields_one_case_and_one_sms(
    platform: Any, show_logs_on_failure: Any
) -> None:
    ticket = a_ticket()
    first = await push(platform, ticket)
    second = await push(platform, ticket)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    tracking_no = first.json()["tracking_no"]
    await sms_arrived(platform, tracking_no)

    # A later case's SMS proves the pipeline has moved past any second send.
    marker = (await push(platform, a_ticket())).json()
    await sms_arrived(platform, marker["tracking_no"])

    assert len(sms_for(platform, tracking_no)) == 1
    ref = ticket["ticket_no"]
    assert (
        await scalar(platform, "SELECT count(*) FROM intake.cases WHERE external_ref = :r", r=ref)
        == 1
    )
    assert (
        await scalar(platform, "SELECT count(*) FROM dispatch.cases WHERE external_ref = :r", r=ref)
        == 1
    )
    assert (
        await scalar(
            platform,
            "SELECT count(*) FROM notify.deliveries WHERE case_id = :c AND channel = 'sms'",
            c=first.json()["case_id"],
        )
        == 1
    )


async def test_a_bad_signature_yields_401_and_nothing_is_stored(
    platform: Any, show_logs_on_failure: Any
) -> None:
    ticket = a_ticket()
    response = await push(platform, ticket, secret="not-the-hotline-secret")

    assert response.status_code == 401
    ref = ticket["ticket_no"]
    assert (
        await scalar(platform, "SELECT count(*) FROM intake.cases WHERE external_ref = :r", r=ref)
        == 0
    )
    assert (
        await scalar(
            platform,
            "SELECT count(*) FROM intake.outbox WHERE payload->'data'->>'external_ref' = :r",
            r=ref,
        )
        == 0
    )


async def test_the_readme_example_push_works_from_the_command_line(
    platform: Any, show_logs_on_failure: Any
) -> None:
    import asyncio
    import os
    import sys
    from pathlib import Path

    gridcase = Path(sys.executable).with_name("gridcase")
    env = {k: v for k, v in os.environ.items() if k != "GRIDCASE_ENV"}
    env["GRIDCASE_HOTLINE_SECRETS"] = HOTLINE_SECRET
    proc = await asyncio.create_subprocess_exec(
        str(gridcase),
        "hotline",
        "push",
        "--example",
        "--url",
        platform.urls["intake"],
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await proc.communicate())[0].decode()

    assert proc.returncode == 0, output
    created = json.loads(output[output.index("{") :].replace("\n", ""))
    [sms] = await sms_arrived(platform, created["tracking_no"])
    assert sms.json()["phone"] == GM111A_PHONE


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    import asyncio
    import os
    import sys
    from pathlib import Path

    gridcase = Path(sys.executable).with_name("gridcase")
    proc = await asyncio.create_subprocess_exec(
        str(gridcase),
        *args,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await proc.communicate())[0].decode()
    assert proc.returncode is not None
    return proc.returncode, output


async def test_directory_import_from_the_command_line_reports_what_changed(
    platform: Any, show_logs_on_failure: Any, tmp_path: Any
) -> None:
    demo = DEMO
    again_code, again = await run_cli(
        "directory",
        "import",
        f"departments={demo / 'departments.csv'}",
        f"staff={demo / 'staff.csv'}",
        "--url",
        platform.urls["dispatch"],
    )
    bad = tmp_path / "staff.csv"
    bad.write_text(
        "staff_id,name,phone,role,area_code,department_code,post\nx1,某人,13900000001,grid_member,510302009009009,,\n"
    )
    bad_code, refused = await run_cli(
        "directory", "import", f"staff={bad}", "--url", platform.urls["dispatch"]
    )

    assert again_code == 0, again
    assert "│ staff       │ 46   │ 0       │ 0       │ 46" in again  # and the city centre
    assert bad_code == 1
    assert "unknown area 510302009009009" in refused


async def test_policies_import_from_the_command_line(
    platform: Any, show_logs_on_failure: Any, tmp_path: Any
) -> None:
    good = tmp_path / "policies.csv"
    good.write_text(
        "category_code,priority,clock,amount,unit,working_hours,end_of_day\n"
        "neighbour/noise-dispute,*,resolution,3,working_days,false,true\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("category,limit\nx,1\n")

    ok_code, ok = await run_cli(
        "policies", "import", str(good), "--url", platform.urls["escalation"]
    )
    bad_code, refused = await run_cli(
        "policies", "import", str(bad), "--url", platform.urls["escalation"]
    )

    assert ok_code == 0, ok
    assert "neighbour/noise-dispute" in ok
    assert "working_days" in ok
    assert bad_code == 2
    assert "header must be" in refused


def log_lines(platform: Any, service: str) -> list[dict[str, Any]]:
    lines = []
    for raw in (platform.logs / f"{service}.log").read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            lines.append(json.loads(raw))
    return lines


async def test_one_case_is_one_trace_from_the_hotline_push_to_the_sms(
    platform: Any, show_logs_on_failure: Any
) -> None:
    response = await push(platform, a_ticket())
    assert response.status_code == 201
    case_id = response.json()["case_id"]

    (accepted,) = [
        line
        for line in log_lines(platform, "intake")
        if line["event"] == "hotline ticket accepted" and line.get("case_id") == case_id
    ]
    trace_id = accepted["trace_id"]
    assert accepted["correlation_id"] == response.headers["x-correlation-id"]

    def record_of(topic: str, event_type: str) -> Any:
        async def find() -> Any:
            records = await read_topic(
                platform.kafka, topics.qualify(platform.namespace, topic), min_count=1
            )
            return next(
                (
                    r
                    for r in records
                    if r.key == case_id.encode() and dict(r.headers)["type"] == event_type.encode()
                ),
                None,
            )

        return eventually(find, timeout=60)

    # dispatch's assignment and notify's SMS receipt, each in its own service and
    # written by its own outbox, carry the trace that began at the hotline push.
    for topic, event_type in (
        (topics.DISPATCH, "case.assigned"),
        (topics.NOTIFY, "notification.delivered"),
    ):
        record = await record_of(topic, event_type)
        traceparent = dict(record.headers)["traceparent"].decode()
        assert traceparent.split("-")[1] == trace_id, event_type

    # Dispatch's log lines while it handled the case's report carry the same trace.
    reported_id = next(
        json.loads(r.value)["id"]
        for r in await read_topic(
            platform.kafka, topics.qualify(platform.namespace, topics.INTAKE), min_count=1
        )
        if r.key == case_id.encode()
    )
    handled = [
        line for line in log_lines(platform, "dispatch") if line.get("event_id") == reported_id
    ]
    assert handled
    assert {line["trace_id"] for line in handled} == {trace_id}
    assert {line["case_id"] for line in handled} == {case_id}
