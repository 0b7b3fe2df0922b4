"""Database plumbing: engines, per-service schemas, and migrations at start-up."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, event, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata(schema: str) -> MetaData:
    """The metadata of one service: every table lives in the service's own schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


_ON_COMMIT = "gridcase.on_commit"


def on_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Runs `callback` once the session's transaction has committed, and never if it
    rolls back: metrics of decisions then count each decision once, not each attempt
    of a retried handler."""
    sync = session.sync_session
    pending: list[Callable[[], None]] | None = sync.info.get(_ON_COMMIT)
    if pending is None:
        waiting: list[Callable[[], None]] = []
        sync.info[_ON_COMMIT] = waiting

        def fire(session: Any) -> None:
            if session.get_nested_transaction() is not None:  # a savepoint, not the whole
                return
            callbacks = list(waiting)
            waiting.clear()
            for run in callbacks:
                run()

        def forget(_session: Any, transaction: Any) -> None:
            if transaction.parent is None:  # ended: what no commit fired is dropped
                waiting.clear()

        event.listen(sync, "after_commit", fire)
        event.listen(sync, "after_transaction_end", forget)
        pending = waiting
    pending.append(callback)


def held_until_commit(
    session: AsyncSession, key: str, make: Callable[[], T], write: Callable[[Session, T], None]
) -> T:
    """What the session's transaction keeps under `key` until it commits.

    Made by `make` at its first use in the transaction and handed to `write` (with the
    sync session, in which `write` runs its statements) just before the commit's flush;
    a transaction that rolls back drops it, and the next one starts anew. A consumer run
    of many events thus writes what they changed once, at its commit, and an event
    applied on its own still commits with its writes. The transaction is begun here if
    none is (no I/O, as a statement would have): kept for a transaction that does not
    exist yet, the writes would be lost at its commit."""
    sync = session.sync_session
    transaction = sync.get_transaction() or sync.begin()
    kept = sync.info.get(key)
    if kept is not None and kept[0] is transaction:
        value: T = kept[1]
        return value
    value = make()
    sync.info[key] = (transaction, value)

    def flush(committing: Session) -> None:
        ours = committing.info.pop(key, None)
        if ours is not None and ours[0] is committing.get_transaction():
            write(committing, ours[1])

    event.listen(sync, "before_commit", flush, once=True)
    return value


def async_url(url: str) -> str:
    """Accepts ``postgresql://`` and ``postgres://`` URLs too."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    application_name: str = "gridcase",
    pre_ping: bool = False,
) -> AsyncEngine:
    """An engine for one service.

    No ping before each checkout by default (``pre_ping``): it costs a round trip per
    transaction, and a connection that died with a database restart fails its first
    statement as a transient error anyway — the consumer runner retries it, HTTP answers
    503 with Retry-After, and SQLAlchemy then replaces every connection of the pool.
    A loopback database is reached without TLS unless the URL asks for it (``ssl=``):
    encryption there protects nothing and costs every statement.
    """
    url = async_url(url)
    connect_args: dict[str, Any] = {"server_settings": {"application_name": application_name}}
    if _loopback(url) and not _asks_for_tls(url):
        connect_args["ssl"] = False
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=pre_ping,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _loopback(url: str) -> bool:
    host = make_url(url).host or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _asks_for_tls(url: str) -> bool:
    query = make_url(url).query
    return "ssl" in query or "sslmode" in query


async def upgrade(engine: AsyncEngine, *, schema: str, script_location: Path) -> None:
    """Applies the service's Alembic migrations; safe with several replicas starting."""
    async with engine.begin() as conn:
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"gridcase.migrate.{schema}"},
        )
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await conn.run_sync(_upgrade, str(script_location))


def _upgrade(conn: Connection, script_location: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def run_migrations(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through gridcase_events.kit.db.upgrade")
    schema = metadata.schema

    def include_name(name: str | None, type_: str, parent_names: object) -> bool:
        return type_ != "schema" or name == schema

    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
