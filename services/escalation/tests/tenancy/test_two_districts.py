"""Two districts in one deployment (docs/adr/0005-districts-side-by-side.md): escalation's
clocks, overdue lists, supervision orders and reports show a district's people their
district's cases only; the city centre sees both, and may ask for either."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer

from gridcase_events import envelope, payloads, topics
from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import bearer, eventually
from gridcase_events.testing_districts import GeneratedDistrict, generated_district

pytestmark = pytest.mark.integration

ASSIGNED_AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in the districts
A = generated_district("510311", west=104.50, south=29.50, shape=((2, 3), (1,)), seed=11)
B = generated_district("510422", west=104.56, south=29.50, shape=((1, 1, 2),), seed=22)
CITY = bearer("cc1", "city_center")


def _who(d: GeneratedDistrict) -> dict[str, dict[str, str]]:
    return {
        "district_center": bearer(f"{d.code}-dc", "district_center", d.code),
        "street_officer": bearer(f"{d.code}-so1", "street_officer", d.streets[0].code),
        "grid_member": bearer(f"{d.code}-gm", "grid_member", d.grids[0].code),
        "water": bearer(f"{d.code}-w", "department_operator", d.code, "water"),
    }


# Which of a district's two cases (in its first grid; its water department's) each sees.
OWN = {
    "district_center": {"grid", "water"},
    "street_officer": {"grid"},
    "grid_member": {"grid"},
    "water": {"water"},
}


def _assigned(case_id: UUID, d: GeneratedDistrict, *, water: bool) -> payloads.CaseAssigned:
    return payloads.CaseAssigned(
        case_id=case_id,
        tracking_no=f"GC-20261123-{str(case_id)[-6:].upper()}",
        category_code="utility/water-outage" if water else "environment/garbage-overflow",
        priority="normal",
        channel="hotline",
        case_version=2,
        assignee_id=f"{d.code}-w" if water else f"{d.code}-gm",
        assignee_role="department_operator" if water else "grid_member",
        post="operator" if water else "A",
        reason="seeded",
        grid_code=None if water else d.grids[0].code,
        department_code="water" if water else None,
        summary="停水" if water else "垃圾满溢",
        assigned_at=ASSIGNED_AT,
    )


@pytest.fixture
async def two_districts(
    client: Any, producer: AIOKafkaProducer, namespace: str, clock: ManualClock
) -> dict[str, UUID]:
    """A grid case and a water department case in each district, as dispatch sends them:
    under the case's district as the envelope's tenant."""
    ids: dict[str, UUID] = {}
    for d in (A, B):
        for name in ("grid", "water"):
            case_id = envelope.new_id()
            ids[f"{d.code}:{name}"] = case_id
            event = envelope.build(
                _assigned(case_id, d, water=name == "water"),
                subject=str(case_id),
                source="dispatch",
                tenant=d.code,
                correlation_id=f"corr-{case_id}",
                time=ASSIGNED_AT,
            )
            await (
                await producer.send(
                    topics.qualify(namespace, topics.DISPATCH),
                    key=event.subject.encode(),
                    value=event.to_bytes(),
                )
            )

    async def clocked() -> bool | None:
        for case_id in ids.values():
            if (await client.get(f"/v1/cases/{case_id}/clocks", headers=CITY)).status_code != 200:
                return None
        return True

    await eventually(clocked)
    clock.set(ASSIGNED_AT + timedelta(days=30))  # every clock past its deadline
    return ids


def _own(ids: dict[str, UUID], d: GeneratedDistrict, names: set[str]) -> set[str]:
    return {str(ids[f"{d.code}:{n}"]) for n in names}


@pytest.mark.parametrize("district", [A, B], ids=["A", "B"])
async def test_clocks_and_overdue_lists_stay_inside_the_district(
    client: Any, two_districts: dict[str, UUID], district: GeneratedDistrict
) -> None:
    for role, headers in _who(district).items():
        want = _own(two_districts, district, OWN[role])
        single = {
            str(case_id)
            for case_id in two_districts.values()
            if (await client.get(f"/v1/cases/{case_id}/clocks", headers=headers)).status_code == 200
        }
        overdue = (await client.get("/v1/overdue", headers=headers)).json()

        assert single == want, role
        assert {c["case_id"] for c in overdue} == want, role


async def test_a_district_desk_cannot_list_another_districts_area(
    client: Any, two_districts: dict[str, UUID]
) -> None:
    centre_a = _who(A)["district_center"]

    answer = await client.get("/v1/overdue", params={"area_code": B.code}, headers=centre_a)
    water = await client.get("/v1/overdue", params={"department_code": "water"}, headers=centre_a)

    assert answer.status_code == 403
    assert {c["case_id"] for c in water.json()} == {str(two_districts[f"{A.code}:water"])}


async def test_the_city_centre_sees_every_districts_clocks(
    client: Any, two_districts: dict[str, UUID]
) -> None:
    overdue = (await client.get("/v1/overdue", headers=CITY)).json()
    only_b = (await client.get("/v1/overdue", params={"area_code": B.code}, headers=CITY)).json()

    assert {c["case_id"] for c in overdue} == {str(i) for i in two_districts.values()}
    assert {c["case_id"] for c in only_b} == {str(two_districts[f"{B.code}:grid"])}


async def test_supervision_orders_are_listed_inside_their_district(
    client: Any, two_districts: dict[str, UUID]
) -> None:
    for d in (A, B):
        issued = await client.post(
            "/v1/supervisions",
            json={"case_id": str(two_districts[f"{d.code}:water"]), "reason": "停水两天了"},
            headers=_who(d)["district_center"],
        )
        assert issued.status_code == 201, issued.text
    across = await client.post(
        "/v1/supervisions",
        json={"case_id": str(two_districts[f"{B.code}:grid"]), "reason": "隔壁区的"},
        headers=_who(A)["district_center"],
    )

    for d in (A, B):
        orders = (await client.get("/v1/supervisions", headers=_who(d)["district_center"])).json()
        assert [o["case_id"] for o in orders] == [str(two_districts[f"{d.code}:water"])]
    everything = (await client.get("/v1/supervisions", headers=CITY)).json()
    assert len(everything) == 2
    assert across.status_code == 403


def _period() -> dict[str, str]:
    return {"from": "2026-11-23", "to": "2026-11-23", "level": "district"}


async def test_reports_take_the_district_from_the_token(
    client: Any, two_districts: dict[str, UUID]
) -> None:
    async def rows(headers: dict[str, str], **extra: str) -> Any:
        answer = await client.get("/v1/reports/rates", params=_period() | extra, headers=headers)
        if answer.status_code != 200:
            return answer.status_code
        return {r["unit_code"]: r["received"] for r in answer.json()["rows"]}

    async def settled() -> bool | None:
        return True if await rows(CITY) == {A.code: 2, B.code: 2} else None

    await eventually(settled)

    for d, other in ((A, B), (B, A)):
        centre = _who(d)["district_center"]
        assert await rows(centre) == {d.code: 2}
        assert await rows(centre, district=d.code) == {d.code: 2}
        assert await rows(centre, district=other.code) == 403
        assert await rows(CITY, district=d.code) == {d.code: 2}
    water_a = await client.get(
        "/v1/reports/rates",
        params=_period() | {"level": "department"},
        headers=_who(A)["water"],
    )
    assert [(r["unit_code"], r["received"]) for r in water_a.json()["rows"]] == [("water", 1)]


async def test_a_department_operator_without_a_district_sees_neither_districts_clocks(
    client: Any, two_districts: dict[str, UUID]
) -> None:
    # The token names no district: it is of the deployment's own (GRIDCASE_TENANT,
    # 510302), where neither water case is.
    operator = bearer("w0", "department_operator", department_code="water")

    single = [
        case_id
        for case_id in two_districts.values()
        if (await client.get(f"/v1/cases/{case_id}/clocks", headers=operator)).status_code == 200
    ]
    overdue = (await client.get("/v1/overdue", headers=operator)).json()

    assert single == []
    assert overdue == []
