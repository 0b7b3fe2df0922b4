"""The data migration that re-keys household visits with the shared address normaliser,
against the real database."""

from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from gridcase_events.kit import db as kit_db
from intake.db import schema

pytestmark = pytest.mark.integration

BEFORE = "7664486c9641"  # the revision before the re-keying


def _migrate(conn: Connection, direction: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.migrations))
    cfg.attributes["connection"] = conn
    getattr(command, direction)(cfg, revision)


async def _keys(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT address, address_key FROM intake.household_visits"))
        return {row.address: row.address_key for row in rows.all()}


async def _rerun(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_migrate, "downgrade", BEFORE)
        await conn.run_sync(_migrate, "upgrade", "head")


async def test_households_keyed_the_old_way_are_re_keyed_once(db: AsyncEngine) -> None:
    await kit_db.upgrade(db, schema="intake", script_location=schema.migrations)
    visits: list[dict[str, Any]] = [
        # The keys the old normaliser stored (NFKC, no spaces, lower case).
        {"address": "桂花路1号1号楼", "key": "桂花路1号1号楼"},
        {"address": "桂花路１号 1栋", "key": "桂花路1号1栋"},
        {"address": "桂花路2号（东）3幢", "key": "桂花路2号(东)3幢"},
    ]
    async with db.begin() as conn:
        for number, visit in enumerate(visits):
            await conn.execute(
                text(
                    "INSERT INTO intake.household_visits "
                    "(id, staff_id, grid_code, address, address_key, visited_at) VALUES "
                    "(gen_random_uuid(), 'm-1', :grid, :address, :key, now())"
                ),
                {"grid": f"51030200100200{number}", **visit},
            )

    await _rerun(db)
    once = await _keys(db)
    await _rerun(db)

    assert once == {
        "桂花路1号1号楼": "桂花路1号1栋",
        "桂花路１号 1栋": "桂花路1号1栋",
        "桂花路2号（东）3幢": "桂花路2号东3栋",
    }
    assert await _keys(db) == once
