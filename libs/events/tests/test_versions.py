"""The expected-version check settings share (kit.versions): pure logic."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gridcase_events.kit.errors import Conflict
from gridcase_events.kit.versions import ensure_unchanged

READ = datetime(2026, 11, 28, 7, 0, 0, 123456, tzinfo=UTC)


def test_the_version_read_passes_whatever_its_offset() -> None:
    beijing = READ.astimezone(timezone(timedelta(hours=8)))

    ensure_unchanged(what="this rule", expected=beijing, current_at=READ, current_by="admin1")


def test_no_expected_version_or_no_row_yet_passes() -> None:
    ensure_unchanged(what="this rule", expected=None, current_at=READ, current_by="admin1")
    ensure_unchanged(what="this rule", expected=READ, current_at=None, current_by=None)


def test_a_row_changed_since_is_a_409_naming_who_and_when() -> None:
    later = READ + timedelta(microseconds=1)

    with pytest.raises(Conflict) as refused:
        ensure_unchanged(
            what="the grid ladder", expected=READ, current_at=later, current_by="admin2"
        )

    body = refused.value.body()
    assert refused.value.status_code == 409
    assert body["code"] == "conflict"
    assert (body["updated_at"], body["updated_by"]) == (later.isoformat(), "admin2")
    assert body["detail"].startswith("admin2 changed the grid ladder at ")
