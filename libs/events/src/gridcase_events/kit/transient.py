"""Which failures are the weather, not the message's or the request's fault.

A database or broker that is away — restarting, refusing connections, out of
connection slots — is waited for: a consumer retries the event without counting the
attempt (never to the dead-letter topic), and an HTTP request answers 503 with
``Retry-After`` instead of 500.

asyncpg's availability errors reach SQLAlchemy as a plain ``DBAPIError`` (not an
``OperationalError``), so the class alone does not tell: the SQLSTATE of the error, or
of any error it wraps, does.
"""

from __future__ import annotations

from aiokafka.errors import KafkaError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    OSError,
    TimeoutError,
    KafkaError,
)

# SQLSTATE classes and codes of PostgreSQL that mean "the server is not available now".
TRANSIENT_SQLSTATE_CLASSES = frozenset(
    {
        "08",  # connection exception: 08000, 08003 does not exist, 08006 failure, ...
        "53",  # insufficient resources: 53300 too many connections, 53200 out of memory, ...
    }
)
TRANSIENT_SQLSTATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is stopping or the backend was terminated
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: the server is starting up or in recovery
        "57P05",  # idle_session_timeout
    }
)


def sqlstate_transient(sqlstate: object) -> bool:
    if not isinstance(sqlstate, str) or len(sqlstate) != 5:
        return False
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES


def _chain(exc: BaseException) -> list[BaseException]:
    """The error and those it wraps (SQLAlchemy's ``orig``, causes and contexts)."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending and len(seen) < 16:
        current = pending.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        pending += [
            orig if isinstance(orig, BaseException) else None,
            current.__cause__,
            current.__context__,
        ]
    return seen


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` means a backing service is unavailable for now."""
    if isinstance(exc, TRANSIENT_TYPES):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return any(
        isinstance(e, ConnectionError | TimeoutError)
        or sqlstate_transient(getattr(e, "sqlstate", None) or getattr(e, "pgcode", None))
        for e in _chain(exc)
    )
