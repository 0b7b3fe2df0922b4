"""Wish walls end to end, against the real broker and database."""

import asyncio
import io
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
import segno
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

COMMUNITY = "510302001002"
GRID = "510302001002003"
WISH = {"content": "巷口路灯坏了，晚上很黑", "phone": "138 1234 5678"}


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_admin_creates_a_wall_with_its_submission_url(intake: Any, wall: Any) -> None:
    created = await wall()

    assert created["submission_url"] == "https://intake.gridcase.test/walls/W-001"
    assert created["location"] == {"lat": 29.355, "lon": 104.7725}
    listed = await intake.get("/v1/walls", headers=bearer("m-1", "grid_member", GRID))
    assert [w["wall_id"] for w in listed.json()] == ["W-001"]
    elsewhere = await intake.get(
        "/v1/walls", headers=bearer("m-2", "grid_member", "510302001009001")
    )
    assert elsewhere.json() == []


async def test_station_master_creates_walls_only_in_their_community(intake: Any) -> None:
    body = {"wall_id": "W-SM", "community_code": COMMUNITY, "name": "墙"}
    mine = await intake.post(
        "/v1/walls", json=body, headers=bearer("sm-1", "station_master", COMMUNITY)
    )
    other = await intake.post(
        "/v1/walls",
        json={**body, "wall_id": "W-SM2"},
        headers=bearer("sm-2", "station_master", "510302001009"),
    )
    again = await intake.post("/v1/walls", json=body, headers=bearer("admin-1", "admin"))

    assert mine.status_code == 201
    assert other.status_code == 403
    assert again.status_code == 409


async def test_qr_codes_are_real_images(intake: Any, wall: Any) -> None:
    created = await wall()
    staff = bearer("sm-1", "station_master", COMMUNITY)

    png = await intake.get("/v1/walls/W-001/qr.png", headers=staff)
    svg = await intake.get("/v1/walls/W-001/qr.svg", headers=staff)

    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    expected = io.BytesIO()
    segno.make(created["submission_url"], error="m").save(expected, kind="png", scale=10, border=4)
    assert png.content == expected.getvalue()  # the code holds the submission URL
    assert (await intake.get("/v1/walls/W-404/qr.png", headers=staff)).status_code == 404
    assert (await intake.get("/v1/walls/W-001/qr.gif", headers=staff)).status_code == 422


async def test_public_wish_becomes_a_case_with_a_masked_phone(
    intake: Any, wall: Any, intake_events: Any, db: Any
) -> None:
    await wall()

    response = await intake.post("/v1/public/walls/W-001/wishes", json=WISH)

    assert response.status_code == 201
    assert set(response.json()) == {"tracking_no"}
    events = await intake_events(1)
    assert [e["type"] for e in events] == ["case.reported"]
    data = events[0]["data"]
    assert data["channel"] == "wish_wall"
    assert data["tracking_no"] == response.json()["tracking_no"]
    assert data["reporter"]["phone_masked"] == "138****5678"
    assert data["location"] == {"lat": 29.355, "lon": 104.7725}
    assert "桂花巷心愿墙" in data["address"]
    assert "13812345678" not in str(events)
    async with db.connect() as conn:
        row = (await conn.execute(text("SELECT * FROM intake.cases"))).mappings().one()
    assert "13812345678" not in str(dict(row))
    assert await _count(db, "SELECT count(*) FROM intake.wall_wishes WHERE source='public'") == 1


async def test_wish_with_its_own_point_keeps_it(intake: Any, wall: Any, intake_events: Any) -> None:
    await wall()
    body = {"content": "垃圾", "point": {"lat": 29.36, "lon": 104.78}}
    assert (await intake.post("/v1/public/walls/W-001/wishes", json=body)).status_code == 201
    assert (await intake_events(1))[0]["data"]["location"] == {"lat": 29.36, "lon": 104.78}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": ""}, "content"),
        ({"content": "x" * 4001}, "content"),
        ({"content": "ok", "phone": "12345678901"}, "phone"),
        ({"content": "ok", "phone": "010-12345678"}, "phone"),
        ({"content": "ok", "point": {"lat": 95, "lon": 0}}, "lat"),
        ({"content": "ok", "attachments": ["https://elsewhere.test/a.jpg"]}, "attachments"),
        ({"phone": "13812345678"}, "content"),
    ],
)
async def test_invalid_wish_is_422_and_stores_nothing(
    intake: Any, wall: Any, db: Any, body: dict[str, Any], field: str
) -> None:
    await wall()
    response = await intake.post("/v1/public/walls/W-001/wishes", json=body)

    assert response.status_code == 422
    assert any(field in e["loc"] for e in response.json()["detail"]), response.json()
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_wish_at_an_unknown_wall_is_404(intake: Any) -> None:
    response = await intake.post("/v1/public/walls/W-NOPE/wishes", json=WISH)
    assert response.status_code == 404
    assert "W-NOPE" in response.json()["detail"]


async def test_client_over_its_limit_gets_429_with_retry_after_until_the_window_ends(
    intake: Any, wall: Any, clock: Any, db: Any
) -> None:
    await wall()
    url = "/v1/public/walls/W-001/wishes"
    for _ in range(5):
        assert (await intake.post(url, json={"content": "一"})).status_code == 201
    clock.advance(timedelta(seconds=10))

    refused = await intake.post(url, json={"content": "二"})

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "50"
    assert "at most 5 per 60 s" in refused.json()["detail"]
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 5
    clock.advance(timedelta(seconds=50))
    assert (await intake.post(url, json={"content": "三"})).status_code == 201


async def test_wall_over_its_limit_refuses_every_client(start_intake: Any, wall: Any) -> None:
    async with start_intake(wall_limit=3, wall_client_limit=100) as service:
        await service.post(
            "/v1/walls",
            json={"wall_id": "W-BUSY", "community_code": COMMUNITY, "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )

        async def from_address(address: str) -> int:
            transport = httpx.ASGITransport(app=service.app, client=(address, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as c:
                r = await c.post("/v1/public/walls/W-BUSY/wishes", json={"content": "x"})
                return int(r.status_code)

        statuses = [await from_address(f"10.0.0.{i}") for i in range(1, 6)]

    assert statuses == [201, 201, 201, 429, 429]


async def test_concurrent_submissions_never_exceed_the_limit(start_intake: Any, db: Any) -> None:
    async with start_intake(wall_client_limit=4) as service:
        await service.post(
            "/v1/walls",
            json={"wall_id": "W-RACE", "community_code": COMMUNITY, "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )
        responses = await asyncio.gather(
            *(
                service.post("/v1/public/walls/W-RACE/wishes", json={"content": f"{i}"})
                for i in range(10)
            )
        )
    assert sorted(r.status_code for r in responses) == [201] * 4 + [429] * 6
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 4


async def test_transcription_stores_the_valid_notes_and_reports_the_invalid(
    intake: Any, wall: Any, db: Any, intake_events: Any
) -> None:
    await wall()
    notes = [
        {"content": "希望增加健身器材"},
        {"content": "楼道灯不亮", "phone": "not a phone"},
        {"phone": "13912345678"},
        {"content": "门口积水", "category_hint": "utility/drainage", "phone": "13912345678"},
    ]

    response = await intake.post(
        "/v1/walls/W-001/transcriptions",
        json={"notes": notes},
        headers=bearer("m-1", "grid_member", GRID),
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["invalid"]) == (2, 2)
    assert [r["status"] for r in body["results"]] == ["created", "invalid", "invalid", "created"]
    assert body["results"][1]["errors"][0]["loc"] == ["body", "notes", 1, "phone"]
    assert body["results"][2]["errors"][0]["loc"] == ["body", "notes", 2, "content"]
    assert (
        await _count(db, "SELECT count(*) FROM intake.wall_wishes WHERE transcribed_by = 'm-1'")
        == 2
    )
    events = await intake_events(2)
    assert {e["data"]["tracking_no"] for e in events} == {
        body["results"][0]["tracking_no"],
        body["results"][3]["tracking_no"],
    }


async def test_only_staff_of_the_walls_community_transcribe(intake: Any, wall: Any) -> None:
    await wall()
    notes = {"notes": [{"content": "x"}]}
    url = "/v1/walls/W-001/transcriptions"

    outsider = await intake.post(
        url, json=notes, headers=bearer("m-9", "grid_member", "510302001009001")
    )
    officer = await intake.post(
        url, json=notes, headers=bearer("o-1", "street_officer", "510302001")
    )
    anonymous = await intake.post(url, json=notes)

    assert outsider.status_code == 403
    assert officer.status_code == 403
    assert anonymous.status_code == 401


async def test_repeated_wish_with_an_idempotency_key_returns_the_first_answer(
    intake: Any, wall: Any, db: Any
) -> None:
    await wall()
    url = "/v1/public/walls/W-001/wishes"
    key = {"Idempotency-Key": "wish-7f3a"}

    first = await intake.post(url, json=WISH, headers=key)
    again = await intake.post(url, json=WISH, headers=key)
    changed = await intake.post(url, json={**WISH, "content": "别的"}, headers=key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert changed.status_code == 422
    assert "different request" in changed.json()["detail"]
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1


async def test_body_over_the_limit_is_413_and_stores_nothing(start_intake: Any, db: Any) -> None:
    async with start_intake(max_body_bytes=2048) as service:
        await service.post(
            "/v1/walls",
            json={"wall_id": "W-BIG", "community_code": COMMUNITY, "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )
        declared = await service.post(
            "/v1/public/walls/W-BIG/wishes", json={"content": "很" * 1000}
        )

        async def chunks() -> Any:
            yield b'{"content": "'
            for _ in range(10):
                yield "很".encode() * 100
            yield b'"}'

        chunked = await service.post(
            "/v1/public/walls/W-BIG/wishes",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )

    assert declared.status_code == 413
    assert chunked.status_code == 413
    assert "2048 bytes" in chunked.json()["detail"]
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_the_public_page_of_a_wall_says_where_to_post(intake: Any, wall: Any) -> None:
    await wall()
    response = await intake.get("/v1/public/walls/W-001")
    assert response.json() == {
        "wall_id": "W-001",
        "name": "桂花巷心愿墙",
        "submit_url": "https://intake.gridcase.test/v1/public/walls/W-001/wishes",
        "closed": False,
    }


async def test_the_phone_never_reaches_the_logs(
    intake: Any, wall: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await wall()
    caplog.set_level(logging.INFO)

    response = await intake.post("/v1/public/walls/W-001/wishes", json=WISH)

    assert response.status_code == 201
    assert "wish taken" in caplog.text  # the logs were captured
    assert "13812345678" not in caplog.text
    assert "1234 5678" not in caplog.text


async def test_replicas_share_the_limits(start_intake: Any) -> None:
    async with (
        start_intake(wall_client_limit=3) as one,
        start_intake(wall_client_limit=3) as two,
    ):
        await one.post(
            "/v1/walls",
            json={"wall_id": "W-HA", "community_code": COMMUNITY, "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )
        url = "/v1/public/walls/W-HA/wishes"
        statuses = [
            (await replica.post(url, json={"content": "x"})).status_code
            for replica in (one, two, one, two, one)
        ]
        metrics = (await two.get("/metrics")).text

    assert statuses == [201, 201, 201, 429, 429]
    assert 'gridcase_intake_rate_limited_total{limit="wall-wishes-client"}' in metrics


async def test_stale_counters_are_purged(intake: Any, wall: Any, clock: Any, db: Any) -> None:
    await wall()
    assert (
        await intake.post("/v1/public/walls/W-001/wishes", json={"content": "x"})
    ).status_code == 201
    first = await _count(
        db, "SELECT count(*) FROM intake.rate_counters WHERE key LIKE '%127.0.0.1'"
    )
    clock.advance(timedelta(days=3))

    # Another client: only a purge across keys removes 127.0.0.1's old counter.
    transport = httpx.ASGITransport(app=intake.app, client=("10.0.0.9", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as other:
        response = await other.post("/v1/public/walls/W-001/wishes", json={"content": "y"})

    assert response.status_code == 201
    assert first == 1
    assert (
        await _count(db, "SELECT count(*) FROM intake.rate_counters WHERE key LIKE '%127.0.0.1'")
        == 0
    )
    assert await _count(db, "SELECT count(*) FROM intake.rate_counters") == 2


async def test_a_wish_that_is_not_json_is_415(intake: Any, wall: Any) -> None:
    await wall()
    response = await intake.post(
        "/v1/public/walls/W-001/wishes",
        content=b"content=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


async def test_wall_is_renamed_and_moved_by_whoever_may_create_it(intake: Any, wall: Any) -> None:
    await wall()
    master = bearer("sm-1", "station_master", COMMUNITY)

    renamed = await intake.patch("/v1/walls/W-001", json={"name": " 桂花巷新墙 "}, headers=master)
    moved = await intake.patch(
        "/v1/walls/W-001",
        json={"location": {"lat": 29.36, "lon": 104.78}},
        headers=bearer("admin-1", "admin"),
    )

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "桂花巷新墙"
    assert renamed.json()["location"] == {"lat": 29.355, "lon": 104.7725}
    assert moved.json()["name"] == "桂花巷新墙"
    assert moved.json()["location"] == {"lat": 29.36, "lon": 104.78}
    read = await intake.get("/v1/walls/W-001", headers=master)
    assert read.json() == {**moved.json(), "wall_id": "W-001", "community_code": COMMUNITY}
    cleared = await intake.patch("/v1/walls/W-001", json={"location": None}, headers=master)
    assert cleared.json()["location"] is None
    assert (await intake.get("/v1/public/walls/W-001")).json()["name"] == "桂花巷新墙"


async def test_wall_changes_by_others_are_403_or_404(intake: Any, wall: Any) -> None:
    await wall()
    body = {"name": "别人的墙"}

    member = await intake.patch(
        "/v1/walls/W-001", json=body, headers=bearer("m-1", "grid_member", GRID)
    )
    other_master = await intake.patch(
        "/v1/walls/W-001", json=body, headers=bearer("sm-2", "station_master", "510302001009")
    )
    unknown = await intake.patch("/v1/walls/W-404", json=body, headers=bearer("admin-1", "admin"))

    assert member.status_code == 403
    assert other_master.status_code == 404
    assert unknown.status_code == 404
    read = await intake.get("/v1/walls/W-001", headers=bearer("admin-1", "admin"))
    assert read.json()["name"] == "桂花巷心愿墙"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"name": ""}, "name"),
        ({"name": None}, "body"),
        ({"name": "x" * 101}, "name"),
        ({"location": {"lat": 95, "lon": 0}}, "lat"),
        ({"wall_id": "W-002"}, "wall_id"),
        ({"community_code": "510302001009"}, "community_code"),
        ({"closed": None}, "body"),
        ({"closed": "maybe"}, "closed"),
        ({"expected_updated_at": "2026-11-21T02:00:00+00:00"}, "body"),
        ({"closed": True, "expected_updated_at": "2026-11-21T02:00:00"}, "expected_updated_at"),
    ],
)
async def test_invalid_wall_change_is_422_and_changes_nothing(
    intake: Any, wall: Any, body: dict[str, Any], field: str
) -> None:
    created = await wall()
    admin = bearer("admin-1", "admin")

    response = await intake.patch("/v1/walls/W-001", json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert field in str(response.json())
    assert (await intake.get("/v1/walls/W-001", headers=admin)).json() == created


async def test_a_closed_wall_refuses_wishes_and_photos_until_it_is_reopened(
    intake: Any, wall: Any, db: Any, clock: Any
) -> None:
    """停用: a wall taken down or paused takes no wishes (409 wall_closed, nothing stored,
    the list and the resident's page say so); 启用 again, it takes them."""
    created = await wall()
    master = bearer("sm-1", "station_master", COMMUNITY)
    clock.advance(timedelta(minutes=5))

    closed = await intake.patch(
        "/v1/walls/W-001",
        json={"closed": True, "expected_updated_at": created["updated_at"]},
        headers=master,
    )
    wish = await intake.post("/v1/public/walls/W-001/wishes", json=WISH)
    photo = await intake.post(
        "/v1/public/walls/W-001/attachments", files={"file": ("p.png", b"\x89PNG\r\n\x1a\n")}
    )
    page = await intake.get("/walls/W-001")
    form = await intake.post("/walls/W-001", data={"content": "路灯坏了", "token": "t-closed"})

    assert closed.status_code == 200, closed.text
    assert (closed.json()["closed"], closed.json()["closed_by"]) == (True, "sm-1")
    assert closed.json()["updated_at"] != created["updated_at"]
    assert wish.status_code == 409, wish.text
    assert wish.json()["code"] == "wall_closed"
    assert "W-001 is closed" in wish.json()["detail"]
    assert "已停用" in wish.json()["detail"]
    assert photo.status_code == 409
    assert page.status_code == 200
    assert "这面心愿墙已停用" in page.text
    assert 'name="content"' not in page.text
    assert form.status_code == 409
    assert "这面心愿墙已停用" in form.text
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0
    assert (await intake.get("/v1/public/walls/W-001")).json()["closed"] is True
    listed = await intake.get("/v1/walls", headers=master)
    assert [(w["wall_id"], w["closed"]) for w in listed.json()] == [("W-001", True)]

    reopened = await intake.patch(
        "/v1/walls/W-001",
        json={"closed": False, "expected_updated_at": closed.json()["updated_at"]},
        headers=master,
    )
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["closed"], reopened.json()["closed_at"]) == (False, None)
    assert (await intake.post("/v1/public/walls/W-001/wishes", json=WISH)).status_code == 201


async def test_a_closed_walls_notes_are_still_transcribed(intake: Any, wall: Any) -> None:
    """Notes posted while it was open, taken off as it comes down, are not lost."""
    await wall()
    admin = bearer("admin-1", "admin")
    assert (
        await intake.patch("/v1/walls/W-001", json={"closed": True}, headers=admin)
    ).status_code == 200

    done = await intake.post(
        "/v1/walls/W-001/transcriptions",
        json={"notes": [{"content": "楼道灯不亮"}]},
        headers=bearer("m-1", "grid_member", GRID),
    )

    assert done.status_code == 200, done.text
    assert done.json()["created"] == 1


async def test_a_wall_changed_since_it_was_read_is_a_conflict(
    intake: Any, wall: Any, clock: Any
) -> None:
    """The station master and an admin both have the wall open; the admin closes it;
    the station master's rename from the old copy is refused (409: who and when) and
    changes nothing."""
    created = await wall()
    clock.advance(timedelta(minutes=1))
    admin = await intake.patch(
        "/v1/walls/W-001",
        json={"closed": True, "expected_updated_at": created["updated_at"]},
        headers=bearer("admin-1", "admin"),
    )
    stale = await intake.patch(
        "/v1/walls/W-001",
        json={"name": "桂花巷新墙", "expected_updated_at": created["updated_at"]},
        headers=bearer("sm-1", "station_master", COMMUNITY),
    )

    assert admin.status_code == 200
    assert stale.status_code == 409, stale.text
    assert stale.json()["code"] == "conflict"
    assert stale.json()["updated_by"] == "admin-1"
    assert "admin-1" in stale.json()["detail"]
    read = await intake.get("/v1/walls/W-001", headers=bearer("admin-1", "admin"))
    assert (read.json()["name"], read.json()["closed"]) == ("桂花巷心愿墙", True)
