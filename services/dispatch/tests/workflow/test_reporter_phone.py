"""首次联系 by phone: the resident's number is masked everywhere; the case's assignee may
reveal it to call, and each reveal is on the timeline."""

from typing import Any

import pytest

from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

MEMBER = bearer("gm111a", "grid_member", "510302001001001")
B_POST = bearer("gm111b", "grid_member", "510302001001001")
LEADER = bearer("gl111", "grid_leader", "510302001001001")
OTHER_MEMBER = bearer("gm211a", "grid_member", "510302002001001")
PHONE = "13912345678"


def reporter(phone: str = PHONE) -> dict[str, Any]:
    return {
        "reporter": {
            "phone_masked": "139****5678",
            "phone_encrypted": PiiCipher(DEV_PII_KEY).encrypt(phone),
        }
    }


async def reveal(client: Any, case: dict[str, Any], who: dict[str, str]) -> Any:
    return await client.post(f"/v1/cases/{case['id']}/reporter-phone", headers=who)


async def test_the_assignee_reveals_the_number_and_the_reveal_is_on_the_timeline(
    client: Any, new_case: Any
) -> None:
    case = await new_case(**reporter())
    assert case["reporter_phone_masked"] == "139****5678"
    assert PHONE not in str(case)

    response = await reveal(client, case, MEMBER)

    assert response.status_code == 200, response.text
    assert response.json() == {"phone": PHONE}
    detail = (await client.get(f"/v1/cases/{case['id']}", headers=MEMBER)).json()
    revealed = [t for t in detail["timeline"] if t["action"] == "phone_revealed"]
    assert [(t["actor"], t["detail"]) for t in revealed] == [("gm111a", {})]
    assert detail["version"] == case["version"]  # an audit entry, not a change of the case
    assert PHONE not in str(detail)


@pytest.mark.parametrize(
    ("who", "status"),
    [(B_POST, 403), (LEADER, 403), (OTHER_MEMBER, 403)],
    ids=["the B post", "the grid leader", "another grid's member"],
)
async def test_nobody_but_the_assignee_gets_the_number(
    client: Any, new_case: Any, who: dict[str, str], status: int
) -> None:
    case = await new_case(**reporter())

    response = await reveal(client, case, who)

    assert response.status_code == status
    assert PHONE not in response.text
    detail = (await client.get(f"/v1/cases/{case['id']}", headers=MEMBER)).json()
    assert "phone_revealed" not in [t["action"] for t in detail["timeline"]]


async def test_a_case_without_a_number_is_404(client: Any, new_case: Any) -> None:
    case = await new_case()

    response = await reveal(client, case, MEMBER)

    assert response.status_code == 404
    assert "no phone number" in response.json()["detail"]


async def test_no_such_case_is_404(client: Any, demo_city: Any) -> None:
    response = await client.post(
        "/v1/cases/0190a4b2-0000-7000-8000-000000000000/reporter-phone", headers=MEMBER
    )

    assert response.status_code == 404


async def test_a_resolved_case_is_409_with_its_state(client: Any, new_case: Any) -> None:
    case = await new_case(**reporter())
    for action, body in (("accept", None), ("resolve", {"note": "已清运"})):
        answer = await client.post(f"/v1/cases/{case['id']}/{action}", json=body, headers=MEMBER)
        assert answer.status_code == 200, answer.text

    response = await reveal(client, case, MEMBER)

    assert response.status_code == 409
    assert response.json()["status"] == "resolved"
