"""``python -m intake [--role api|worker|all]``: the kit's server settings, on asyncio's
event loop rather than uvloop's. uvloop (its libuv) accepts one connection per turn of
the loop: under a burst, while the loop is busy with pushes, connections waited in the
kernel's listen queue (up to its 2,048) for 10-30 s, unseen by the admission bound, and
were answered 201 as late, or not at all. asyncio's loop accepts every waiting
connection in one turn, so each push reaches ``intake.admission.PushAdmission`` at
once: past ``INTAKE_MAX_IN_FLIGHT`` it is answered 503 with ``Retry-After`` before any
work (under 1 s at p99 in a 300/s burst on a loaded 2-core machine, where uvloop left
half of them unanswered after 30 s: docs/benchmarks.md, "the hotline push alone")."""

import uvicorn

from gridcase_events.kit.serve import freeze_imports, parse_role
from intake.config import IntakeSettings


def main() -> None:
    parse_role("intake")
    settings = IntakeSettings()
    freeze_imports("intake.main")
    uvicorn.run(
        "intake.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        loop="asyncio",
        http="httptools",
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
