"""The structlog set-up (`gridcase_events.kit.logs`)."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from gridcase_events.kit import logs, tracing


@pytest.fixture
def restored() -> Iterator[None]:
    """Puts structlog's and the root logger's set-up back after the test."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_line_below_the_level_runs_no_processor(
    restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The consumer logs one INFO line per event; at WARNING it must cost nothing but
    the level check (the stdlib logger alone would drop it only after every processor:
    the context, the trace ids, the timestamp, the phone redaction)."""
    looked_up: list[Any] = []
    monkeypatch.setattr(tracing, "current_ids", lambda: looked_up.append(1))
    logs.configure(service="test", level="WARNING")
    log = structlog.get_logger("test.quiet")
    log.info("event handled", outcome="handled")
    assert looked_up == []
    log.warning("transient failure; retrying")
    assert looked_up == [1]
