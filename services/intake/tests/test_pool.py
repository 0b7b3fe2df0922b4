"""Intake's database pool holds its pushes in flight and the work beside them: past the
pool every use would open a connection and close it after (SQLAlchemy's overflow), and
at 150 pushes a second that churn took an eighth of the machine (docs/benchmarks.md)."""

import pytest

from intake.config import IntakeSettings


def test_the_default_pool_holds_the_pushes_in_flight_and_the_consumers_beside_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GRIDCASE_DB_POOL_SIZE", raising=False)
    settings = IntakeSettings(env="development")
    # a push holds one connection; the consumer group, the relay and the housekeeping one
    # each beside them
    assert settings.db_pool_size >= settings.max_in_flight + 3


def test_the_pool_is_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_DB_POOL_SIZE", "64")
    assert IntakeSettings(env="development").db_pool_size == 64
