"""Preferences, quiet hours and digests, with an injected clock (real Kafka, PostgreSQL)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridcase_events.testing import HttpSink, bearer

pytestmark = pytest.mark.integration

GM111A = bearer("gm111a", "grid_member", "510302001001001")
ADMIN = bearer("admin1", "admin", "510302")
LATE_EVENING = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)  # 23:30 in Asia/Shanghai
NEXT_MORNING = datetime(2026, 11, 21, 23, 0, tzinfo=UTC)  # 07:00 on the 22nd there


def settled(items: list[dict[str, Any]]) -> bool:
    return all(i["status"] not in ("pending", "sending") for i in items)


async def test_sms_planned_in_quiet_hours_is_held_until_seven(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    clock.set(LATE_EVENING)
    await staff()
    event = await assigned()

    [held] = await deliveries(event.subject, lambda d: d[0]["status"] == "pending")
    inapp = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered", "inapp")

    assert datetime.fromisoformat(held["next_attempt_at"]) == NEXT_MORNING
    assert len(inapp) == 1  # other channels are not held
    assert http_sink.requests == []

    clock.set(NEXT_MORNING)
    [sent] = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")
    assert datetime.fromisoformat(sent["delivered_at"]) == NEXT_MORNING
    assert len(http_sink.requests) == 1


async def test_sms_about_an_urgent_case_is_not_held_by_quiet_hours(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink, clock: Any
) -> None:
    clock.set(LATE_EVENING)
    await staff()
    event = await assigned(priority="urgent")

    [sent] = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")

    assert datetime.fromisoformat(sent["delivered_at"]) == LATE_EVENING
    assert "紧急" in http_sink.requests[0].json()["content"]


async def test_a_staff_members_own_quiet_hours_override_the_district_default(
    client: Any, staff: Any, assigned: Any, deliveries: Any, clock: Any
) -> None:
    clock.set(LATE_EVENING)
    put = await client.put("/v1/preferences/me", json={"quiet_hours": ""}, headers=GM111A)
    assert put.status_code == 200
    await staff()
    event = await assigned()

    [sent] = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")

    assert datetime.fromisoformat(sent["delivered_at"]) == LATE_EVENING


async def test_turned_off_channels_are_skipped_but_urgent_sms_still_arrives(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    put = await client.put(
        "/v1/preferences/me", json={"disabled_channels": ["sms", "inapp"]}, headers=GM111A
    )
    assert put.json()["disabled_channels"] == ["inapp", "sms"]
    await staff()
    normal = await assigned(tracking_no="GC-20261121-NORMAL")
    urgent = await assigned(tracking_no="GC-20261121-URGENT", priority="urgent")

    quiet = await deliveries(normal.subject, lambda d: len(d) == 2 and settled(d), None)
    loud = await deliveries(urgent.subject, lambda d: len(d) == 2 and settled(d), None)

    assert {(d["channel"], d["status"]) for d in quiet} == {
        ("sms", "skipped"),
        ("inapp", "skipped"),
    }
    assert "preferences" in quiet[0]["last_error"]
    assert {(d["channel"], d["status"]) for d in loud} == {
        ("sms", "delivered"),
        ("inapp", "skipped"),
    }
    assert [r.json()["params"]["tracking_no"] for r in http_sink.requests] == ["GC-20261121-URGENT"]


async def test_preferences_reject_unknown_channels_and_bad_hours(client: Any) -> None:
    bad = await client.put(
        "/v1/preferences/me",
        json={"disabled_channels": ["pigeon"], "quiet_hours": "25:00-07:00"},
        headers=GM111A,
    )
    assert bad.status_code == 422
    fields = {tuple(e["loc"][1:2]) for e in bad.json()["detail"]}
    assert fields == {("disabled_channels",), ("quiet_hours",)}
    assert (await client.get("/v1/preferences/me", headers=GM111A)).json()[
        "disabled_channels"
    ] == []


async def test_only_an_admin_sets_someone_elses_preferences(client: Any) -> None:
    body = {"email": "lilei@example.org"}
    assert (await client.put("/v1/preferences/gl111", json=body, headers=GM111A)).status_code == 403
    done = await client.put("/v1/preferences/gl111", json=body, headers=ADMIN)
    assert done.status_code == 200
    assert (await client.get("/v1/preferences/gl111", headers=ADMIN)).json()["email"] == (
        "lilei@example.org"
    )


async def test_an_admin_sets_the_preferences_of_a_staff_id_holding_a_slash(client: Any) -> None:
    body = {"email": "op@example.org"}
    done = await client.put("/v1/preferences/0301/op.1", json=body, headers=ADMIN)
    assert done.status_code == 200
    read = await client.get("/v1/preferences/0301/op.1", headers=ADMIN)
    assert read.json()["email"] == "op@example.org"


async def test_a_burst_of_sms_folds_into_one_digest_at_the_end_of_the_window(
    client: Any, staff: Any, assigned: Any, receipts: Any, http_sink: HttpSink, clock: Any
) -> None:
    await staff()
    start = clock.now()
    numbers = [f"GC-20261121-BURST{i}" for i in range(7)]
    for number in numbers:
        await assigned(tracking_no=number)

    items = await receipts(
        "staff:gm111a",
        lambda d: len(d) == 8 and sum(i["status"] == "delivered" for i in d) == 5,
    )

    by_status: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_status.setdefault(item["status"], []).append(item)
    [digest] = by_status["pending"]
    assert digest["template"] == "digest"
    assert datetime.fromisoformat(digest["next_attempt_at"]) == start + timedelta(minutes=10)
    folded = by_status["digested"]
    assert len(folded) == 2
    assert {f["digest_id"] for f in folded} == {digest["id"]}
    assert len(http_sink.requests) == 5

    clock.advance(timedelta(minutes=10))
    await receipts(
        "staff:gm111a", lambda d: all(i["status"] in ("delivered", "digested") for i in d)
    )

    assert len(http_sink.requests) == 6
    last = http_sink.requests[-1].json()
    assert last["template_id"] == "GC_DIGEST"
    assert "2条新通知" in last["content"]
    sent_alone = {r.json()["params"]["tracking_no"] for r in http_sink.requests[:5]}
    in_digest = set(last["params"]["tracking_nos"])
    assert len(in_digest) == 2
    assert sent_alone | in_digest == set(numbers)  # none lost
    assert all(n in last["content"] for n in in_digest)


async def test_urgent_sms_is_never_folded_into_a_digest(
    client: Any, staff: Any, assigned: Any, receipts: Any, http_sink: HttpSink
) -> None:
    await staff()
    for i in range(6):
        await assigned(tracking_no=f"GC-20261121-URGNT{i}", priority="urgent")

    items = await receipts("staff:gm111a", lambda d: len(d) == 6 and settled(d))

    assert {i["status"] for i in items} == {"delivered"}
    assert len(http_sink.requests) == 6
