"""Residents' and staff's personal data: encryption at rest and in events, masking.

``GRIDCASE_PII_KEY`` holds one or more comma-separated Fernet keys: the first encrypts,
every one decrypts (key rotation: put the new key first, keep the old one after it,
run ``gridcase pii rotate`` to re-encrypt what is stored, then drop the old key).

Encrypted columns are the text columns whose names end in ``_enc``, in every service's
schema: :func:`check_readable` looks at a few of them when a service starts (a service
whose key cannot read its stored data refuses to start, saying so), and
:func:`reencrypt` rewrites them under the first key.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_DIGITS = re.compile(r"\D")
ENCRYPTED_SUFFIX = "_enc"
ROTATION_HINT = (
    "was GRIDCASE_PII_KEY changed? List the new key first and the previous key after it "
    "(comma-separated: the first encrypts, all decrypt), then run `gridcase pii rotate`"
)


class PiiUnreadable(ValueError):
    """Stored or received personal data that no key of ``GRIDCASE_PII_KEY`` decrypts."""


def _keys(keys: str | Sequence[str]) -> list[str]:
    parts = keys.split(",") if isinstance(keys, str) else list(keys)
    return [k.strip() for k in parts if k.strip()]


class PiiCipher:
    """Symmetric encryption under ``GRIDCASE_PII_KEY`` (Fernet: AES-128-CBC + HMAC);
    several keys: the first encrypts, all decrypt (MultiFernet)."""

    def __init__(self, keys: str | Sequence[str]) -> None:
        parts = _keys(keys)
        if not parts:
            raise ValueError("GRIDCASE_PII_KEY holds no key")
        fernets = []
        for number, key in enumerate(parts, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, binascii.Error):
                # Not chained: the key's own error is no help, and keys stay out of logs.
                raise ValueError(
                    f"GRIDCASE_PII_KEY: key {number} of {len(parts)} is not a Fernet key "
                    "(32 bytes, url-safe base64)"
                ) from None
        self._primary = fernets[0]
        self._fernet = MultiFernet(fernets)
        self.key_count = len(fernets)

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise PiiUnreadable(
                f"cannot decrypt personal data with any key of GRIDCASE_PII_KEY: {ROTATION_HINT}"
            ) from None

    def is_current(self, token: str) -> bool:
        """Whether `token` is encrypted under the first key already."""
        try:
            self._primary.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """`token` re-encrypted under the first key."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise PiiUnreadable(
                f"cannot decrypt personal data with any key of GRIDCASE_PII_KEY: {ROTATION_HINT}"
            ) from None


# ------------------------------------------------------------------ stored columns


@dataclass(frozen=True)
class EncryptedColumn:
    schema: str
    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.table}.{self.column}"


async def encrypted_columns(conn: AsyncConnection, schemas: Sequence[str]) -> list[EncryptedColumn]:
    """Every text column named ``*_enc`` in these schemas."""
    rows = await conn.execute(
        text(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = ANY(:schemas) AND column_name LIKE :pattern "
            "AND data_type = 'text' ORDER BY 1, 2, 3"
        ),
        {"schemas": list(schemas), "pattern": "%\\" + ENCRYPTED_SUFFIX},
    )
    return [EncryptedColumn(*row) for row in rows.all()]


def _quote(conn: AsyncConnection, *names: str) -> str:
    quote = conn.dialect.identifier_preparer.quote
    return ".".join(quote(n) for n in names)


async def check_readable(
    conn: AsyncConnection, *, schema: str, cipher: PiiCipher, sample: int = 3
) -> None:
    """Raises :class:`PiiUnreadable`, naming the column, when a few stored values of
    any encrypted column of `schema` cannot be decrypted with any key."""
    for col in await encrypted_columns(conn, [schema]):
        values = (
            await conn.execute(
                text(
                    f"SELECT {_quote(conn, col.column)} FROM {_quote(conn, col.schema, col.table)} "  # noqa: S608 - identifiers quoted
                    f"WHERE {_quote(conn, col.column)} IS NOT NULL LIMIT :sample"
                ),
                {"sample": sample},
            )
        ).scalars()
        for value in values:
            try:
                cipher.decrypt(value)
            except PiiUnreadable:
                raise PiiUnreadable(
                    f"stored personal data in {col} cannot be decrypted with any key of "
                    f"GRIDCASE_PII_KEY: {ROTATION_HINT}"
                ) from None


@dataclass
class RotationCount:
    rotated: int = 0
    current: int = 0
    unreadable: int = 0


async def _primary_key(conn: AsyncConnection, schema: str, table: str) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = CAST(:table AS regclass) AND i.indisprimary "
            "ORDER BY array_position(CAST(i.indkey AS int2[]), a.attnum)"
        ),
        {"table": _quote(conn, schema, table)},
    )
    return [r[0] for r in rows.all()]


async def reencrypt(
    engine: AsyncEngine, cipher: PiiCipher, *, schemas: Sequence[str], batch: int = 500
) -> dict[str, RotationCount]:
    """Rewrites every encrypted value of these schemas that is not under the first key,
    in batches of `batch` rows, one transaction each (services may keep running: a value
    changed meanwhile is left as its writer wrote it). Values no key decrypts are
    counted, not touched. (Long on purpose: the keyset walk, the compare-and-set and the
    counting of one batch read best together.)"""
    async with engine.connect() as conn:
        columns = await encrypted_columns(conn, schemas)
    tables: dict[tuple[str, str], list[str]] = {}
    for col in columns:
        tables.setdefault((col.schema, col.table), []).append(col.column)
    counts: dict[str, RotationCount] = {str(c): RotationCount() for c in columns}
    for (schema, table), cols in tables.items():
        async with engine.connect() as conn:
            key = await _primary_key(conn, schema, table)
        if not key:
            raise ValueError(f"{schema}.{table} has no primary key: cannot rotate its columns")
        last: tuple[Any, ...] | None = None
        while True:
            async with engine.begin() as conn:

                def q(*names: str, conn: AsyncConnection = conn) -> str:
                    return _quote(conn, *names)

                keys = ", ".join(q(k) for k in key)
                after = (
                    f"WHERE ({keys}) > ({', '.join(f':k{i}' for i in range(len(key)))}) "
                    if last is not None
                    else ""
                )
                rows = (
                    await conn.execute(
                        text(
                            f"SELECT {keys}, {', '.join(q(c) for c in cols)} "  # noqa: S608 - identifiers quoted
                            f"FROM {q(schema, table)} {after}ORDER BY {keys} LIMIT :batch"
                        ),
                        {"batch": batch} | {f"k{i}": v for i, v in enumerate(last or ())},
                    )
                ).all()
                for row in rows:
                    ids = tuple(row[: len(key)])
                    for offset, column in enumerate(cols):
                        value = row[len(key) + offset]
                        count = counts[f"{schema}.{table}.{column}"]
                        if value is None:
                            continue
                        if cipher.is_current(value):
                            count.current += 1
                            continue
                        try:
                            new = cipher.rotate(value)
                        except PiiUnreadable:
                            count.unreadable += 1
                            continue
                        where = " AND ".join(f"{q(k)} = :k{i}" for i, k in enumerate(key))
                        await conn.execute(
                            text(
                                f"UPDATE {q(schema, table)} SET {q(column)} = :new "  # noqa: S608 - identifiers quoted
                                f"WHERE {where} AND {q(column)} = :old"
                            ),
                            {"new": new, "old": value} | {f"k{i}": v for i, v in enumerate(ids)},
                        )
                        count.rotated += 1
            if len(rows) < batch:
                break
            last = tuple(rows[-1][: len(key)])
    return counts


def normalize_phone(phone: str) -> str:
    """Digits only, without a +86 / 0086 country prefix."""
    digits = _DIGITS.sub("", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; other lengths keep only their last 4 digits."""
    digits = normalize_phone(phone)
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; ``Li Lei`` → ``L*****``."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_email(email: str) -> str:
    """``wang.li@example.cn`` → ``w***@example.cn``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


async def rotate_stored(
    database_url: str, keys: str, *, schemas: Sequence[str], batch: int = 500
) -> dict[str, RotationCount]:
    """:func:`reencrypt` for a database URL (the ``gridcase pii rotate`` command)."""
    from gridcase_events.kit import db

    engine = db.create_engine(database_url, application_name="gridcase-pii-rotate")
    try:
        return await reencrypt(engine, PiiCipher(keys), schemas=schemas, batch=batch)
    finally:
        await engine.dispose()
