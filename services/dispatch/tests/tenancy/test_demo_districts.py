"""The demo city's second district (deploy/demo/510303, 河畔区) imports beside the first,
its people sign in with their district, and its cases stay its own."""

from pathlib import Path
from typing import Any

import pytest

from gridcase_events.kit import auth
from gridcase_events.kit.settings import DEV_JWT_SECRET
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

SECOND = Path(__file__).resolve().parents[4] / "deploy" / "demo" / "510303"
CITY = bearer("cc1", "city_center")


@pytest.fixture
async def demo_districts(demo_city: Any, import_directory: Any) -> Any:
    for kind, name in (
        ("areas", "areas.geojson"),
        ("staff", "staff.csv"),
        ("gazetteer", "gazetteer.csv"),
    ):
        answer = await import_directory(kind, (SECOND / name).read_bytes())
        assert answer.status_code == 200, answer.text
    return demo_city


async def test_dev_sign_in_lists_both_districts_people(demo_districts: Any) -> None:
    people = {p["staff_id"]: p for p in (await demo_districts.get("/v1/dev/people")).json()}
    signed = await demo_districts.post("/v1/dev/sign-in", json={"staff_id": "hp-water1"})

    assert people["hp-dp1"]["area_name"] == "河畔区"
    assert people["dp1"]["area_name"] == "示范区"
    assert people["cc1"]["role"] == "city_center"
    principal = auth.decode(signed.json()["token"], DEV_JWT_SECRET)
    assert (principal.area_code, principal.department_code) == ("510303", "water")


async def test_a_case_in_the_second_district_is_its_own(demo_districts: Any, report: Any) -> None:
    case_id = await report(address="河畔区南岸街道银杏社区银杏路1号1栋", location=None)

    async def placed() -> dict[str, Any] | None:
        answer = await demo_districts.get(f"/v1/cases/{case_id}", headers=CITY)
        return answer.json() if answer.status_code == 200 else None

    case = await eventually(placed)
    assert (case["grid_code"], case["district_code"]) == ("510303001001001", "510303")
    assert case["assignee_id"] == "hp-gm111a"
    for who, status in (
        (bearer("hp-dp1", "dispatcher", "510303"), 200),
        (bearer("dp1", "dispatcher", "510302"), 403),
        (bearer("water1", "department_operator", "510302", "water"), 403),
    ):
        answer = await demo_districts.get(f"/v1/cases/{case_id}", headers=who)
        assert answer.status_code == status, who
