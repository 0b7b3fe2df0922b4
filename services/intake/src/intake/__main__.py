"""``python -m intake [--role api|worker|all]``: the kit's server settings, on asyncio's
event loop rather than uvloop's. uvloop (its libuv) accepts one connection per turn of
the loop: under a burst, while the loop is busy with pushes, connections waited in the
kernel's listen queue (up to its 2,048) for 10-30 s, unseen by the admission bound, and
were answered 201 as late, or not at all. asyncio's loop accepts every waiting
connection in one turn, so each push reaches ``intake.admission.PushAdmission`` at
once: past ``INTAKE_MAX_IN_FLIGHT`` it is answered 503 with ``Retry-After`` before any
work (under 1 s at p99 in a 300/s burst on a loaded 2-core machine, where uvloop left
half of them unanswered after 30 s: docs/benchmarks.md, "the hotline push alone")."""

import gc

import uvicorn

from gridcase_events.kit.serve import parse_role
from intake.config import IntakeSettings


def freeze_imports() -> int:
    """Everything the app imports, frozen out of the collector's walks; returns how many
    objects were frozen. A full collection walks every object the process holds, and
    most of them (modules, classes, functions, schemas) are made at import and live as
    long as the process: at 150 pushes a second a full collection took ~120 ms of CPU,
    and of the event loop, three times a minute, and the collector ~8 % of intake's CPU
    in all (docs/benchmarks.md, "intake's collector"). Frozen, a full collection walks
    only what was made since."""
    import intake.main  # noqa: F401 - what the server's factory will import

    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def main() -> None:
    parse_role("intake")
    settings = IntakeSettings()
    freeze_imports()
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
