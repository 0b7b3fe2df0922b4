"""Writes a new Alembic revision for one service by comparing its models with a
scratch database migrated to the current head.

    .venv/bin/python scripts/makemigration.py dispatch "add absences"

Needs DATABASE_URL (``make infra`` starts a local server). Review the file it writes.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import sys

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from gridcase_events.kit.db import async_url, create_engine, upgrade
from gridcase_events.kit.settings import DEFAULT_DATABASE_URL


async def main(service: str, message: str) -> None:
    module = importlib.import_module(f"{service}.db")
    importlib.import_module(f"{service}.models")
    schema = module.schema
    base = make_url(async_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)))
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    scratch = f"gridcase_makemigration_{secrets.token_hex(3)}"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{scratch}"')
    await conn.close()
    engine = create_engine(base.set(database=scratch).render_as_string(hide_password=False))
    try:
        await upgrade(engine, schema=schema.name, script_location=schema.migrations)

        def revise(sync_conn: Connection) -> None:
            cfg = Config()
            cfg.set_main_option("script_location", str(schema.migrations))
            cfg.attributes["connection"] = sync_conn
            command.revision(cfg, message=message, autogenerate=True)

        async with engine.begin() as c:
            await c.execute(text(f'SET search_path TO "{schema.name}"'))
            await c.run_sync(revise)
    finally:
        await engine.dispose()
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE "{scratch}" WITH (FORCE)')
        await conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
