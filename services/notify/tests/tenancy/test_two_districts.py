"""Two districts in one deployment (docs/adr/0005-districts-side-by-side.md): a
notification belongs to the district of the case it is about (its event's tenant); a
district's desks and ops see their district's, the city level both."""

from typing import Any

import pytest

from gridcase_events.testing import HttpSink, bearer, eventually
from gridcase_events.testing_districts import generated_district

pytestmark = pytest.mark.integration

A = generated_district("510311", west=104.50, south=29.50, shape=((2, 3), (1,)), seed=11)
B = generated_district("510422", west=104.56, south=29.50, shape=((1, 1, 2),), seed=22)
CITY = bearer("cc1", "city_center")
CITY_OPS = bearer("ops0", "ops")


@pytest.fixture
async def two_cases(staff: Any, assigned: Any, client: Any) -> dict[str, str]:
    """One case in each district, assigned to its first grid's A post."""
    ids: dict[str, str] = {}
    for d, phone in ((A, "13800000011"), (B, "13800000022")):
        member = f"{d.code}-gm111a"
        await staff(member, phone, area_code=d.grids[0].code)
        event = await assigned(
            assignee=member,
            tracking_no=f"GC-20261121-{d.code}",
            grid_code=d.grids[0].code,
            tenant=d.code,
        )
        ids[d.code] = event.subject

    async def delivered() -> bool | None:
        for case_id in ids.values():
            found = (await client.get(f"/v1/cases/{case_id}/deliveries", headers=CITY)).json()
            if not any(d["status"] == "delivered" for d in found):
                return None
        return True

    await eventually(delivered)
    return ids


async def test_a_cases_notifications_are_seen_by_its_own_districts_desks_only(
    client: Any, two_cases: dict[str, str]
) -> None:
    for d, other in ((A, B), (B, A)):
        for role in ("district_center", "dispatcher", "ops"):
            desk = bearer(f"{d.code}-{role}", role, d.code)
            own = await client.get(f"/v1/cases/{two_cases[d.code]}/deliveries", headers=desk)
            theirs = await client.get(f"/v1/cases/{two_cases[other.code]}/deliveries", headers=desk)
            assert own.status_code == 200, (d.code, role)
            assert own.json(), (d.code, role)
            assert theirs.status_code == 403, (d.code, role)
    for case_id in two_cases.values():
        assert (await client.get(f"/v1/cases/{case_id}/deliveries", headers=CITY)).json()


async def test_ops_lists_and_receipts_stay_inside_the_district(
    client: Any, two_cases: dict[str, str]
) -> None:
    def cases_in(answer: Any) -> set[str]:
        return {d["case_id"] for d in answer.json()}

    for d, other in ((A, B), (B, A)):
        ops = bearer(f"{d.code}-ops", "ops", d.code)
        listed = await client.get("/v1/deliveries", params={"status": "delivered"}, headers=ops)
        receipts = await client.get(
            f"/v1/recipients/staff:{other.code}-gm111a/deliveries", headers=ops
        )
        assert cases_in(listed) == {two_cases[d.code]}
        assert receipts.json() == []
    everything = await client.get(
        "/v1/deliveries", params={"status": "delivered"}, headers=CITY_OPS
    )
    assert cases_in(everything) == set(two_cases.values())


async def test_a_grid_members_inbox_holds_its_own_districts_notices(
    client: Any, two_cases: dict[str, str]
) -> None:
    for d in (A, B):
        member = bearer(f"{d.code}-gm111a", "grid_member", d.grids[0].code)

        async def arrived(headers: dict[str, str] = member) -> list[Any] | None:
            items: list[Any] = (await client.get("/v1/inbox", headers=headers)).json()
            return items or None

        items = await eventually(arrived)
        assert {i["case_id"] for i in items} == {two_cases[d.code]}


async def test_ops_resend_only_their_own_districts_failed_deliveries(
    client: Any, staff: Any, assigned: Any, http_sink: HttpSink
) -> None:
    http_sink.fail_next(400, times=2)
    failed: dict[str, str] = {}
    for d, phone in ((A, "13800000011"), (B, "13800000022")):
        member = f"{d.code}-gm111a"
        await staff(member, phone, area_code=d.grids[0].code)
        event = await assigned(
            assignee=member,
            tracking_no=f"GC-20261121-F{d.code}",
            grid_code=d.grids[0].code,
            tenant=d.code,
        )

        async def has_failed(case_id: str = event.subject) -> str | None:
            found = (await client.get(f"/v1/cases/{case_id}/deliveries", headers=CITY)).json()
            sms = [f for f in found if f["channel"] == "sms"]
            return sms[0]["id"] if sms and sms[0]["status"] == "failed" else None

        failed[d.code] = await eventually(has_failed)
    ops_a = bearer(f"{A.code}-ops", "ops", A.code)

    theirs = await client.post(f"/v1/deliveries/{failed[B.code]}/resend", headers=ops_a)
    bulk = await client.post("/v1/deliveries:resend", json={}, headers=ops_a)
    city = await client.post("/v1/deliveries:resend", json={}, headers=CITY_OPS)

    assert theirs.status_code == 404
    assert bulk.json() == {"matched": 1, "resent": 1, "skipped": 0}  # A's alone
    assert city.json() == {"matched": 2, "resent": 1, "skipped": 1}  # B's now; A's resent
