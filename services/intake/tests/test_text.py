"""NUL characters and lone surrogates are malformed text: a precise 422 on every
channel that takes free text, never a 500 from the database."""

import json
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from gridcase_events.testing import bearer
from intake.visits.schemas import VisitCreate

GRID = "510302001002003"
MEMBER = bearer("m-1", "grid_member", GRID)
BAD = {"nul": "路灯\x00坏了", "surrogate": "路灯\ud800坏了"}
TYPES = {"nul": "nul_character", "surrogate": "surrogate_character"}


def _post(client: Any, url: str, body: Any, headers: Any = None) -> Any:
    # Escaped (ensure_ascii), as a client would send "\ud800" in JSON.
    return client.post(
        url,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


COUNTS = {
    "cases": "SELECT count(*) FROM intake.cases",
    "household_visits": "SELECT count(*) FROM intake.household_visits",
}


async def _count(db: Any, table: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(COUNTS[table]))).scalar_one())


@pytest.mark.parametrize("kind", ["nul", "surrogate"])
def test_the_shared_check_names_what_is_wrong(kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VisitCreate(address="桂花路1号", notes=BAD[kind])
    (error,) = caught.value.errors()
    assert error["loc"] == ("notes",)
    assert error["type"] == TYPES[kind]


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["nul", "surrogate"])
async def test_bad_text_is_422_on_every_channel(intake: Any, wall: Any, db: Any, kind: str) -> None:
    await wall()
    bad = BAD[kind]
    patrol = (await intake.post("/v1/patrols", json={}, headers=MEMBER)).json()
    visit = (
        await intake.post("/v1/visits", json={"address": "桂花路1号1栋"}, headers=MEMBER)
    ).json()
    report = {"point": {"lat": 29.356, "lon": 104.771}, "description": bad}
    sent = {
        ("content",): await _post(intake, "/v1/public/walls/W-001/wishes", {"content": bad}),
        ("category_hint",): await _post(
            intake, "/v1/public/walls/W-001/wishes", {"content": "好", "category_hint": bad}
        ),
        ("description",): await _post(
            intake, f"/v1/patrols/{patrol['id']}/reports", report, MEMBER
        ),
        ("household",): await _post(
            intake, "/v1/visits", {"address": "桂花路1号", "household": bad}, MEMBER
        ),
        ("notes",): await _post(
            intake, "/v1/visits", {"address": "桂花路1号", "notes": bad}, MEMBER
        ),
        ("visit", "description"): await _post(
            intake, f"/v1/visits/{visit['id']}/reports", {"description": bad}, MEMBER
        ),
    }

    for field, response in sent.items():
        assert response.status_code == 422, (field, response.text)
        errors = response.json()["detail"]
        assert any(e["loc"][-1] == field[-1] and e["type"] == TYPES[kind] for e in errors), errors
    assert await _count(db, "cases") == 0
    assert await _count(db, "household_visits") == 1


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["nul", "surrogate"])
async def test_one_bad_note_is_invalid_and_the_others_are_stored(
    intake: Any, wall: Any, db: Any, kind: str
) -> None:
    await wall()
    notes = [{"content": "希望增加健身器材"}, {"content": BAD[kind]}, {"content": "门口积水"}]

    response = await _post(intake, "/v1/walls/W-001/transcriptions", {"notes": notes}, MEMBER)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["created", "invalid", "created"]
    assert body["results"][1]["errors"][0]["type"] == TYPES[kind]
    assert await _count(db, "cases") == 2


@pytest.mark.integration
async def test_a_hotline_ticket_with_nul_is_422_alone_and_invalid_in_a_batch(
    push: Any, push_batch: Any, ticket: Any, db: Any
) -> None:
    alone = await push(ticket(address=BAD["nul"]))
    batch = await push_batch([ticket(ticket_no="T-1"), ticket(ticket_no="T-2", content=BAD["nul"])])

    assert alone.status_code == 422, alone.text
    assert alone.json()["detail"][0]["type"] == "nul_character"
    assert batch.status_code == 207, batch.text
    results = batch.json()["results"]
    assert [r["result"] for r in results] == ["created", "invalid"]
    assert results[1]["errors"][0]["type"] == "nul_character"
    assert await _count(db, "cases") == 1


@pytest.mark.integration
async def test_a_hotline_body_with_a_lone_surrogate_is_not_json(
    push: Any, ticket: Any, db: Any
) -> None:
    # The signed body is parsed strictly (pydantic's JSON parser refuses lone surrogates).
    response = await push(json.dumps(ticket(address=BAD["surrogate"])).encode())

    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert await _count(db, "cases") == 0


@pytest.mark.integration
async def test_a_lone_surrogate_in_one_ticket_does_not_sink_its_batch(
    push_batch: Any, ticket: Any, db: Any
) -> None:
    tickets = [ticket(ticket_no="S-1"), ticket(ticket_no="S-2", content=BAD["surrogate"])]

    response = await push_batch(json.dumps({"tickets": tickets}).encode())

    assert response.status_code == 207, response.text
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["created", "invalid"]
    assert results[1]["ticket_no"] == "S-2"
    assert await _count(db, "cases") == 1
