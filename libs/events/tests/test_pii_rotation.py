"""`gridcase pii rotate` against the real PostgreSQL: every `*_enc` column of the
schemas is rewritten under the first key, in batches; what no key reads is counted
and left alone; a second run has nothing to do."""

import secrets
from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from gridcase_events.kit import db
from gridcase_events.kit.pii import PiiCipher, PiiUnreadable, check_readable, reencrypt

pytestmark = pytest.mark.integration

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
STRANGER = Fernet.generate_key().decode()


@pytest.fixture
async def schema(database_url: str) -> AsyncIterator[tuple[AsyncEngine, str]]:
    name = f"piitest_{secrets.token_hex(4)}"
    engine = db.create_engine(database_url, pool_size=2)
    old = PiiCipher(OLD)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
        await conn.execute(
            text(
                f'CREATE TABLE "{name}".reporters (case_id int, seq int, phone_enc text, '
                "name_enc text, note text, PRIMARY KEY (case_id, seq))"
            )
        )
        for i in range(7):
            await conn.execute(
                text(f'INSERT INTO "{name}".reporters VALUES (:c, :s, :p, :n, :note)'),  # noqa: S608
                {
                    "c": i // 2,
                    "s": i % 2,
                    "p": old.encrypt(f"1380000000{i}"),
                    "n": old.encrypt(f"居民{i}") if i % 3 else None,
                    "note": "not encrypted",
                },
            )
    yield engine, name
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await engine.dispose()


async def stored(engine: AsyncEngine, schema: str) -> list[tuple[str, str | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(f'SELECT phone_enc, name_enc FROM "{schema}".reporters ORDER BY case_id, seq')  # noqa: S608
        )
        return [(r[0], r[1]) for r in rows.all()]


async def test_rotation_rewrites_every_encrypted_column_under_the_first_key(
    schema: tuple[AsyncEngine, str],
) -> None:
    engine, name = schema
    cipher = PiiCipher(f"{NEW},{OLD}")

    counts = await reencrypt(engine, cipher, schemas=[name], batch=3)

    assert {k: (c.rotated, c.current, c.unreadable) for k, c in counts.items()} == {
        f"{name}.reporters.name_enc": (4, 0, 0),
        f"{name}.reporters.phone_enc": (7, 0, 0),
    }
    new = PiiCipher(NEW)
    assert [
        (new.decrypt(p), new.decrypt(n) if n else None) for p, n in await stored(engine, name)
    ] == [(f"1380000000{i}", f"居民{i}" if i % 3 else None) for i in range(7)]
    again = await reencrypt(engine, cipher, schemas=[name], batch=3)
    assert again[f"{name}.reporters.phone_enc"].current == 7
    assert again[f"{name}.reporters.phone_enc"].rotated == 0


async def test_values_no_key_reads_are_counted_and_left_alone(
    schema: tuple[AsyncEngine, str],
) -> None:
    engine, name = schema
    foreign = PiiCipher(STRANGER).encrypt("13999999999")
    async with engine.begin() as conn:
        await conn.execute(
            text(f'UPDATE "{name}".reporters SET phone_enc = :v WHERE case_id = 0 AND seq = 0'),  # noqa: S608
            {"v": foreign},
        )

    counts = await reencrypt(engine, PiiCipher(f"{NEW},{OLD}"), schemas=[name])

    assert counts[f"{name}.reporters.phone_enc"].unreadable == 1
    assert counts[f"{name}.reporters.phone_enc"].rotated == 6
    assert (await stored(engine, name))[0][0] == foreign


async def test_start_up_check_names_the_column_no_key_reads(
    schema: tuple[AsyncEngine, str],
) -> None:
    engine, name = schema
    async with engine.connect() as conn:
        await check_readable(conn, schema=name, cipher=PiiCipher(f"{NEW},{OLD}"))
        with pytest.raises(PiiUnreadable, match=rf"{name}\.reporters\.(name|phone)_enc"):
            await check_readable(conn, schema=name, cipher=PiiCipher(NEW))
