"""Changing GRIDCASE_PII_KEY: a key that cannot read the stored staff phones stops the
start-up with a message naming the problem (it used to start, then answer the next
staff import with a 500 "internal error"); with the new key first and the old one
after it everything works, and `gridcase pii rotate` moves the data to the new key."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from dispatch.config import DispatchSettings
from dispatch.main import create_app
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.pii import PiiUnreadable, rotate_stored
from gridcase_events.testing import bearer, running

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[4] / "deploy" / "demo"
ADMIN = bearer(
    "admin0", "admin"
)  # of the whole deployment: the demo staff file holds the city centre
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


async def import_file(client: Any, kind: str, content: bytes) -> Any:
    return await client.post(
        "/v1/directory/import",
        params={"kind": kind},
        files={"file": (kind, content)},
        headers=ADMIN,
    )


def dispatch(database: str, kafka: str, namespace: str, pii_key: str) -> Any:
    settings = DispatchSettings(
        env="development",
        database_url=database,
        kafka_bootstrap_servers=kafka,
        topic_namespace=namespace,
        pii_key=pii_key,
    )
    return create_app(settings, clock=ManualClock(NOW))


async def test_a_new_pii_key_alone_refuses_to_start_and_rotation_recovers(
    fresh_database: str, kafka_bootstrap: str, namespace: str
) -> None:
    staff = (DEMO / "staff.csv").read_bytes()
    start = lambda key: running(dispatch(fresh_database, kafka_bootstrap, namespace, key))  # noqa: E731
    async with start(OLD) as client:
        for kind, name in (("departments", "departments.csv"), ("areas", "areas.geojson")):
            assert (await import_file(client, kind, (DEMO / name).read_bytes())).status_code == 200
        first = await import_file(client, "staff", staff)
    assert first.status_code == 200, first.text

    with pytest.raises(PiiUnreadable) as refused:
        async with start(NEW):
            pass
    assert "dispatch.staff.phone_enc" in str(refused.value)
    assert "gridcase pii rotate" in str(refused.value)

    async with start(f"{NEW},{OLD}") as client:
        again = await import_file(client, "staff", staff)
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == first.json()["created"]

    counts = await rotate_stored(fresh_database, f"{NEW},{OLD}", schemas=["dispatch"])
    assert counts["dispatch.staff.phone_enc"].rotated == first.json()["created"]
    assert counts["dispatch.staff.phone_enc"].unreadable == 0

    async with start(NEW) as client:
        after = await import_file(client, "staff", staff)
    assert after.status_code == 200, after.text
    assert after.json()["unchanged"] == first.json()["created"]
