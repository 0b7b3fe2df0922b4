"""Signature edge cases, for the single push and the batch alike (the 12345 push contract, README)."""

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.kit import signing

pytestmark = pytest.mark.integration

SINGLE = "/v1/hotline/tickets"
BATCH = "/v1/hotline/tickets:batch"
SECRET = "hotline-secret-current"
OLD_SECRET = "hotline-secret-previous"


def _body(path: str, ticket: dict[str, Any]) -> bytes:
    body: Any = ticket if path == SINGLE else {"tickets": [ticket]}
    return json.dumps(body, ensure_ascii=False).encode()


async def _stored(db: Any) -> tuple[int, int]:
    async with db.connect() as conn:
        cases = (await conn.execute(text("SELECT count(*) FROM intake.cases"))).scalar_one()
        events = (await conn.execute(text("SELECT count(*) FROM intake.outbox"))).scalar_one()
    return int(cases), int(events)


async def _send(client: Any, path: str, raw: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[signing.HEADER] = signature
    return await client.post(path, content=raw, headers=headers)


def _accepted(path: str, response: Any) -> bool:
    if path == SINGLE:
        return bool(response.status_code == 201)
    return bool(response.status_code == 207 and response.json()["created"] == 1)


REFUSED = [
    (SECRET, -301, "more than 300 s"),  # too old: a replay
    (SECRET, 301, "more than 300 s"),  # from the future, beyond the tolerance
    ("someone-else", 0, "does not match"),
    ("", 0, "does not match"),
]


# Each test starts a service on a database of its own: the refused variants of one
# kind share a test, each checked and named in its assertion.
@pytest.mark.parametrize("path", [SINGLE, BATCH])
async def test_stale_future_or_foreign_signatures_are_401_and_store_nothing(
    client: Any, clock: Any, ticket: Any, db: Any, path: str
) -> None:
    raw = _body(path, ticket())
    for secret, skew, reason in REFUSED:
        signature = signing.sign(secret, raw, now=clock.now() + timedelta(seconds=skew))

        response = await _send(client, path, raw, signature)

        assert response.status_code == 401, (secret, skew)
        assert reason in response.json()["detail"], (secret, skew)
        assert response.headers["www-authenticate"] == signing.HEADER
    assert await _stored(db) == (0, 0)


@pytest.mark.parametrize("path", [SINGLE, BATCH])
@pytest.mark.parametrize("skew", [-300, 300])
async def test_signatures_at_the_edge_of_the_tolerance_are_accepted(
    client: Any, clock: Any, ticket: Any, path: str, skew: int
) -> None:
    raw = _body(path, ticket())
    signature = signing.sign(SECRET, raw, now=clock.now() + timedelta(seconds=skew))

    assert _accepted(path, await _send(client, path, raw, signature))


@pytest.mark.parametrize("path", [SINGLE, BATCH])
async def test_a_tampered_body_is_401(
    client: Any, clock: Any, ticket: Any, db: Any, path: str
) -> None:
    raw = _body(path, ticket())
    signature = signing.sign(SECRET, raw, now=clock.now())
    tampered = raw.replace("满溢".encode(), "清理".encode())
    assert tampered != raw

    response = await _send(client, path, tampered, signature)

    assert response.status_code == 401
    assert "does not match" in response.json()["detail"]
    assert await _stored(db) == (0, 0)


MALFORMED = [
    (None, "missing"),
    ("", "missing"),
    ("garbage", "needs t="),
    ("t=1795253400", "needs t="),  # no v1
    ("v1=00ff", "needs t="),  # no t
    ("t=yesterday,v1=00ff", "malformed timestamp"),
    ("t=1795253400,v1=", "needs t="),
    ("t=1795253400,v1=not-hex-at-all", "does not match"),
    ("t=1795253400;v1=00ff", "malformed timestamp"),
]


@pytest.mark.parametrize("path", [SINGLE, BATCH])
async def test_malformed_signature_headers_are_401(
    client: Any, ticket: Any, db: Any, path: str
) -> None:
    raw = _body(path, ticket())
    for header, reason in MALFORMED:
        response = await _send(client, path, raw, header)

        assert response.status_code == 401, header
        assert reason in response.json()["detail"], header
    assert await _stored(db) == (0, 0)


@pytest.mark.parametrize("path", [SINGLE, BATCH])
@pytest.mark.parametrize("secret", [SECRET, OLD_SECRET])
async def test_during_a_rotation_both_the_new_and_the_old_secret_are_accepted(
    client: Any, clock: Any, ticket: Any, path: str, secret: str
) -> None:
    # The service runs with GRIDCASE_HOTLINE_SECRETS="<current>,<previous>".
    raw = _body(path, ticket())

    assert _accepted(
        path, await _send(client, path, raw, signing.sign(secret, raw, now=clock.now()))
    )


@pytest.mark.parametrize("path", [SINGLE, BATCH])
async def test_a_header_signed_with_both_secrets_is_accepted(
    client: Any, clock: Any, ticket: Any, path: str
) -> None:
    # A sender mid-rotation may send one v1 per secret it holds.
    raw = _body(path, ticket())
    timestamp = int(clock.now().timestamp())
    header = (
        f"t={timestamp},v1={signing.compute('retired-secret', timestamp, raw)},"
        f"v1={signing.compute(OLD_SECRET, timestamp, raw)}"
    )

    assert _accepted(path, await _send(client, path, raw, header))


@pytest.mark.parametrize("settings_overrides", [{"hotline_secrets_raw": SECRET}])
@pytest.mark.parametrize("path", [SINGLE, BATCH])
async def test_once_the_old_secret_is_retired_it_is_refused(
    client: Any, clock: Any, ticket: Any, path: str
) -> None:
    raw = _body(path, ticket())

    old = await _send(client, path, raw, signing.sign(OLD_SECRET, raw, now=clock.now()))
    new = await _send(client, path, raw, signing.sign(SECRET, raw, now=clock.now()))

    assert old.status_code == 401
    assert _accepted(path, new)
