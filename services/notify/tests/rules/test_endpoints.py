"""Rules as data: the seeded defaults, and an admin changing who hears what."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")
MEMBER = bearer("gm111a", "grid_member", "510302001001001")


async def test_the_defaults_are_seeded(client: Any) -> None:
    response = await client.get("/v1/rules", headers=ADMIN)

    rules = {r["event_type"]: r["recipients"] for r in response.json()}
    assert rules["case.assigned"] == [
        {"selector": "assignee", "channels": ["sms", "inapp"]},
        {"selector": "department_operators", "channels": ["inapp", "sms"]},
    ]
    assert {"selector": "area_robot", "channels": ["wecom"]} in rules["case.escalated"]
    for status in ("case.accepted", "case.resolved", "case.closed"):
        assert rules[status] == [
            {"selector": "reporters", "channels": ["sms"]},
            {"selector": "hotline", "channels": ["webhook"]},
        ]
    assert set(rules) == {
        "case.assigned",
        "case.accepted",
        "case.resolved",
        "case.closed",
        "case.escalated",
        "sla.warning",
        "sla.breached",
        "supervision.issued",
    }


async def test_a_changed_rule_changes_who_hears(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: Any
) -> None:
    put = await client.put(
        "/v1/rules/case.assigned",
        json={"recipients": [{"selector": "assignee", "channels": ["inapp"]}]},
        headers=ADMIN,
    )
    assert put.status_code == 200
    assert put.json()["updated_by"] == "admin1"
    await staff()
    event = await assigned()

    items = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered", None)

    assert [i["channel"] for i in items] == ["inapp"]
    assert http_sink.requests == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "case.assigned",
            {"recipients": [{"selector": "reporters", "channels": ["wecom"]}]},
            "channels",
        ),
        (
            "case.assigned",
            {"recipients": [{"selector": "nobody", "channels": ["sms"]}]},
            "selector",
        ),
        ("case.assigned", {"recipients": [{"selector": "assignee", "channels": []}]}, "channels"),
        ("case.teleported", {"recipients": []}, "event_type"),
    ],
)
async def test_a_bad_rule_is_refused_and_nothing_changes(
    client: Any, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.put(f"/v1/rules/{path}", json=body, headers=ADMIN)

    assert response.status_code == 422
    assert field in {str(loc) for e in response.json()["detail"] for loc in e["loc"]}
    rules = {r["event_type"]: r for r in (await client.get("/v1/rules", headers=ADMIN)).json()}
    assert rules["case.assigned"]["updated_by"] == "migration"


async def test_only_admins_change_rules(client: Any) -> None:
    body = {"recipients": []}
    assert (await client.put("/v1/rules/sla.warning", json=body, headers=MEMBER)).status_code == 403
    assert (await client.get("/v1/rules", headers=MEMBER)).status_code == 403


async def test_a_rule_changed_since_the_editor_read_it_is_a_conflict_and_not_saved(
    client: Any,
) -> None:
    read = {r["event_type"]: r for r in (await client.get("/v1/rules", headers=ADMIN)).json()}
    seen = read["case.closed"]["updated_at"]
    first = await client.put(
        "/v1/rules/case.closed",
        json={
            "recipients": [{"selector": "reporters", "channels": ["sms"]}],
            "expected_updated_at": seen,
        },
        headers=bearer("admin2", "admin", "510302"),
    )
    assert first.status_code == 200, first.text

    second = await client.put(
        "/v1/rules/case.closed",
        json={
            "recipients": [{"selector": "hotline", "channels": ["webhook"]}],
            "expected_updated_at": seen,
        },
        headers=ADMIN,
    )

    assert second.status_code == 409
    assert second.json()["updated_by"] == "admin2"
    assert "admin2" in second.json()["detail"]
    now = {r["event_type"]: r for r in (await client.get("/v1/rules", headers=ADMIN)).json()}
    assert now["case.closed"]["recipients"] == [{"selector": "reporters", "channels": ["sms"]}]


async def test_an_expected_time_without_its_offset_is_a_422(client: Any) -> None:
    response = await client.put(
        "/v1/rules/case.closed",
        json={
            "recipients": [{"selector": "reporters", "channels": ["sms"]}],
            "expected_updated_at": "2026-11-28T12:00:00",
        },
        headers=ADMIN,
    )

    assert response.status_code == 422


async def test_a_channel_that_cannot_reach_the_recipient_names_both_for_the_console(
    client: Any,
) -> None:
    body = {"recipients": [{"selector": "reporters", "channels": ["sms", "wecom", "dingtalk"]}]}

    response = await client.put("/v1/rules/case.closed", json=body, headers=ADMIN)

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "recipients", 0, "channels"]
    assert problem["type"] == "channel_unreachable"
    assert problem["ctx"] == {"selector": "reporters", "channels": ["dingtalk", "wecom"]}
