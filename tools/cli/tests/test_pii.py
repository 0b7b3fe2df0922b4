"""``gridcase pii rotate`` (run as the installed command, against a migrated database)."""

import asyncio
import os
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import text

from gridcase_events.kit import db
from gridcase_events.kit.pii import PiiCipher

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


async def test_the_cli_rotates_the_services_schemas(fresh_database: str) -> None:
    engine = db.create_engine(fresh_database, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO notify.contacts (staff_id, name, role, phone_enc, phone_masked,"
                    " updated_at) VALUES ('gm111a', '王芳', 'grid_member', :p, '138****0000', now())"
                ),
                {"p": PiiCipher(OLD).encrypt("13800000000")},
            )
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDCASE_")}
        env |= {"GRIDCASE_PII_KEY": f"{NEW},{OLD}", "DATABASE_URL": fresh_database}
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("gridcase")),
            *("pii", "rotate"),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output = (await proc.communicate())[0].decode()
        async with engine.connect() as conn:
            value = (
                await conn.execute(
                    text("SELECT phone_enc FROM notify.contacts WHERE staff_id = 'gm111a'")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert proc.returncode == 0, output
    assert "notify.contacts.phone_enc" in output
    assert PiiCipher(NEW).decrypt(value) == "13800000000"
