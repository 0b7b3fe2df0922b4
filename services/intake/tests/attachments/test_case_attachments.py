"""附件: a case's files are listed for whoever may read the case, by the case's own scope
(district wall, area, department); anyone else gets the 404 of a case that is not there."""

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
import segno
from aiokafka import AIOKafkaProducer
from pydantic import BaseModel

from gridcase_events import envelope, payloads, topics
from gridcase_events.testing import bearer, eventually

pytestmark = pytest.mark.integration

GRID = "510302001002003"
OTHER_GRID = "510302001002004"
AT = datetime(2026, 11, 21, 9, 40, tzinfo=UTC)
REPORTER = bearer("m-1", "grid_member", GRID)
SAME_GRID = bearer("m-2", "grid_member", GRID)
OTHER_MEMBER = bearer("m-9", "grid_member", OTHER_GRID)
DISPATCHER = bearer("d-1", "dispatcher", "510302")
OTHER_DISTRICT = bearer("d-7", "dispatcher", "510303")
WATER = bearer("do-1", "department_operator", "510302", department_code="D-SW")
URBAN = bearer("do-2", "department_operator", "510302", department_code="D-CG")


def png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=2)
    return buffer.getvalue()


@pytest.fixture
def publish(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes a dispatch event about a case, as dispatch would, and waits until intake's
    public status shows it."""

    async def send(payload: BaseModel, case: dict[str, Any]) -> None:
        event = envelope.build(
            payload,
            subject=case["case_id"],
            source="dispatch",
            tenant="510302",
            correlation_id=f"test-{case['case_id']}",
            time=AT,
        )
        topic = topics.qualify(namespace, topics.DISPATCH)
        await (await producer.send(topic, key=case["case_id"].encode(), value=event.to_bytes()))

    async def send_and_wait(
        intake: Any, payload: BaseModel, case: dict[str, Any], status: str
    ) -> None:
        await send(payload, case)

        async def shown() -> bool:
            response = await intake.get(f"/v1/public/cases/{case['tracking_no']}")
            return bool(response.json()["status"] == status)

        await eventually(shown)

    return send_and_wait


def _ref(case: dict[str, Any], version: int) -> dict[str, Any]:
    return {
        "case_id": UUID(case["case_id"]),
        "tracking_no": case["tracking_no"],
        "category_code": "facility/manhole",
        "priority": "normal",
        "channel": "patrol",
        "case_version": version,
    }


async def _upload(intake: Any, content: bytes, who: dict[str, str]) -> str:
    response = await intake.post("/v1/attachments", files={"file": ("p.png", content)}, headers=who)
    assert response.status_code == 201, response.text
    return str(response.json()["url"])


async def _report(intake: Any, *photos: str) -> dict[str, Any]:
    patrol = (await intake.post("/v1/patrols", headers=REPORTER)).json()
    response = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports",
        json={
            "point": {"lat": 29.35, "lon": 104.77},
            "description": "井盖缺失",
            "attachments": list(photos),
        },
        headers=REPORTER,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _routed(intake: Any, publish: Any, case: dict[str, Any], **where: str) -> None:
    target = "department" if "department_code" in where else "grid"
    await publish(
        intake,
        payloads.CaseRouted(
            **_ref(case, 1), target=target, method="category_department", reason="test", **where
        ),
        case,
        "routed",
    )


async def _statuses(intake: Any, path: str, *who: dict[str, str]) -> list[int]:
    return [(await intake.get(path, headers=w)).status_code for w in who]


async def test_the_reader_of_a_case_lists_its_photo_and_downloads_it_as_stored(
    intake: Any, publish: Any
) -> None:
    photo = png("manhole")
    url = await _upload(intake, photo, REPORTER)
    case = await _report(intake, url)
    await _routed(intake, publish, case, grid_code=GRID)

    listed = await intake.get(f"/v1/cases/{case['case_id']}/attachments", headers=SAME_GRID)

    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["tracking_no"] == case["tracking_no"]
    [item] = body["items"]
    assert item["url"] == url
    assert item["content_type"] == "image/png"
    assert item["size"] == len(photo)
    assert item["source"] == "report"
    assert item["tracking_no"] == case["tracking_no"]
    served = await intake.get(f"/v1/attachments/{item['name']}", headers=SAME_GRID)
    assert served.status_code == 200
    assert served.content == photo
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-length"] == str(len(photo))


async def test_a_grid_case_is_404_to_readers_of_another_grid_department_or_district(
    intake: Any, publish: Any
) -> None:
    case = await _report(intake, await _upload(intake, png("grid case"), REPORTER))
    await _routed(intake, publish, case, grid_code=GRID)
    path = f"/v1/cases/{case['case_id']}/attachments"

    assert await _statuses(
        intake, path, SAME_GRID, DISPATCHER, OTHER_MEMBER, URBAN, OTHER_DISTRICT
    ) == [200, 200, 404, 404, 404]
    refused = await intake.get(path, headers=OTHER_DISTRICT)
    assert refused.json()["detail"] == "no such case"


async def test_a_department_case_is_listed_for_that_department_only(
    intake: Any, publish: Any
) -> None:
    case = await _report(intake, await _upload(intake, png("water"), REPORTER))
    await _routed(intake, publish, case, department_code="D-SW")
    path = f"/v1/cases/{case['case_id']}/attachments"

    assert await _statuses(intake, path, WATER, URBAN, SAME_GRID) == [200, 404, 404]
    assert len((await intake.get(path, headers=WATER)).json()["items"]) == 1


async def test_an_unknown_case_is_404_and_a_role_without_cases_is_403(intake: Any) -> None:
    path = f"/v1/cases/{uuid4()}/attachments"
    ops = bearer("ops-1", "ops", "510302")

    assert await _statuses(intake, path, DISPATCHER, ops) == [404, 403]
    assert (await intake.get(path)).status_code == 401


async def test_a_resolutions_evidence_is_listed_after_the_reports_photos(
    intake: Any, publish: Any
) -> None:
    first = await _upload(intake, png("before 1"), REPORTER)
    second = await _upload(intake, png("before 2"), REPORTER)
    case = await _report(intake, first, second)
    await _routed(intake, publish, case, grid_code=GRID)
    evidence = await _upload(intake, png("after"), SAME_GRID)
    await publish(
        intake,
        payloads.CaseResolved(
            **_ref(case, 2),
            actor_id="m-2",
            actor_role="grid_member",
            at=AT,
            grid_code=GRID,
            note="已盖好",
            evidence=[evidence, first],
        ),
        case,
        "resolved",
    )

    listed = await intake.get(f"/v1/cases/{case['case_id']}/attachments", headers=REPORTER)

    assert [(i["url"], i["source"]) for i in listed.json()["items"]] == [
        (first, "report"),
        (second, "report"),
        (evidence, "evidence"),
    ]


async def test_a_listed_file_whose_bytes_are_gone_downloads_as_404(
    intake: Any, publish: Any
) -> None:
    url = await _upload(intake, png("lost"), REPORTER)
    case = await _report(intake, url)
    await _routed(intake, publish, case, grid_code=GRID)
    [item] = (
        await intake.get(f"/v1/cases/{case['case_id']}/attachments", headers=SAME_GRID)
    ).json()["items"]
    intake.app.state.runtime.state.storage.path(item["name"]).unlink()

    served = await intake.get(f"/v1/attachments/{item['name']}", headers=SAME_GRID)

    assert served.status_code == 404
    assert served.json()["detail"] == "no such attachment"


async def test_a_case_held_by_a_community_station_is_listed_for_its_station_master(
    intake: Any, publish: Any
) -> None:
    case = await _report(intake, await _upload(intake, png("station"), REPORTER))
    await publish(
        intake,
        payloads.CaseRouted(
            **_ref(case, 1),
            target="community",
            method="community_name",
            community_code=GRID[:12],
            reason="test",
        ),
        case,
        "routed",
    )
    path = f"/v1/cases/{case['case_id']}/attachments"
    station = bearer("sm-1", "station_master", GRID[:12])
    other_station = bearer("sm-2", "station_master", "510302001003")

    assert await _statuses(intake, path, station, DISPATCHER, other_station, SAME_GRID) == [
        200,
        200,
        404,
        404,
    ]


SCAN = "https://hotline.example/files/scan-1.jpg"
SECOND_SCAN = "https://hotline.example/files/scan-2.jpg"


async def test_a_merged_duplicates_files_and_a_tickets_own_links_are_the_cases_too(
    push: Any, ticket: Any, client: Any, publish: Any
) -> None:
    first = (await push(ticket(ticket_no="A-1", attachments=[SCAN]))).json()
    duplicate = (
        await push(
            ticket(
                ticket_no="A-2", lat=29.3554, caller_phone="13800001111", attachments=[SECOND_SCAN]
            )
        )
    ).json()
    assert duplicate["merged_into"] == first["tracking_no"]
    await _routed(client, publish, first, grid_code=GRID)

    listed = await client.get(f"/v1/cases/{first['case_id']}/attachments", headers=SAME_GRID)

    assert [
        (i["url"], i["source"], i["tracking_no"], i["name"], i["size"])
        for i in listed.json()["items"]
    ] == [
        (SCAN, "report", first["tracking_no"], None, None),
        (SECOND_SCAN, "duplicate", duplicate["tracking_no"], None, None),
    ]
    # The duplicate itself is read by the scope of the case it was merged into.
    path = f"/v1/cases/{duplicate['case_id']}/attachments"
    assert await _statuses(client, path, SAME_GRID, OTHER_MEMBER) == [200, 404]
