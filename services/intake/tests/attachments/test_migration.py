"""The migration that makes attachments purgeable keeps the staff files stored before
it (they may be evidence dispatch holds) and lets anonymous wall uploads go."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gridcase_events.kit import db as kit_db
from intake.attachments import service
from intake.attachments.storage import LocalStorage
from intake.db import schema

pytestmark = pytest.mark.integration

BEFORE = "a3c5e7f90b12"  # the revision before uploaders and evidence were recorded
STAFF_FILE = "a" * 64 + ".jpg"
WALL_FILE = "b" * 64 + ".jpg"


def _migrate(conn: Connection, direction: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.migrations))
    cfg.attributes["connection"] = conn
    getattr(command, direction)(cfg, revision)


async def test_staff_files_stored_before_are_kept_and_wall_uploads_purged(
    db: AsyncEngine, tmp_path: Path
) -> None:
    await kit_db.upgrade(db, schema="intake", script_location=schema.migrations)
    async with db.begin() as conn:
        await conn.run_sync(_migrate, "downgrade", BEFORE)
        for name, uploader in ((STAFF_FILE, "staff:m-1"), (WALL_FILE, "wall:W-1:client:10.0.0.1")):
            await conn.execute(
                text(
                    "INSERT INTO intake.attachments "
                    "(name, sha256, size, content_type, created_at, uploaded_by) VALUES "
                    "(:name, :sha, 10, 'image/jpeg', :at, :by)"
                ),
                {
                    "name": name,
                    "sha": name[:64],
                    "at": datetime(2026, 1, 1, tzinfo=UTC),
                    "by": uploader,
                },
            )
        await conn.run_sync(_migrate, "upgrade", "head")
    storage = LocalStorage(tmp_path)
    for name in (STAFF_FILE, WALL_FILE):
        (tmp_path / name).write_bytes(b"\xff\xd8\xff\xe0")

    async with AsyncSession(db) as session, session.begin():
        purged = await service.purge_orphans(
            session=session,
            storage=storage,
            base_url="https://intake.gridcase.test",
            now=datetime(2026, 11, 28, tzinfo=UTC),
            ttl=timedelta(days=7),
        )

    assert purged == [WALL_FILE]
    assert (tmp_path / STAFF_FILE).exists()
    assert not (tmp_path / WALL_FILE).exists()
    async with db.connect() as conn:
        uploads = await conn.execute(
            text("SELECT name, uploaded_by FROM intake.attachment_uploads")
        )
        assert uploads.all() == [(STAFF_FILE, "staff:m-1")]
