"""Idempotency keys against the real database: expiry and purge."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

MEMBER = bearer("m-1", "grid_member", "510302001002003")


async def _keys(db: Any) -> list[tuple[str, str]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT scope, key FROM intake.idempotency_keys ORDER BY key")
        )
        return [(r.scope, r.key) for r in rows]


async def test_an_expired_key_starts_afresh_and_old_keys_are_purged(
    intake: Any, clock: Any, db: Any
) -> None:
    first = await intake.post(
        "/v1/visits", json={"address": "桂花路1号"}, headers={**MEMBER, "Idempotency-Key": "k1"}
    )
    await intake.post(
        "/v1/visits", json={"address": "桂花路2号"}, headers={**MEMBER, "Idempotency-Key": "k2"}
    )
    clock.advance(timedelta(hours=24, seconds=1))

    again = await intake.post(
        "/v1/visits", json={"address": "桂花路3号"}, headers={**MEMBER, "Idempotency-Key": "k1"}
    )

    assert first.status_code == again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
    assert await _keys(db) == [("staff:m-1", "k1")]  # k2 purged on the way


async def test_a_key_within_its_lifetime_still_replays(intake: Any, clock: Any) -> None:
    headers = {**MEMBER, "Idempotency-Key": "k1"}
    first = await intake.post("/v1/visits", json={"address": "桂花路1号"}, headers=headers)
    clock.advance(timedelta(hours=23, minutes=59))

    again = await intake.post("/v1/visits", json={"address": "桂花路1号"}, headers=headers)

    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


async def test_a_failed_request_stores_no_key(intake: Any, db: Any) -> None:
    refused = await intake.post(
        "/v1/visits",
        json={"address": "桂花路1号", "grid_code": "510302001002004"},
        headers={**MEMBER, "Idempotency-Key": "k1"},
    )
    assert refused.status_code == 403
    assert await _keys(db) == []
