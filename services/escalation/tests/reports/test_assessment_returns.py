"""Returns (退单) in the assessment count against the person who returned the case (the
actor of ``case.returned``), not against whoever holds it afterwards — fed through Kafka
into escalation's consumers."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
K1 = "510302001001"
G1, G2 = K1 + "001", K1 + "002"
OPS = bearer("ops1", "ops", "510302")


class Case:
    def __init__(self, n: int) -> None:
        self.id = envelope.new_id()
        self.tracking_no = f"GC-20261120-{n:04d}"
        self.version = 1
        self.returns = 0

    def ref(self) -> dict[str, Any]:
        self.version += 1
        return {
            "case_id": self.id,
            "tracking_no": self.tracking_no,
            "category_code": "order/illegal-parking",
            "priority": "normal",
            "channel": "hotline",
            "case_version": self.version,
        }

    def assigned(self, member: str, grid: str, minutes: int) -> payloads.CaseAssigned:
        return payloads.CaseAssigned(
            **self.ref(),
            assignee_id=member,
            assignee_role="grid_member",
            post="A",
            reason="A post",
            grid_code=grid,
            summary="占道停车",
            assigned_at=T0 + timedelta(minutes=minutes),
        )

    def returned(
        self, member: str, grid: str, minutes: int, role: str = "grid_member"
    ) -> payloads.CaseReturned:
        self.returns += 1
        return payloads.CaseReturned(
            **self.ref(),
            actor_id=member,
            actor_role=role,  # type: ignore[arg-type]
            at=T0 + timedelta(minutes=minutes),
            reason="不属本网格",
            returns=self.returns,
            from_grid_code=grid,
        )

    def reported(self) -> payloads.CaseReported:
        return payloads.CaseReported(
            case_id=self.id,
            tracking_no=self.tracking_no,
            channel="hotline",
            reported_at=T0 - timedelta(minutes=10),
            content="占道停车",
            priority="normal",
        )


async def feed(publish: Any) -> list[Any]:
    x, y, z = Case(1), Case(2), Case(3)
    events = [
        # x: gm1 returns it, the dispatcher sends it back to gm1: one case, one return
        x.assigned("gm1", G1, 0),
        x.returned("gm1", G1, 10),
        x.assigned("gm1", G1, 30),
        # y: gm2 returns it, gm3 (another grid) returns it, gm4 keeps it
        y.assigned("gm2", G1, 0),
        y.returned("gm2", G1, 10),
        y.assigned("gm3", G2, 20),
        y.returned("gm3", G2, 30),
        y.assigned("gm4", G2, 40),
        # z: assigned to gm5, returned by their grid leader: nobody's return here
        z.assigned("gm5", G1, 0),
        z.returned("gl1", G1, 10, role="grid_leader"),
    ]
    sent = [await publish(e) for e in events]
    sent.append(await publish(event=sent[4]))  # gm2's return, delivered again
    for c in (x, y, z):
        sent.append(await publish(c.reported(), source="intake"))
    return sent


@pytest.fixture(scope="module")
async def assessed(assessed_service: Any) -> AsyncIterator[Any]:
    async with assessed_service(
        now=T0 + timedelta(days=3), feed=feed, assessment_min_sample=1
    ) as client:
        yield client


def no_return(member: dict[str, Any]) -> tuple[float | None, int, int]:
    (c,) = [c for c in member["components"] if c["name"] == "no_return"]
    return c["value"], c["numerator"], c["sample"]


async def test_a_return_counts_against_the_member_who_returned(assessed: Any) -> None:
    response = await assessed.get(
        "/v1/reports/assessment", params={"month": "2026-11"}, headers=OPS
    )

    assert response.status_code == 200, response.text
    (community,) = response.json()["communities"]
    found = {m["member_id"]: m for m in community["members"]}
    assert sorted(found) == ["gm1", "gm2", "gm3", "gm4", "gm5"]
    # gm1 returned x and holds it again: one case, not clean
    assert (found["gm1"]["cases"], no_return(found["gm1"])) == (1, (0.0, 0, 1))
    # gm2 and gm3 each returned y once (the redelivery counts once); gm4 holds it clean
    assert (found["gm2"]["cases"], no_return(found["gm2"])) == (1, (0.0, 0, 1))
    assert (found["gm3"]["cases"], no_return(found["gm3"])) == (1, (0.0, 0, 1))
    assert (found["gm4"]["cases"], no_return(found["gm4"])) == (1, (1.0, 1, 1))
    # the grid leader's return of z is not gm5's
    assert no_return(found["gm5"]) == (1.0, 1, 1)
    assert "gl1" not in found
