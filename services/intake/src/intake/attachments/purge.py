"""The background worker that deletes orphan attachments (uploaded, never referenced by
a case, past ``INTAKE_ATTACHMENTS_ORPHAN_TTL_SECONDS``): anonymous wall photos nobody
sent a wish with, staff uploads no report or resolution used."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from gridcase_events.kit.runtime import Worker
from intake.attachments import service
from intake.deps import IntakeRuntime

log = structlog.get_logger(__name__)

_BATCH = 100


class OrphanPurge(Worker):
    """Runs :func:`intake.attachments.service.purge_orphans` every
    ``INTAKE_ATTACHMENTS_PURGE_INTERVAL_SECONDS`` (at once again while batches come back
    full). A background worker, so it opens its own transactions: there is no request
    whose unit of work it could share."""

    def __init__(self, runtime: IntakeRuntime) -> None:
        self.runtime = runtime
        self._stopped = asyncio.Event()

    async def run_once(self) -> int:
        settings = self.runtime.settings
        async with self.runtime.transaction() as session:
            purged = await service.purge_orphans(
                session=session,
                storage=self.runtime.state.storage,
                base_url=settings.public_base_url,
                now=self.runtime.clock.now(),
                ttl=timedelta(seconds=settings.attachments_orphan_ttl_seconds),
                limit=_BATCH,
            )
        return len(purged)

    async def run(self) -> None:
        interval = self.runtime.settings.attachments_purge_interval_seconds
        while not self._stopped.is_set():
            try:
                if await self.run_once() == _BATCH:
                    continue
            except Exception:
                log.exception("orphan attachment purge failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), timeout=interval)

    def stop(self) -> None:
        self._stopped.set()
