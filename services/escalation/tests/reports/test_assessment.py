"""The monthly assessment of grid members (网格员考核) on a known data set fed through
Kafka into escalation's consumers: every score computed by hand from docs/reports.md
with the case components' weights (sign-for 0.25, resolution 0.30, no return 0.15, no
reopening 0.10, satisfaction 0.20; patrols and visits 0 here, their own module is
test_assessment_field.py), a minimum sample of 2 and the last rank flagged."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from escalation.config import EscalationSettings
from escalation.reports import service
from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # every case received 08:50
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
K1, K2 = "510302001001", "510302001002"  # two communities of street 510302001
K1_G1, K1_G2, K2_G1 = K1 + "001", K1 + "002", K2 + "001"
OPS = bearer("ops1", "ops", "510302")
P = payloads
CASE_WEIGHTS = {
    "on_time_sign_for": 0.25,
    "on_time_resolution": 0.30,
    "no_return": 0.15,
    "no_reopening": 0.10,
    "satisfaction": 0.20,
    "patrol_compliance": 0.0,
    "visits": 0.0,
}


class Case:
    """One case's events, dispatch's version counting up."""

    count = 0

    def __init__(self, grid: str) -> None:
        Case.count += 1
        self.id = envelope.new_id()
        self.tracking_no = f"GC-20261123-{Case.count:04d}"
        self.grid = grid
        self.version = 1

    def ref(self) -> dict[str, Any]:
        self.version += 1
        return {
            "case_id": self.id,
            "tracking_no": self.tracking_no,
            "category_code": "environment/garbage-overflow",
            "priority": "normal",
            "channel": "hotline",
            "case_version": self.version,
        }

    def reported(self, at: datetime = T0 - 10 * MIN) -> P.CaseReported:
        return P.CaseReported(
            case_id=self.id,
            tracking_no=self.tracking_no,
            channel="hotline",
            reported_at=at,
            content="垃圾满溢",
            priority="normal",
        )

    def assigned(self, member: str, at: datetime = T0, role: str = "grid_member") -> Any:
        return P.CaseAssigned(
            **self.ref(),
            assignee_id=member,
            assignee_role=role,  # type: ignore[arg-type]
            post="A",
            reason="A post",
            grid_code=self.grid,
            summary="垃圾满溢",
            assigned_at=at,
        )

    def act(self, kind: type, member: str, at: datetime, **extra: Any) -> Any:
        where: dict[str, Any] = {"grid_code": self.grid, "assignee_id": member}
        return kind(
            **self.ref(),
            actor_id=member,
            actor_role="grid_member",
            at=at,
            **{**where, **extra},
        )


def done(c: Case, member: str, *, accept: timedelta, close: timedelta, mood: str) -> list[Any]:
    """Assigned, accepted, resolved, closed and evaluated."""
    return [
        c.assigned(member),
        c.act(P.CaseAccepted, member, T0 + accept),
        c.act(P.CaseResolved, member, T0 + close - HOUR, note="清运"),
        c.act(P.CaseClosed, member, T0 + close),
        c.act(P.CaseEvaluated, member, T0 + close + HOUR, satisfaction=mood, resolved=True),
    ]


def opened(c: Case, member: str, *, accept: timedelta) -> list[Any]:
    return [c.assigned(member), c.act(P.CaseAccepted, member, T0 + accept)]


def data_set() -> tuple[list[Any], list[Case]]:
    """Sign-for in 2 h and resolution in 7 days (the policies' defaults)."""
    a, b, c, d, e, f = (Case(K1_G1) for _ in range(6))
    g, h = Case(K1_G2), Case(K1_G2)
    i, j = Case(K2_G1), Case(K2_G1)
    k = Case(K1_G1)  # assigned to the grid leader: not a grid member's case
    october = Case(K1_G1)
    events = [
        # gm1: 3 cases, all in time, 2 closed on time and satisfied → 100.0
        *done(a, "gm1", accept=30 * MIN, close=2 * DAY, mood="satisfied"),
        *done(b, "gm1", accept=30 * MIN, close=2 * DAY, mood="satisfied"),
        *opened(c, "gm1", accept=30 * MIN),
        # gm2: d accepted late and closed late, basically satisfied;
        *done(d, "gm2", accept=3 * HOUR, close=8 * DAY + HOUR, mood="basically_satisfied"),
        # e first with gm9, who returned it; then gm2 signed for it in time, closed on
        # time, the resident was dissatisfied and it was reopened (no longer closed)
        e.assigned("gm9"),
        e.act(
            P.CaseReturned,
            "gm9",
            T0 + 20 * MIN,
            grid_code=None,
            assignee_id=None,
            reason="不属本网格",
            returns=1,
            from_grid_code=K1_G1,
        ),
        e.assigned("gm2", T0 + HOUR),
        e.act(P.CaseAccepted, "gm2", T0 + 90 * MIN),
        e.act(P.CaseResolved, "gm2", T0 + DAY, note="已处理"),
        e.act(P.CaseClosed, "gm2", T0 + 2 * DAY),
        e.act(P.CaseEvaluated, "gm2", T0 + 3 * DAY, satisfaction="dissatisfied", resolved=False),
        e.act(P.CaseReopened, "gm2", T0 + 3 * DAY, reason="居民不满意", reopenings=1),
        # gm3: one case, below the minimum sample
        *opened(f, "gm3", accept=30 * MIN),
        # gm4: g late but closed on time and satisfied, h in time and open
        *done(g, "gm4", accept=3 * HOUR, close=2 * DAY, mood="satisfied"),
        *opened(h, "gm4", accept=30 * MIN),
        # gm5, alone in community 2
        *done(i, "gm5", accept=30 * MIN, close=2 * DAY, mood="satisfied"),
        *opened(j, "gm5", accept=30 * MIN),
        k.assigned("gl1", role="grid_leader"),
        *done(october, "gm3", accept=30 * MIN, close=2 * DAY, mood="dissatisfied"),
    ]
    return events, [a, b, c, d, e, f, g, h, i, j, k, october]


async def feed(publish: Any) -> list[Any]:
    events, cases = data_set()
    sent = [await publish(e) for e in events]
    for c in cases[:-1]:
        sent.append(await publish(c.reported(), source="intake"))
    october = cases[-1].reported(datetime.fromisoformat("2026-10-31T23:30:00+08:00"))
    sent.append(await publish(october, source="intake"))
    return sent


@pytest.fixture(scope="module")
async def assessed(assessed_service: Any) -> AsyncIterator[Any]:
    async with assessed_service(
        now=T0,
        feed=feed,
        assessment_weights=CASE_WEIGHTS,
        assessment_min_sample=2,
        assessment_review_bottom=1,
    ) as client:
        yield client


async def report(client: Any, token: dict[str, str], **params: str) -> Any:
    return await client.get(
        "/v1/reports/assessment", params={"month": "2026-11", **params}, headers=token
    )


def members(body: dict[str, Any], community: str) -> dict[str, dict[str, Any]]:
    (found,) = [c for c in body["communities"] if c["community_code"] == community]
    return {m["member_id"]: m for m in found["members"]}


def component(member: dict[str, Any], name: str) -> tuple[float | None, int]:
    (c,) = [c for c in member["components"] if c["name"] == name]
    return c["value"], c["sample"]


async def test_scores_ranks_and_review_match_the_arithmetic(assessed: Any) -> None:
    response = await report(assessed, OPS)

    assert response.status_code == 200
    body = response.json()
    assert [c["community_code"] for c in body["communities"]] == [K1, K2]
    k1 = members(body, K1)
    assert list(k1) == ["gm1", "gm4", "gm2", "gm3", "gm9"]  # ranked, then the unranked
    gm1, gm2, gm3, gm4 = k1["gm1"], k1["gm2"], k1["gm3"], k1["gm4"]
    assert (gm1["cases"], gm1["score"], gm1["rank"], gm1["review"]) == (3, 100.0, 1, False)
    # gm4: 0.25×1/2 + 0.30×1/1 + 0.15×1 + 0.10×1 + 0.20×1/1 = 0.875
    assert (gm4["cases"], gm4["score"], gm4["rank"], gm4["review"]) == (2, 87.5, 2, False)
    assert component(gm4, "on_time_sign_for") == (0.5, 2)
    # gm2: sign-for 1/2 (d late, e in time on its second assignment); resolution 0/1
    # (d late; e reopened, so not closed); returns 2/2 clean (gm9 returned e, not gm2);
    # reopenings 1/2 clean; satisfaction 1/2 → 100 × (0.125 + 0 + 0.15 + 0.05 + 0.1) = 42.5
    assert (gm2["cases"], gm2["score"], gm2["rank"], gm2["review"]) == (2, 42.5, 3, True)
    assert component(gm2, "on_time_sign_for") == (0.5, 2)
    assert component(gm2, "on_time_resolution") == (0.0, 1)
    assert component(gm2, "no_return") == (1.0, 2)
    assert component(gm2, "no_reopening") == (0.5, 2)
    assert component(gm2, "satisfaction") == (0.5, 2)
    # gm3: one case in November (the October one is out): a score, no rank; without
    # samples for resolution and satisfaction the other weights carry it → 100.0
    assert (gm3["cases"], gm3["score"], gm3["rank"], gm3["review"]) == (1, 100.0, None, False)
    assert component(gm3, "satisfaction") == (None, 0)
    # gm9 returned e and holds it no longer: the return is theirs (0 of 1 clean), the
    # case's later outcome is not (no sample for the others) → 0.0, below the minimum
    gm9 = k1["gm9"]
    assert (gm9["cases"], gm9["score"], gm9["rank"], gm9["review"]) == (1, 0.0, None, False)
    assert component(gm9, "no_return") == (0.0, 1)
    assert component(gm9, "no_reopening") == (None, 0)
    assert component(gm9, "on_time_sign_for") == (None, 0)
    # the grid leader is not assessed
    assert "gl1" not in k1
    # community 2: one ranked member, nobody to compare with: not flagged
    assert members(body, K2)["gm5"]["rank"] == 1
    assert members(body, K2)["gm5"]["review"] is False
    assert body["components_not_included"] == []
    assert body["min_sample"] == 2 and body["review_bottom"] == 1
    assert body["weights"]["on_time_resolution"] == 0.3


async def test_one_community_when_asked_for(assessed: Any) -> None:
    response = await report(assessed, OPS, community=K2)

    assert response.status_code == 200
    assert [c["community_code"] for c in response.json()["communities"]] == [K2]


@pytest.mark.parametrize(
    ("token", "community", "status", "seen"),
    [
        (bearer("dc1", "district_center", "510302"), None, 200, [K1, K2]),
        (bearer("adm", "admin", "510302"), K1, 200, [K1]),
        (bearer("so1", "street_officer", "510302001"), None, 200, [K1, K2]),
        (bearer("so2", "street_officer", "510302002"), None, 200, []),
        (bearer("so2", "street_officer", "510302002"), K1, 403, None),
        (bearer("sm1", "station_master", K1), None, 200, [K1]),
        (bearer("sm1", "station_master", K1), K1, 200, [K1]),
        (bearer("sm1", "station_master", K1), K2, 403, None),
        (bearer("gl1", "grid_leader", K1_G1), None, 403, None),
        (bearer("gm1", "grid_member", K1_G1), None, 403, None),
        (bearer("op1", "department_operator", department_code="water"), None, 403, None),
        # Another district's people see none of these, and may not ask for one of them.
        (bearer("dc9", "district_center", "510399"), None, 200, []),
        (bearer("ops9", "ops", "510399"), K1, 403, None),
        (bearer("cc1", "city_center"), None, 200, [K1, K2]),
    ],
)
async def test_who_sees_which_communities(
    assessed: Any,
    token: dict[str, str],
    community: str | None,
    status: int,
    seen: list[str] | None,
) -> None:
    response = await report(assessed, token, **({"community": community} if community else {}))

    assert response.status_code == status
    if seen is not None:
        assert [c["community_code"] for c in response.json()["communities"]] == seen


@pytest.mark.parametrize(
    "params", [{"month": "2026-13"}, {"month": "2026-11", "community": "5103"}, {}]
)
async def test_a_bad_month_or_community_is_a_422(assessed: Any, params: dict[str, str]) -> None:
    response = await assessed.get("/v1/reports/assessment", params=params, headers=OPS)

    assert response.status_code == 422


# ------------------------------------------------------------------------ arithmetic


def member(member_id: str, score: float | None, cases: int = 5) -> dict[str, Any]:
    return {"member_id": member_id, "score": score, "cases": cases}


def test_equal_scores_share_a_rank_and_the_flag() -> None:
    ranked = service.rank_community(
        [member("a", 90.0), member("b", 50.0), member("c", 50.0), member("d", 70.0)],
        min_sample=5,
        review_bottom=1,
    )

    assert [(m["member_id"], m["rank"], m["review"]) for m in ranked] == [
        ("a", 1, False),
        ("d", 2, False),
        ("b", 3, True),
        ("c", 3, True),
    ]


def test_below_the_minimum_sample_no_rank_and_no_flag() -> None:
    ranked = service.rank_community(
        [member("a", 10.0, cases=4), member("b", 80.0), member("c", 60.0)],
        min_sample=5,
        review_bottom=1,
    )

    assert [(m["member_id"], m["rank"], m["review"]) for m in ranked] == [
        ("b", 1, False),
        ("c", 2, True),
        ("a", None, False),
    ]


def test_review_bottom_zero_flags_nobody() -> None:
    ranked = service.rank_community(
        [member("a", 90.0), member("b", 10.0)], min_sample=1, review_bottom=0
    )

    assert not any(m["review"] for m in ranked)


def test_weights_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "ESCALATION_ASSESSMENT_WEIGHTS",
        '{"on_time_sign_for": 0.2, "on_time_resolution": 0.2, "no_return": 0.1,'
        ' "no_reopening": 0.1, "satisfaction": 0.2, "patrol_compliance": 0.1, "visits": 0.1}',
    )

    assert EscalationSettings(env="development").assessment_weights["visits"] == 0.1


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ({"on_time_sign_for": 1.0}, "one weight for each"),
        (
            {
                "on_time_sign_for": 0.5,
                "on_time_resolution": 0.5,
                "no_return": 0.5,
                "no_reopening": 0,
                "satisfaction": 0,
                "patrol_compliance": 0,
                "visits": 0,
            },
            "sum to 1",
        ),
        (
            {
                "on_time_sign_for": 1.5,
                "on_time_resolution": -0.5,
                "no_return": 0,
                "no_reopening": 0,
                "satisfaction": 0,
                "patrol_compliance": 0,
                "visits": 0,
            },
            "negative",
        ),
    ],
)
def test_weights_that_do_not_cover_the_components_or_sum_to_1_are_refused(
    weights: dict[str, float], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        EscalationSettings(env="development", assessment_weights=weights)
