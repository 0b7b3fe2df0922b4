"""The residents' pages end to end, against the real broker and database: the wish form
a wall's QR code points at, and the status page."""

import asyncio
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import segno
from sqlalchemy import text

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

COMMUNITY = "510302001002"
STAFF = bearer("sm-1", "station_master", COMMUNITY)
FORM = {"content": "巷口路灯坏了，晚上很黑", "phone": "138 1234 5678", "category_hint": ""}


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


def _token(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def _tracking_no(page: str) -> str:
    match = re.search(r'class="tracking">(GC-\d{8}-[0-9A-Z]{6})<', page)
    assert match, page
    return match.group(1)


async def test_the_qr_code_holds_the_walls_page(intake: Any, wall: Any) -> None:
    created = await wall()
    assert created["submission_url"] == "https://intake.gridcase.test/walls/W-001"

    png = await intake.get("/v1/walls/W-001/qr.png", headers=STAFF)

    expected = io.BytesIO()
    segno.make("https://intake.gridcase.test/walls/W-001", error="m").save(
        expected, kind="png", scale=10, border=4
    )
    assert png.content == expected.getvalue()
    page = await intake.get("/walls/W-001")  # the path of that URL, on intake
    assert page.status_code == 200


async def test_the_form_page_renders_with_the_catalogue_and_a_token(
    intake: Any, wall: Any, db: Any
) -> None:
    await wall()
    async with db.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO intake.categories (code, name, handler, priority, updated_at) "
                "VALUES ('environment/garbage-overflow', '垃圾满溢', 'grid', 'normal', now())"
            )
        )

    response = await intake.get("/walls/W-001")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "桂花巷心愿墙" in page
    assert '<textarea id="content" name="content"' in page
    assert '<input id="phone" name="phone"' in page
    assert '<option value="environment/garbage-overflow">垃圾满溢</option>' in page
    assert 'name="viewport"' in page
    assert "<script" not in page
    assert len(_token(page)) >= 20
    assert _token(page) != _token((await intake.get("/walls/W-001")).text)


async def test_posting_the_form_creates_a_case_and_thanks_with_the_tracking_number(
    intake: Any, wall: Any, intake_events: Any
) -> None:
    await wall()
    token = _token((await intake.get("/walls/W-001")).text)

    response = await intake.post("/walls/W-001", data={**FORM, "token": token})

    assert response.status_code == 201, response.text
    tracking_no = _tracking_no(response.text)
    assert f'href="https://intake.gridcase.test/status/{tracking_no}"' in response.text
    (event,) = await intake_events(1)
    assert event["type"] == "case.reported"
    assert event["data"]["channel"] == "wish_wall"
    assert event["data"]["tracking_no"] == tracking_no
    assert event["data"]["content"] == FORM["content"]
    assert event["data"]["reporter"]["phone_masked"] == "138****5678"


async def test_a_double_tap_submits_once(intake: Any, wall: Any, db: Any) -> None:
    await wall()
    token = _token((await intake.get("/walls/W-001")).text)

    first = await intake.post("/walls/W-001", data={**FORM, "token": token})
    second = await intake.post("/walls/W-001", data={**FORM, "token": token})

    assert (first.status_code, second.status_code) == (201, 201)
    assert _tracking_no(first.text) == _tracking_no(second.text)
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1
    other = await intake.post("/walls/W-001", data={**FORM, "token": "another-form-token"})
    assert _tracking_no(other.text) != _tracking_no(first.text)


async def test_concurrent_taps_of_one_form_make_one_case(intake: Any, wall: Any, db: Any) -> None:
    await wall()
    token = _token((await intake.get("/walls/W-001")).text)

    responses = await asyncio.gather(
        *(intake.post("/walls/W-001", data={**FORM, "token": token}) for _ in range(4))
    )

    assert [r.status_code for r in responses] == [201] * 4
    assert len({_tracking_no(r.text) for r in responses}) == 1
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 1


async def test_an_invalid_phone_is_a_422_page_naming_the_field_with_the_input_escaped(
    intake: Any, wall: Any, db: Any
) -> None:
    await wall()
    content = '<script>alert("x")</script> 路灯坏了'

    response = await intake.post(
        "/walls/W-001", data={"content": content, "phone": "010-1234", "token": "t-invalid-1"}
    )

    assert response.status_code == 422
    page = response.text
    assert "手机号：手机号格式不正确" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(" in page  # kept, escaped, for the resident to fix
    assert _token(page) == "t-invalid-1"
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_an_empty_wish_is_a_422_page(intake: Any, wall: Any) -> None:
    await wall()
    response = await intake.post("/walls/W-001", data={"content": "  ", "token": "t-empty"})
    assert response.status_code == 422
    assert "心愿内容：请写下您的心愿" in response.text


async def test_the_form_shares_the_walls_rate_limit(start_intake: Any, db: Any) -> None:
    async with start_intake(wall_client_limit=2) as intake:
        created = await intake.post(
            "/v1/walls",
            json={"wall_id": "W-RL", "community_code": COMMUNITY, "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )
        assert created.status_code == 201
        json_wish = await intake.post("/v1/public/walls/W-RL/wishes", json={"content": "一"})
        form_wish = await intake.post("/walls/W-RL", data={"content": "二", "token": "t-rl-2"})
        refused = await intake.post("/walls/W-RL", data={"content": "三", "token": "t-rl-3"})

    assert (json_wish.status_code, form_wish.status_code) == (201, 201)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "提交太频繁" in refused.text
    assert "三" in refused.text  # the wish is kept in the form
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 2


async def test_an_oversized_form_is_a_413_page(intake: Any, wall: Any, db: Any) -> None:
    await wall()
    response = await intake.post("/walls/W-001", data={"content": "很" * 400_000, "token": "t-big"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "内容太长了" in response.text
    assert await _count(db, "SELECT count(*) FROM intake.cases") == 0


async def test_an_unknown_wall_is_a_404_page(intake: Any) -> None:
    for response in (
        await intake.get("/walls/W-404"),
        await intake.post("/walls/W-404", data={"content": "x", "token": "t-404"}),
        await intake.get("/walls/W%20001%3Cb%3E"),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "没有找到" in response.text


async def test_the_status_page_shows_a_case_without_personal_data(intake: Any, wall: Any) -> None:
    await wall()
    secret = '<script>alert("x")</script> 13812345678'
    posted = await intake.post(
        "/walls/W-001", data={"content": secret, "phone": "13812345678", "token": "t-status"}
    )
    tracking_no = _tracking_no(posted.text)

    response = await intake.get(f"/status/{tracking_no}")

    assert response.status_code == 200
    page = response.text
    assert tracking_no in page
    assert "已受理，等待分派" in page
    assert "小巷心愿墙" in page
    assert "2026-11-21 17:30" in page  # 09:30 UTC in Beijing time
    assert "<script>" not in page
    assert "13812345678" not in page
    assert "138****5678" not in page


async def test_a_merged_case_points_at_the_case_it_joined(intake: Any, wall: Any) -> None:
    await wall()
    hint = {"category_hint": "facility/streetlight"}
    first = await intake.post("/walls/W-001", data={**FORM, **hint, "token": "t-m-1"})
    second = await intake.post(
        "/walls/W-001", data={"content": "路灯还是坏的", **hint, "token": "t-m-2"}
    )
    first_no, second_no = _tracking_no(first.text), _tracking_no(second.text)

    page = (await intake.get(f"/status/{second_no}")).text

    assert f'href="https://intake.gridcase.test/status/{first_no}"' in page
    assert "合并办理" in page


async def test_status_and_its_steps_follow_dispatch(
    client: Any, push: Any, ticket: Any, dispatch_event: Any
) -> None:
    created = (await push(ticket())).json()
    ids = {"case_id": created["case_id"], "tracking_no": created["tracking_no"]}
    await dispatch_event(
        "case.routed",
        version=1,
        target="grid",
        method="point_in_polygon",
        grid_code="510302001001001",
        reason="in the grid's polygon",
        **ids,
    )
    await dispatch_event("case.resolved", version=2, note="已清运 <完毕>", **ids)

    page = (await client.get(f"/status/{created['tracking_no']}")).text
    status = (await client.get(f"/v1/public/cases/{created['tracking_no']}")).json()

    assert "<strong>已办理，等待核查</strong>" in page
    assert "12345 热线" in page
    routed = page.index("已分派，等待派单")
    resolved = page.rindex("已办理，等待核查")
    assert page.index("已受理") < routed < resolved
    # A hotline case's public status says where it stands, not what staff wrote (the
    # notes of an Open311 request are shown: tests/open311/test_public_notes.py).
    assert "已清运" not in page
    assert [(s["status"], s["note"]) for s in status["steps"]] == [
        ("routed", None),
        ("resolved", None),
    ]
    assert "桂花路" not in page and "张" not in page  # what and who: never shown


async def test_an_unknown_tracking_number_is_a_404_page(intake: Any) -> None:
    for path in ("/status/GC-20261121-ZZZZZZ", "/status/not-a-number"):
        response = await intake.get(path)
        assert response.status_code == 404
        assert "没有找到" in response.text


async def test_the_status_form_goes_to_the_page(intake: Any) -> None:
    form = await intake.get("/status")
    assert form.status_code == 200
    assert 'name="tracking_no"' in form.text

    found = await intake.get("/status", params={"tracking_no": " gc-20261121-abc123 "})
    assert found.status_code == 303
    assert found.headers["location"] == "https://intake.gridcase.test/status/GC-20261121-ABC123"

    wrong = await intake.get("/status", params={"tracking_no": "<b>12345</b>"})
    assert wrong.status_code == 422
    assert "&lt;b&gt;12345&lt;/b&gt;" in wrong.text


async def test_the_status_page_shows_the_expected_date(
    client: Any, push: Any, ticket: Any, producer: Any, namespace: str
) -> None:
    created = (await push(ticket())).json()
    page = (await client.get(f"/status/{created['tracking_no']}")).text
    assert "尚未确定" in page
    at = datetime(2026, 11, 21, 9, 31, tzinfo=UTC)
    event = envelope.build(
        payloads.SlaClockStarted(
            case_id=created["case_id"],
            tracking_no=created["tracking_no"],
            clock="resolution",
            started_at=at,
            changed_at=at,
            priority="normal",
            generation=1,
            due_at=at + timedelta(days=7),
        ),
        subject=created["case_id"],
        source="escalation",
        tenant="510302",
        correlation_id="test-deadline",
        time=at,
    )
    topic = topics.for_event(source="escalation", event_type=event.type)
    await producer.send_and_wait(
        topics.qualify(namespace, topic), key=event.subject.encode(), value=event.to_bytes()
    )

    async def dated() -> bool:
        status = await client.get(f"/v1/public/cases/{created['tracking_no']}")
        return status.json()["expected_at"] is not None

    await eventually(dated)
    page = (await client.get(f"/status/{created['tracking_no']}")).text
    assert "<dt>预计办结</dt><dd>2026-11-28 17:31</dd>" in page  # Beijing time
