"""A case's clocks say their colour (正常/临期/紧急/超时) as the task list does: by the
warnings escalation fired, counted on the clock's own time; a stopped clock has none."""

from datetime import timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads

pytestmark = pytest.mark.integration


def sign_for(clocks: dict[tuple[str, int], dict[str, Any]]) -> dict[str, Any]:
    return clocks[("sign_for", 1)]


async def test_a_clock_turns_yellow_red_then_breached_as_its_warnings_fire(
    client: Any, dispatch: Any, clocks_of: Any, build: Any, clock: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    clocks = await clocks_of(case_id, lambda c: len(c) == 2)
    assert sign_for(clocks)["sla"] == "green"
    assert clocks[("resolution", 1)]["sla"] == "green"

    def sign_for_is(sla: str) -> Any:
        return lambda body: any(c["kind"] == "sign_for" and c["sla"] == sla for c in body)

    clock.advance(timedelta(minutes=61))  # past 50 % of the 2-hour sign-for clock
    clocks = await clocks_of(case_id, sign_for_is("yellow"))
    assert clocks[("resolution", 1)]["sla"] == "green"

    clock.advance(timedelta(minutes=36))  # 97 min: past 80 %
    clocks = await clocks_of(case_id, sign_for_is("red"))
    assert not sign_for(clocks)["breached"]

    clock.advance(timedelta(minutes=24))  # 2 h 1 min: past the deadline
    clocks = await clocks_of(case_id, sign_for_is("breached"))
    assert sign_for(clocks)["breached"]


async def test_a_stopped_clock_has_no_colour(
    client: Any, dispatch: Any, clocks_of: Any, build: Any, clock: Any
) -> None:
    case_id = envelope.new_id()
    await dispatch(build.assigned(case_id))
    await clocks_of(case_id, lambda c: len(c) == 2)
    await dispatch(payloads.CaseAccepted(**build.action(case_id, clock.now())))

    clocks = await clocks_of(
        case_id,
        lambda body: any(c["kind"] == "sign_for" and c["status"] == "stopped" for c in body),
    )
    assert sign_for(clocks)["sla"] is None
    assert clocks[("resolution", 1)]["sla"] == "green"
