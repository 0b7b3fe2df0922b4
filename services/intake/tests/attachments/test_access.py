"""Who may download a file is decided by the cases it belongs to (issue 16, finding 11):
a report's attachments and a resolution's evidence follow the case's grid or
department; a file no case references is its uploader's (and admins') alone."""

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

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


def png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=2)
    return buffer.getvalue()


@pytest.fixture
def publish(producer: AIOKafkaProducer, namespace: str) -> Callable[..., Any]:
    """Publishes a dispatch event about a case, as dispatch would."""

    async def send(payload: BaseModel, case_id: str) -> None:
        event = envelope.build(
            payload,
            subject=case_id,
            source="dispatch",
            tenant="510302",
            correlation_id=f"test-{case_id}",
            time=AT,
        )
        topic = topics.qualify(namespace, topics.DISPATCH)
        await (await producer.send(topic, key=case_id.encode(), value=event.to_bytes()))

    return send


def _ref(case: dict[str, Any], version: int) -> dict[str, Any]:
    return {
        "case_id": UUID(case["case_id"]),
        "tracking_no": case["tracking_no"],
        "category_code": "facility/manhole",
        "priority": "normal",
        "channel": "patrol",
        "case_version": version,
    }


async def _upload(intake: Any, content: bytes, who: dict[str, str]) -> tuple[str, str]:
    response = await intake.post("/v1/attachments", files={"file": ("p.png", content)}, headers=who)
    assert response.status_code == 201, response.text
    url = response.json()["url"]
    return url, "/v1/attachments/" + url.rsplit("/", 1)[1]


async def _report(intake: Any, photo: str) -> dict[str, Any]:
    patrol = (await intake.post("/v1/patrols", headers=REPORTER)).json()
    response = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports",
        json={
            "point": {"lat": 29.35, "lon": 104.77},
            "description": "井盖缺失",
            "attachments": [photo],
        },
        headers=REPORTER,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _statuses(intake: Any, path: str, *who: dict[str, str]) -> list[int]:
    return [(await intake.get(path, headers=w)).status_code for w in who]


async def _shown(intake: Any, tracking_no: str, status: str) -> None:
    async def done() -> bool:
        response = await intake.get(f"/v1/public/cases/{tracking_no}")
        return bool(response.json()["status"] == status)

    await eventually(done)


async def test_a_reports_photo_follows_its_case_to_the_grid(intake: Any, publish: Any) -> None:
    url, path = await _upload(intake, png("report"), REPORTER)
    case = await _report(intake, url)

    # Not routed yet: the uploader and the district's desks, no other grid member.
    centre = bearer("dc-1", "district_center", "510302")
    assert await _statuses(intake, path, REPORTER, centre, SAME_GRID, OTHER_MEMBER) == [
        200,
        200,
        403,
        403,
    ]

    await publish(
        payloads.CaseRouted(
            **_ref(case, 1),
            target="grid",
            method="point_in_polygon",
            grid_code=GRID,
            reason="in the grid's polygon",
        ),
        case["case_id"],
    )
    await _shown(intake, case["tracking_no"], "routed")

    operator = bearer("do-1", "department_operator", department_code="D-CG")
    assert await _statuses(intake, path, SAME_GRID, centre, OTHER_MEMBER, operator) == [
        200,
        200,
        403,
        403,
    ]
    served = await intake.get(path, headers=SAME_GRID)
    assert served.content == png("report")


async def test_resolution_evidence_belongs_to_the_case_it_resolved(
    intake: Any, publish: Any
) -> None:
    url, _ = await _upload(intake, png("case photo"), REPORTER)
    case = await _report(intake, url)
    await publish(
        payloads.CaseRouted(
            **_ref(case, 1),
            target="grid",
            method="point_in_polygon",
            grid_code=OTHER_GRID,
            reason="in the grid's polygon",
        ),
        case["case_id"],
    )
    resolver = bearer("m-8", "grid_member", OTHER_GRID)
    evidence_url, evidence = await _upload(intake, png("evidence"), resolver)
    # Before the resolution names it, the evidence is its uploader's alone.
    assert await _statuses(intake, evidence, resolver, OTHER_MEMBER) == [200, 403]

    await publish(
        payloads.CaseResolved(
            **_ref(case, 2),
            actor_id="m-8",
            actor_role="grid_member",
            at=AT,
            grid_code=OTHER_GRID,
            note="已盖好",
            evidence=[evidence_url],
        ),
        case["case_id"],
    )
    await _shown(intake, case["tracking_no"], "resolved")

    # The case is in the other grid now: its members see the evidence, the reporter's
    # grid does not (the reporter uploaded the case's photo, not this one).
    assert await _statuses(intake, evidence, OTHER_MEMBER, resolver, SAME_GRID, REPORTER) == [
        200,
        200,
        403,
        403,
    ]


async def test_a_file_no_case_references_is_its_uploaders_alone(intake: Any) -> None:
    _, path = await _upload(intake, png("orphan"), REPORTER)
    # The same content uploaded by someone else: theirs too.
    _, again = await _upload(intake, png("orphan"), OTHER_MEMBER)

    assert again == path
    admin = bearer("admin-1", "admin")
    assert await _statuses(intake, path, REPORTER, OTHER_MEMBER, admin, SAME_GRID) == [
        200,
        200,
        200,
        403,
    ]
    assert (await intake.get(path, headers=SAME_GRID)).json()["detail"] == (
        "this attachment belongs to no case of yours"
    )


async def test_a_cases_photo_is_not_for_an_admin_of_another_district(intake: Any) -> None:
    url, path = await _upload(intake, png("walled"), REPORTER)
    await _report(intake, url)

    statuses = await _statuses(
        intake,
        path,
        bearer("admin-0", "admin"),  # the deployment's
        bearer("admin-1", "admin", "510302"),
        bearer("admin-2", "admin", "510303"),
    )

    assert statuses == [200, 200, 403]
