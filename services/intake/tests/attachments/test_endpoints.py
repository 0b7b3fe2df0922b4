"""Attachments end to end: sniffed types, size limit, content-hash names, stored once."""

import io
from pathlib import Path
from typing import Any

import pytest
import segno
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

STAFF = bearer("m-1", "grid_member", "510302001002003")


def png() -> bytes:
    buffer = io.BytesIO()
    segno.make("gridcase").save(buffer, kind="png", scale=2)
    return buffer.getvalue()


def stored_files(tmp_path: Path) -> list[str]:
    root = tmp_path / "attachments"
    return sorted(p.name for p in root.iterdir() if p.is_file())


async def _count(db: Any, sql: str) -> int:
    async with db.connect() as conn:
        return int((await conn.execute(text(sql))).scalar_one())


async def test_same_content_twice_is_one_stored_file_under_its_hash(
    intake: Any, tmp_path: Path, db: Any
) -> None:
    import hashlib

    content = png()
    digest = hashlib.sha256(content).hexdigest()

    first = await intake.post(
        "/v1/attachments", files={"file": ("photo.png", content, "image/png")}, headers=STAFF
    )
    second = await intake.post(
        "/v1/attachments",
        files={"file": ("renamed.bin", content, "application/octet-stream")},
        headers=STAFF,
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json() == {
        "url": f"https://intake.gridcase.test/v1/attachments/{digest}.png",
        "sha256": digest,
        "size": len(content),
        "content_type": "image/png",
    }
    assert stored_files(tmp_path) == [f"{digest}.png"]
    assert not list((tmp_path / "attachments" / ".incoming").iterdir())
    assert await _count(db, "SELECT count(*) FROM intake.attachments") == 1

    served = await intake.get(f"/v1/attachments/{digest}.png", headers=STAFF)
    assert served.status_code == 200
    assert served.content == content
    assert served.headers["content-type"] == "image/png"
    assert (await intake.get(f"/v1/attachments/{digest}.png")).status_code == 401


async def test_oversized_file_is_413_and_leaves_nothing(
    start_intake: Any, tmp_path: Path, db: Any
) -> None:
    async with start_intake(attachments_max_bytes=4096) as service:
        content = b"\xff\xd8\xff\xe0" + b"\0" * 5000
        response = await service.post(
            "/v1/attachments", files={"file": ("big.jpg", content, "image/jpeg")}, headers=STAFF
        )
        fits = await service.post(
            "/v1/attachments",
            files={"file": ("ok.jpg", content[:4096], "image/jpeg")},
            headers=STAFF,
        )

    assert response.status_code == 413
    assert "4096 bytes" in response.json()["detail"]
    assert fits.status_code == 201
    assert fits.json()["content_type"] == "image/jpeg"
    assert stored_files(tmp_path) == [fits.json()["url"].rsplit("/", 1)[1]]
    assert not list((tmp_path / "attachments" / ".incoming").iterdir())


async def test_text_named_jpg_is_415(intake: Any, tmp_path: Path, db: Any) -> None:
    response = await intake.post(
        "/v1/attachments",
        files={"file": ("photo.jpg", b"just some text, not a photo\n", "image/jpeg")},
        headers=STAFF,
    )

    assert response.status_code == 415
    assert "image/jpeg" in response.json()["detail"]  # the list of what is allowed
    assert stored_files(tmp_path) == []
    assert await _count(db, "SELECT count(*) FROM intake.attachments") == 0


@pytest.mark.parametrize(
    ("head", "content_type"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
    ],
)
async def test_pdf_and_webp_are_accepted(intake: Any, head: bytes, content_type: str) -> None:
    response = await intake.post(
        "/v1/attachments", files={"file": ("f", head + b"\0" * 64)}, headers=STAFF
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == content_type


async def test_missing_file_is_422_and_anonymous_upload_is_401(intake: Any) -> None:
    assert (await intake.post("/v1/attachments", headers=STAFF)).status_code == 422
    anonymous = await intake.post("/v1/attachments", files={"file": ("a.png", png())})
    assert anonymous.status_code == 401


async def test_a_wish_carries_a_photo_uploaded_at_the_wall(
    intake: Any, wall: Any, intake_events: Any
) -> None:
    await wall()
    uploaded = await intake.post(
        "/v1/public/walls/W-001/attachments", files={"file": ("p.png", png(), "image/png")}
    )
    assert uploaded.status_code == 201
    url = uploaded.json()["url"]

    wish = await intake.post(
        "/v1/public/walls/W-001/wishes", json={"content": "看照片", "attachments": [url]}
    )

    assert wish.status_code == 201
    assert (await intake_events(1))[0]["data"]["attachments"] == [url]


async def test_public_uploads_are_rate_limited_and_need_a_real_wall(
    start_intake: Any, clock: Any
) -> None:
    async with start_intake(wall_client_limit=2) as service:
        await service.post(
            "/v1/walls",
            json={"wall_id": "W-UP", "community_code": "510302001002", "name": "墙"},
            headers=bearer("admin-1", "admin"),
        )
        url = "/v1/public/walls/W-UP/attachments"
        statuses = [
            (await service.post(url, files={"file": ("p.png", png())})).status_code
            for _ in range(3)
        ]
        unknown = await service.post(
            "/v1/public/walls/W-NONE/attachments", files={"file": ("p.png", png())}
        )

    assert statuses == [201, 201, 429]
    assert unknown.status_code == 404


async def test_patrol_report_with_an_uploaded_photo(intake: Any, intake_events: Any) -> None:
    photo = (
        await intake.post("/v1/attachments", files={"file": ("p.png", png())}, headers=STAFF)
    ).json()["url"]
    patrol = (await intake.post("/v1/patrols", headers=STAFF)).json()
    body = {"point": {"lat": 29.35, "lon": 104.77}, "description": "井盖缺失"}

    foreign = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports",
        json={**body, "attachments": ["https://elsewhere.test/x.png"]},
        headers=STAFF,
    )
    ours = await intake.post(
        f"/v1/patrols/{patrol['id']}/reports", json={**body, "attachments": [photo]}, headers=STAFF
    )

    assert foreign.status_code == 422
    assert foreign.json()["detail"][0]["loc"] == ["body", "attachments"]
    assert ours.status_code == 201
    assert (await intake_events(1))[0]["data"]["attachments"] == [photo]


async def test_uploads_go_to_an_s3_bucket_when_configured(
    start_intake: Any, s3_endpoint: str, tmp_path: Path
) -> None:
    import boto3

    bucket = "gridcase-attachments"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    content = png()
    async with start_intake(
        attachments_backend="s3",
        attachments_s3_endpoint=s3_endpoint,
        attachments_s3_bucket=bucket,
        attachments_s3_access_key="testing",
        attachments_s3_secret_key="testing",
    ) as service:
        uploaded = await service.post(
            "/v1/attachments", files={"file": ("p.png", content)}, headers=STAFF
        )
        served = await service.get(uploaded.json()["url"].split("gridcase.test")[1], headers=STAFF)

    assert uploaded.status_code == 201
    name = uploaded.json()["url"].rsplit("/", 1)[1]
    assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == content
    assert served.content == content
    assert not (tmp_path / "attachments").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (bearer("ops-1", "ops"), 403),
        (bearer("m-2", "grid_member"), 401),  # no area in the token: refused by the kit
        (bearer("do-1", "department_operator"), 401),  # no department
        # A file no case references yet is its uploader's (and admins') alone: who may
        # see the cases it belongs to is tests/attachments/test_access.py.
        (bearer("do-2", "department_operator", department_code="D-CG"), 403),
        (bearer("dc-1", "district_center"), 403),
        (bearer("m-3", "grid_member", "510302001002003"), 403),
        (bearer("admin-1", "admin"), 200),
        (STAFF, 200),
    ],
    ids=[
        "ops",
        "member-without-area",
        "operator-without-dept",
        "operator",
        "centre",
        "other-member-same-grid",
        "admin",
        "uploader",
    ],
)
async def test_only_roles_that_handle_cases_download_attachments(
    intake: Any, who: Any, status: int
) -> None:
    content = png()
    uploaded = await intake.post(
        "/v1/attachments", files={"file": ("photo.png", content, "image/png")}, headers=STAFF
    )
    path = "/v1/attachments/" + uploaded.json()["url"].rsplit("/", 1)[1]

    response = await intake.get(path, headers=who)

    assert response.status_code == status, response.text
    if status == 200:
        assert response.content == content
