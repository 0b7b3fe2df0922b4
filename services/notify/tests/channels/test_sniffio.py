"""httpcore imports ``sniffio`` on every lock, event and cancellation shield it makes;
without it each of those imports fails after a search of ``sys.path``, which was about
half of an SMS's CPU (docs/benchmarks.md). notify depends on it: this keeps it so."""

from __future__ import annotations

import sys

import httpcore._synchronization as synchronization


async def test_httpcore_finds_sniffio() -> None:
    assert synchronization.current_async_library() == "asyncio"
    assert "sniffio" in sys.modules
