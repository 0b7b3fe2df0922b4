"""Failed deliveries are visible to ops, and an admin can resend them."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.db import create_engine
from gridcase_events.testing import HttpSink, bearer

pytestmark = pytest.mark.integration

OPS = bearer("ops1", "ops", "510302")
MEMBER = bearer("gm111a", "grid_member", "510302001001001")


async def test_a_failed_delivery_is_listed_and_resent_under_a_derived_key(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    http_sink.fail_next(400)
    await staff()
    event = await assigned()
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    listed = await client.get("/v1/deliveries", params={"status": "failed"}, headers=OPS)
    assert [d["id"] for d in listed.json()] == [failed["id"]]

    resent = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    assert resent.status_code == 202
    assert resent.json()["resent_from"] == failed["id"]
    assert resent.json()["resent_by"] == "ops1"

    items = await deliveries(event.subject, lambda d: len(d) == 2 and d[1]["status"] == "delivered")
    keys = [r.headers["x-idempotency-key"] for r in http_sink.requests]
    assert len(keys) == 2
    assert keys[1] == f"{keys[0]}:resend:1"
    assert items[0]["status"] == "failed"  # the original keeps its history

    again = await client.post(f"/v1/deliveries/{resent.json()['id']}/resend", headers=OPS)
    assert again.status_code == 409
    assert "delivered" in again.json()["detail"]


async def test_a_second_resend_is_refused_while_the_first_has_not_failed(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    http_sink.fail_next(400)
    await staff()
    event = await assigned()
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    first = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    second = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)

    assert first.status_code == 202
    assert second.status_code == 409
    assert "already been resent" in second.json()["detail"]
    items = await deliveries(event.subject, lambda d: len(d) == 2 and d[1]["status"] == "delivered")
    assert [i["resent_from"] for i in items] == [None, failed["id"]]
    assert len(http_sink.requests) == 2  # the original, and one resend
    after = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    assert after.status_code == 409  # delivered: nothing more to resend


async def test_a_failed_resend_may_be_resent_again(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    http_sink.fail_next(400, times=2)
    await staff()
    event = await assigned()
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")
    first = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    await deliveries(event.subject, lambda d: len(d) == 2 and d[1]["status"] == "failed")

    again = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)

    assert first.status_code == 202
    assert again.status_code == 202
    items = await deliveries(event.subject, lambda d: len(d) == 3 and d[2]["status"] == "delivered")
    keys = [r.headers["x-idempotency-key"] for r in http_sink.requests]
    assert keys[1:] == [f"{keys[0]}:resend:1", f"{keys[0]}:resend:2"]
    assert items[2]["resent_from"] == failed["id"]


async def test_concurrent_resends_make_one_and_refuse_the_other(
    client: Any, staff: Any, assigned: Any, deliveries: Any, http_sink: HttpSink
) -> None:
    http_sink.fail_next(400)
    await staff()
    event = await assigned()
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")

    answers = await asyncio.gather(
        *(client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS) for _ in range(2))
    )

    assert sorted(a.status_code for a in answers) == [202, 409]
    items = await deliveries(event.subject, lambda d: len(d) == 2 and d[1]["status"] == "delivered")
    assert len(items) == 2
    assert len(http_sink.requests) == 2


async def test_a_resend_is_listed_after_its_original_wherever_their_rows_lie(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    fresh_database: str,
) -> None:
    # Under the test's clock a delivery and its resend are planned at the same instant:
    # the lists must not fall back on where PostgreSQL happens to keep their rows.
    http_sink.fail_next(400)
    await staff()
    event = await assigned()
    [failed] = await deliveries(event.subject, lambda d: d[0]["status"] == "failed")
    resent = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    assert resent.status_code == 202
    await deliveries(
        event.subject, lambda d: len(d) == 2 and "delivered" in {i["status"] for i in d}
    )
    engine = create_engine(fresh_database, pool_size=1)
    try:  # the original's row moves past its resend's, as any later update may move it
        async with engine.begin() as conn:
            for status in ("sending", "failed"):
                await conn.execute(
                    text("UPDATE notify.deliveries SET status = :s WHERE id = :id"),
                    {"s": status, "id": failed["id"]},
                )
    finally:
        await engine.dispose()

    of_case = await client.get(f"/v1/cases/{event.subject}/deliveries", headers=OPS)
    mine = await client.get("/v1/recipients/staff:gm111a/deliveries", headers=MEMBER)

    sms = [d for d in of_case.json() if d["channel"] == "sms"]
    assert [(d["resent_from"], d["status"]) for d in sms] == [
        (None, "failed"),
        (failed["id"], "delivered"),
    ]
    assert [d["resent_from"] for d in mine.json() if d["channel"] == "sms"] == [None, failed["id"]]


async def test_resend_needs_ops_and_an_existing_delivery(client: Any) -> None:
    missing = "01a20000-0000-7000-8000-000000000000"
    assert (await client.post(f"/v1/deliveries/{missing}/resend", headers=OPS)).status_code == 404
    assert (
        await client.post(f"/v1/deliveries/{missing}/resend", headers=MEMBER)
    ).status_code == 403
    assert (await client.get("/v1/deliveries", headers=MEMBER)).status_code == 403
    bad = await client.get("/v1/deliveries", params={"status": "lost"}, headers=OPS)
    assert bad.status_code == 422


async def test_staff_see_their_own_receipts_only(
    client: Any, staff: Any, assigned: Any, deliveries: Any
) -> None:
    await staff()
    event = await assigned()
    await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")

    mine = await client.get("/v1/recipients/staff:gm111a/deliveries", headers=MEMBER)
    theirs = await client.get("/v1/recipients/staff:gl111/deliveries", headers=MEMBER)

    assert mine.status_code == 200
    assert {d["channel"] for d in mine.json()} == {"sms", "inapp"}
    assert mine.json()[0]["recipient_id"] == "staff:gm111a"
    assert "13800000002" not in mine.text
    assert theirs.status_code == 403


async def test_an_offset_beyond_a_bigint_is_a_field_error(client: Any) -> None:
    largest = await client.get("/v1/deliveries", params={"offset": 2**63 - 1}, headers=OPS)
    huge = await client.get("/v1/deliveries", params={"offset": 2**63}, headers=OPS)
    mine = await client.get(
        "/v1/recipients/staff:gm111a/deliveries", params={"offset": 2**63}, headers=MEMBER
    )

    assert largest.status_code == 200
    assert largest.json() == []
    assert huge.status_code == 422
    assert huge.json()["detail"][0]["loc"] == ["query", "offset"]
    assert mine.status_code == 422


async def test_only_the_districts_own_desks_see_a_cases_notifications(
    client: Any, staff: Any, assigned: Any, deliveries: Any
) -> None:
    await staff()
    event = await assigned()
    await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")
    url = f"/v1/cases/{event.subject}/deliveries"

    answers = {
        name: await client.get(url, headers=headers)
        for name, headers in {
            "ops": OPS,
            "own district centre": bearer("dc1", "district_center", "510302"),
            "own dispatcher": bearer("dp1", "dispatcher", "510302"),
            "other district's dispatcher": bearer("dp9", "dispatcher", "510303"),
            "district centre without an area": bearer("dc9", "district_center"),
            "grid member": MEMBER,
        }.items()
    }

    assert {name: a.status_code for name, a in answers.items()} == {
        "ops": 200,
        "own district centre": 200,
        "own dispatcher": 200,
        "other district's dispatcher": 403,
        "district centre without an area": 403,
        "grid member": 403,
    }
    assert {d["recipient_id"] for d in answers["own dispatcher"].json()} == {"staff:gm111a"}


async def test_failed_deliveries_are_resent_in_bulk_by_filter_each_once(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    clock: ManualClock,
) -> None:
    start = clock.now()
    http_sink.fail_next(400, times=3)
    await staff()
    early = await assigned(tracking_no="GC-20261121-EARLY1")
    await deliveries(early.subject, lambda d: d[0]["status"] == "failed")
    clock.advance(timedelta(hours=1))
    late = await assigned(tracking_no="GC-20261121-LATE01")
    resent_one = await assigned(tracking_no="GC-20261121-LATE02")
    await deliveries(late.subject, lambda d: d[0]["status"] == "failed")
    [failed] = await deliveries(resent_one.subject, lambda d: d[0]["status"] == "failed")
    single = await client.post(f"/v1/deliveries/{failed['id']}/resend", headers=OPS)
    assert single.status_code == 202

    recent = await client.post(
        "/v1/deliveries:resend",
        json={"channel": "sms", "failed_from": (start + timedelta(minutes=30)).isoformat()},
        headers=OPS,
    )
    everything = await client.post("/v1/deliveries:resend", json={}, headers=OPS)

    assert recent.status_code == 200
    assert recent.json() == {"matched": 2, "resent": 1, "skipped": 1}  # LATE02: resent already
    assert everything.json() == {"matched": 3, "resent": 1, "skipped": 2}  # only EARLY1 left
    for event in (early, late, resent_one):
        items = await deliveries(
            event.subject, lambda d: len(d) == 2 and d[1]["status"] == "delivered"
        )
        assert [i["resent_by"] for i in items] == [None, "ops1"]
    assert len(http_sink.requests) == 6  # three failures, three resends
    again = await client.post("/v1/deliveries:resend", json={"status": "failed"}, headers=OPS)
    assert again.json() == {"matched": 3, "resent": 0, "skipped": 3}
    assert len(http_sink.requests) == 6


async def test_bulk_resend_refuses_bad_filters_and_other_roles(
    client: Any, clock: ManualClock
) -> None:
    now = clock.now().isoformat()
    url = "/v1/deliveries:resend"
    answers = {
        "member": await client.post(url, json={}, headers=MEMBER),
        "anonymous": await client.post(url, json={}),
        "delivered": await client.post(url, json={"status": "delivered"}, headers=OPS),
        "naive time": await client.post(
            url, json={"failed_from": "2026-11-21T10:00:00"}, headers=OPS
        ),
        "backwards": await client.post(
            url,
            json={"failed_from": now, "failed_until": now},
            headers=OPS,
        ),
        "huge limit": await client.post(url, json={"limit": 2**70}, headers=OPS),
        "nothing failed": await client.post(url, json={"channel": "email"}, headers=OPS),
    }

    assert {name: a.status_code for name, a in answers.items()} == {
        "member": 403,
        "anonymous": 401,
        "delivered": 422,
        "naive time": 422,
        "backwards": 422,
        "huge limit": 422,
        "nothing failed": 200,
    }
    assert answers["backwards"].json()["detail"] == "failed_until must be after failed_from"
    assert answers["nothing failed"].json() == {"matched": 0, "resent": 0, "skipped": 0}
