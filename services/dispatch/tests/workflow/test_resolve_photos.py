"""办结 with before/after photos: each is evidence, and the case says which is which."""

from typing import Any

import pytest

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

MEMBER = bearer("gm111a", "grid_member", "510302001001001")
BEFORE = "http://intake.example/v1/attachments/" + "a" * 64 + ".jpg"
AFTER = "http://intake.example/v1/attachments/" + "b" * 64 + ".jpg"


async def resolve(client: Any, case: dict[str, Any], body: dict[str, Any]) -> Any:
    accepted = await client.post(f"/v1/cases/{case['id']}/accept", headers=MEMBER)
    assert accepted.status_code == 200, accepted.text
    return await client.post(f"/v1/cases/{case['id']}/resolve", json=body, headers=MEMBER)


async def test_before_and_after_photos_are_evidence_with_their_kinds(
    client: Any, new_case: Any
) -> None:
    case = await new_case()

    response = await resolve(
        client,
        case,
        {
            "note": "已清运",
            "photos": [{"url": BEFORE, "kind": "before"}, {"url": AFTER, "kind": "after"}],
        },
    )

    assert response.status_code == 200, response.text
    assert response.json()["evidence"] == [BEFORE, AFTER]
    assert response.json()["evidence_kinds"] == {BEFORE: "before", AFTER: "after"}


@pytest.mark.parametrize(
    "photos",
    [
        [{"url": BEFORE, "kind": "after"}, {"url": AFTER, "kind": "after"}],
        [{"url": BEFORE, "kind": "before"}, {"url": BEFORE, "kind": "after"}],
        [{"url": BEFORE, "kind": "during"}],
    ],
    ids=["two after photos", "one photo as both", "an unknown kind"],
)
async def test_photos_that_do_not_make_a_pair_are_422(
    client: Any, new_case: Any, photos: list[dict[str, str]]
) -> None:
    case = await new_case()

    response = await resolve(client, case, {"note": "已清运", "photos": photos})

    assert response.status_code == 422
