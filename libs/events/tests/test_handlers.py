from datetime import UTC, datetime
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.handlers import Context, Handlers

NOW = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)


def a_withdrawal() -> tuple[envelope.Envelope, Any]:
    case_id = envelope.new_id()
    event = envelope.build(
        payloads.CaseWithdrawn(
            case_id=case_id,
            tracking_no="GC-20261121-AAAAAA",
            channel="hotline",
            reason="resolved by the caller",
            withdrawn_at=NOW,
        ),
        subject=str(case_id),
        source="intake",
        tenant="510302",
        correlation_id="c-1",
        time=NOW,
    )
    return event, event.payload()


async def test_a_handler_is_bound_to_its_payloads_type_name_and_gets_the_runtime() -> None:
    handlers: Handlers[str] = Handlers()
    seen: list[tuple[str, str]] = []

    @handlers.on(payloads.CaseWithdrawn)
    async def on_withdrawn(ctx: Context[str], withdrawn: payloads.CaseWithdrawn) -> None:
        seen.append((ctx.runtime, withdrawn.reason))

    bound = handlers.bind("the-runtime")
    assert set(bound) == {"case.withdrawn"}
    event, payload = a_withdrawal()
    await bound["case.withdrawn"](None, event, payload)  # type: ignore[arg-type]
    assert seen == [("the-runtime", "resolved by the caller")]


async def test_a_payload_of_another_class_fails_loudly() -> None:
    handlers: Handlers[None] = Handlers()

    @handlers.on(payloads.CaseWithdrawn)
    async def on_withdrawn(ctx: Context[None], withdrawn: payloads.CaseWithdrawn) -> None:
        raise AssertionError("not reached")

    event, _ = a_withdrawal()
    with pytest.raises(TypeError, match="CaseWithdrawn"):
        await handlers.bind(None)["case.withdrawn"](None, event, object())  # type: ignore[arg-type]


def test_two_handlers_for_one_type_are_refused() -> None:
    handlers: Handlers[None] = Handlers()

    @handlers.on(payloads.CaseWithdrawn)
    async def first(ctx: Context[None], p: payloads.CaseWithdrawn) -> None: ...

    with pytest.raises(ValueError, match="two handlers"):

        @handlers.on(payloads.CaseWithdrawn)
        async def second(ctx: Context[None], p: payloads.CaseWithdrawn) -> None: ...
