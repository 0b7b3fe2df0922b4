"""Anonymous uploads are bounded (issue 16, finding 6): orphans (uploaded, never
referenced by a case) are deleted by a background worker once their time is up, and the
wish walls' uploads have a byte budget per client across walls and per wall."""

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from sqlalchemy import text

from gridcase_events.testing import bearer, eventually
from intake.attachments.purge import OrphanPurge

pytestmark = pytest.mark.integration

ADMIN = bearer("admin-1", "admin")
COMMUNITY = "510302001002"


def jpeg(seed: int, size: int = 2000) -> bytes:
    """A file intake takes for a JPEG (by its head), distinct per seed."""
    return b"\xff\xd8\xff\xe0" + seed.to_bytes(4, "big") + b"\0" * (size - 8)


def png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=2)
    return buffer.getvalue()


async def _wall(service: Any, wall_id: str) -> None:
    response = await service.post(
        "/v1/walls",
        json={"wall_id": wall_id, "community_code": COMMUNITY, "name": "墙"},
        headers=ADMIN,
    )
    assert response.status_code == 201, response.text


async def _names(db: Any) -> set[str]:
    async with db.connect() as conn:
        return set((await conn.execute(text("SELECT name FROM intake.attachments"))).scalars())


async def test_an_orphan_is_deleted_once_its_time_is_up_and_a_used_file_is_kept(
    start_intake: Any, clock: Any, db: Any, tmp_path: Path
) -> None:
    async with start_intake(
        attachments_orphan_ttl_seconds=3600, attachments_purge_interval_seconds=0.05
    ) as service:
        await _wall(service, "W-GC")
        upload = "/v1/public/walls/W-GC/attachments"
        orphan = (await service.post(upload, files={"file": ("a.png", png("orphan"))})).json()
        used = (await service.post(upload, files={"file": ("b.png", png("used"))})).json()
        wish = await service.post(
            "/v1/public/walls/W-GC/wishes", json={"content": "看照片", "attachments": [used["url"]]}
        )
        assert wish.status_code == 201
        orphan_name = orphan["url"].rsplit("/", 1)[1]
        used_name = used["url"].rsplit("/", 1)[1]
        # Within its time the orphan stays.
        clock.advance(timedelta(minutes=59))
        assert await OrphanPurge(service.app.state.runtime).run_once() == 0
        assert (tmp_path / "attachments" / orphan_name).exists()

        clock.advance(timedelta(minutes=2))

        async def purged() -> bool:
            return orphan_name not in await _names(db)

        await eventually(purged)  # by the background worker
        late = await service.post(
            "/v1/public/walls/W-GC/wishes",
            json={"content": "晚了", "attachments": [orphan["url"]]},
        )

    assert await _names(db) == {used_name}
    assert not (tmp_path / "attachments" / orphan_name).exists()
    assert (tmp_path / "attachments" / used_name).exists()
    assert late.status_code == 422  # the photo is gone: the wish says so
    assert late.json()["detail"][0]["type"] == "unknown_attachment"


async def test_a_new_upload_of_an_orphans_content_starts_its_time_again(
    start_intake: Any, clock: Any, db: Any
) -> None:
    async with start_intake(attachments_orphan_ttl_seconds=3600) as service:
        staff = bearer("m-1", "grid_member", "510302001002003")
        first = await service.post(
            "/v1/attachments", files={"file": ("a.png", png("x"))}, headers=staff
        )
        clock.advance(timedelta(minutes=50))
        again = await service.post(
            "/v1/attachments", files={"file": ("a.png", png("x"))}, headers=staff
        )
        clock.advance(timedelta(minutes=50))
        purge = OrphanPurge(service.app.state.runtime)
        kept = await purge.run_once()
        clock.advance(timedelta(minutes=11))
        deleted = await purge.run_once()
        served = await service.get(first.json()["url"].split("gridcase.test")[1], headers=staff)

    assert first.json() == again.json()
    assert (kept, deleted) == (0, 1)
    assert served.status_code == 404


async def _upload_from(service: Any, address: str, wall_id: str, content: bytes) -> Any:
    transport = httpx.ASGITransport(app=service.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.post(
            f"/v1/public/walls/{wall_id}/attachments", files={"file": ("p.jpg", content)}
        )


async def test_a_clients_upload_bytes_are_budgeted_across_walls(
    start_intake: Any, db: Any, clock: Any
) -> None:
    photos = [jpeg(i) for i in range(3)]
    size = len(photos[0])
    async with start_intake(
        public_upload_client_bytes=2 * size + 10,
        wall_client_limit=100,
        public_upload_window_seconds=3600,
    ) as service:
        await _wall(service, "W-B1")
        await _wall(service, "W-B2")
        one = await _upload_from(service, "10.0.0.1", "W-B1", photos[0])
        two = await _upload_from(service, "10.0.0.1", "W-B2", photos[1])
        three = await _upload_from(service, "10.0.0.1", "W-B1", photos[2])
        other_client = await _upload_from(service, "10.0.0.2", "W-B1", photos[2])
        clock.advance(timedelta(hours=1))
        next_window = await _upload_from(service, "10.0.0.1", "W-B2", photos[2])

    assert [one.status_code, two.status_code] == [201, 201]
    assert three.status_code == 429
    assert int(three.headers["Retry-After"]) > 0
    assert "public-upload-bytes-client" in three.json()["detail"]
    assert other_client.status_code == 201
    assert next_window.status_code == 201


async def test_a_walls_upload_bytes_are_budgeted_for_every_client(
    start_intake: Any, db: Any
) -> None:
    photos = [jpeg(10 + i) for i in range(3)]
    size = len(photos[0])
    async with start_intake(public_upload_wall_bytes=2 * size + 10) as service:
        await _wall(service, "W-B3")
        await _wall(service, "W-B4")
        statuses = [
            (await _upload_from(service, f"10.0.1.{i}", "W-B3", photo)).status_code
            for i, photo in enumerate(photos)
        ]
        elsewhere = await _upload_from(service, "10.0.1.9", "W-B4", photos[2])

    assert statuses == [201, 201, 429]
    assert elsewhere.status_code == 201
    # The refused photo was not stored.
    assert len(await _names(db)) == 3
