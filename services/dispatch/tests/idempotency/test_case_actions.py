"""``Idempotency-Key`` on the case actions, against the real broker and database: a
phone replaying its offline queue, or a click sent twice, acts once."""

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

GUIHUA_1 = "510302001001001"
MEMBER = bearer("gm111a", "grid_member", GUIHUA_1)
B_POST = bearer("gm111b", "grid_member", GUIHUA_1)
DISPATCHER = bearer("dp1", "dispatcher", "510302")


def _actions(case: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [t for t in case["timeline"] if t["action"] == action]


async def _case(client: Any, case_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/cases/{case_id}", headers=MEMBER)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_a_repeated_sign_for_replays_the_first_answer_and_signs_once(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    headers = {**MEMBER, "Idempotency-Key": "q-1"}

    first = await client.post(f"/v1/cases/{case['id']}/accept", headers=headers)
    again = await client.post(f"/v1/cases/{case['id']}/accept", headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(_actions(await _case(client, case["id"]), "accept")) == 1


async def test_without_a_key_a_repeated_sign_for_is_still_a_conflict(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    await client.post(f"/v1/cases/{case['id']}/accept", headers=MEMBER)
    again = await client.post(f"/v1/cases/{case['id']}/accept", headers=MEMBER)

    assert again.status_code == 409


async def test_concurrent_requests_with_one_key_act_once_and_answer_alike(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    headers = {**MEMBER, "Idempotency-Key": "q-race"}

    responses = await asyncio.gather(
        *(client.post(f"/v1/cases/{case['id']}/accept", headers=headers) for _ in range(4))
    )

    assert [r.status_code for r in responses] == [200] * 4
    assert len({r.text for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 3
    assert len(_actions(await _case(client, case["id"]), "accept")) == 1


async def test_the_same_key_with_another_body_is_refused(client: Any, new_case: Any) -> None:
    case = await new_case()
    await client.post(f"/v1/cases/{case['id']}/accept", headers=MEMBER)
    headers = {**MEMBER, "Idempotency-Key": "q-2"}
    url = f"/v1/cases/{case['id']}/contact"

    first = await client.post(url, json={"note": "已电话联系居民"}, headers=headers)
    reused = await client.post(url, json={"note": "上门联系"}, headers=headers)

    assert first.status_code == 200
    assert reused.status_code == 422
    assert "Idempotency-Key" in reused.json()["detail"]
    assert len(_actions(await _case(client, case["id"]), "contact")) == 1


async def test_a_key_is_the_callers_own(client: Any, new_case: Any) -> None:
    case = await new_case()

    await client.post(
        f"/v1/cases/{case['id']}/accept", headers={**MEMBER, "Idempotency-Key": "shared"}
    )
    other = await client.post(
        f"/v1/cases/{case['id']}/accept", headers={**B_POST, "Idempotency-Key": "shared"}
    )

    assert other.status_code == 403  # the B post's own request, refused: not a replay
    assert "idempotent-replayed" not in other.headers


async def test_an_expired_key_is_forgotten(client: Any, new_case: Any, clock: Any) -> None:
    case = await new_case()
    headers = {**MEMBER, "Idempotency-Key": "q-3"}
    await client.post(f"/v1/cases/{case['id']}/accept", headers=headers)
    clock.advance(timedelta(hours=24, seconds=1))

    again = await client.post(f"/v1/cases/{case['id']}/accept", headers=headers)

    assert again.status_code == 409  # acted on afresh: the case is already signed for


async def test_a_failed_action_keeps_no_key_so_it_may_be_retried(
    client: Any, new_case: Any
) -> None:
    case = await new_case()
    await client.post(f"/v1/cases/{case['id']}/accept", headers=MEMBER)
    headers = {**MEMBER, "Idempotency-Key": "q-4"}
    url = f"/v1/cases/{case['id']}/contact"

    early = await client.post(url, json={"note": "x"}, headers={**headers, "If-Match": "999"})
    retried = await client.post(url, json={"note": "x"}, headers=headers)

    assert early.status_code == 409
    assert retried.status_code == 200
    assert "idempotent-replayed" not in retried.headers


async def test_a_malformed_key_is_400(client: Any, new_case: Any) -> None:
    case = await new_case()

    response = await client.post(
        f"/v1/cases/{case['id']}/accept", headers={**MEMBER, "Idempotency-Key": "x" * 256}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


async def test_a_desk_dispatch_clicked_twice_dispatches_once(
    client: Any, demo_city: Any, report: Any, settled: Any
) -> None:
    case = await settled(await report(location=None, address=None))
    assert case["status"] == "triage"
    headers = {**DISPATCHER, "Idempotency-Key": "click-1"}
    body = {"grid_code": GUIHUA_1, "reason": "居民电话补充了地址"}

    first, again = await asyncio.gather(
        client.post(f"/v1/cases/{case['id']}/dispatch", json=body, headers=headers),
        client.post(f"/v1/cases/{case['id']}/dispatch", json=body, headers=headers),
    )

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json()
    assert len(_actions(first.json(), "dispatched")) == 1
