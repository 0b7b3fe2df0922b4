"""The three rates on a known data set: ten cases in two streets and a department, fed
through Kafka into escalation's consumers; every figure checked against arithmetic
done by hand."""

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer

pytestmark = pytest.mark.integration

T0 = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # Monday; every case received 08:50
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
GRID_A, GRID_B = "510302001001001", "510302001002001"  # street 510302001
GRID_C, GRID_D = "510302002001001", "510302002001002"  # street 510302002
OPS = bearer("ops1", "ops", "510302")
CENTRE = bearer("dc1", "district_center", "510302")


class Case:
    """Builds one case's events with dispatch's version counting up."""

    def __init__(
        self,
        n: int,
        *,
        grid: str | None = None,
        department: str | None = None,
        priority: str = "normal",
        category: str = "environment/garbage-overflow",
    ) -> None:
        self.id = envelope.new_id()
        self.tracking_no = f"GC-20261123-{n:04d}"
        self.grid, self.department = grid, department
        self.priority, self.category = priority, category
        self.version = 1

    def ref(self) -> dict[str, Any]:
        self.version += 1
        return {
            "case_id": self.id,
            "tracking_no": self.tracking_no,
            "category_code": self.category,
            "priority": self.priority,
            "channel": "hotline",
            "case_version": self.version,
        }

    def reported(self, at: datetime = T0 - 10 * MIN) -> payloads.CaseReported:
        return payloads.CaseReported(
            case_id=self.id,
            tracking_no=self.tracking_no,
            channel="hotline",
            reported_at=at,
            content="垃圾满溢",
            priority=self.priority,  # type: ignore[arg-type]
        )

    def routed(self) -> payloads.CaseRouted:
        return payloads.CaseRouted(
            **self.ref(),
            target="grid",
            method="gazetteer",
            grid_code=self.grid,
            department_code=self.department,
            reason="gazetteer",
        )

    def assigned(self, at: datetime = T0) -> payloads.CaseAssigned:
        return payloads.CaseAssigned(
            **self.ref(),
            assignee_id="gm1",
            assignee_role="department_operator" if self.department else "grid_member",
            post="operator" if self.department else "A",
            reason="A post",
            grid_code=self.grid,
            department_code=self.department,
            summary="垃圾满溢",
            assigned_at=at,
        )

    def act(self, kind: type, at: datetime, **extra: Any) -> Any:
        where = {"grid_code": self.grid, "department_code": self.department}
        return kind(
            **self.ref(),
            actor_id="gm1",
            actor_role="grid_member",
            at=at,
            assignee_id="gm1",
            **{**where, **extra},
        )


def lifecycle(c: Case, *steps: tuple[Any, ...]) -> list[Any]:
    events: list[Any] = [c.assigned()]
    for kind, at, *extra in steps:
        if kind == "assigned":
            events.append(c.assigned(at))
            continue
        events.append(c.act(kind, at, **(extra[0] if extra else {})))
    return events


P = payloads
C1, C2, C3 = Case(1, grid=GRID_A), Case(2, grid=GRID_A), Case(3, grid=GRID_A)
C4, C5, C6 = Case(4, grid=GRID_B), Case(5, grid=GRID_B), Case(6, grid=GRID_B)
C7 = Case(7, grid=GRID_C, priority="urgent", category="safety/fire-hazard")  # 30 min / 2 h
C8 = Case(8, grid=GRID_D)
C9 = Case(9, department="water", category="utility/water-outage")  # resolution 24 h
C10 = Case(10, department="water", category="utility/water-outage")
C11 = Case(11, grid=GRID_A)  # received in October
C12 = Case(12, grid=GRID_A)  # withdrawn
TRIAGE = {"grid_code": None, "department_code": None}


def data_set() -> list[Any]:
    """Normal cases sign for in 2 h and resolve in 7 days (policies' defaults)."""
    return [
        # C1: accepted in time (30 min ≤ 2 h), closed on time, satisfied
        *lifecycle(
            C1,
            (P.CaseAccepted, T0 + 30 * MIN),
            (P.CaseResolved, T0 + DAY, {"note": "清运"}),
            (P.CaseClosed, T0 + 2 * DAY),
            (P.CaseEvaluated, T0 + 3 * DAY, {"satisfaction": "satisfied", "resolved": True}),
        ),
        # C2: accepted late (3 h), closed late (8 d 1 h > 7 d), basically satisfied
        *lifecycle(
            C2,
            (P.CaseAccepted, T0 + 3 * HOUR),
            (P.CaseResolved, T0 + 8 * DAY, {"note": "清运"}),
            (P.CaseClosed, T0 + 8 * DAY + HOUR),
            (
                P.CaseEvaluated,
                T0 + 9 * DAY,
                {"satisfaction": "basically_satisfied", "resolved": True},
            ),
        ),
        # C3: returned once, reassigned, accepted within the new sign-for clock; open
        *lifecycle(
            C3,
            (
                P.CaseReturned,
                T0 + 20 * MIN,
                {**TRIAGE, "reason": "不属本网格", "returns": 1, "from_grid_code": GRID_A},
            ),
            ("assigned", T0 + HOUR),
            (P.CaseAccepted, T0 + 90 * MIN),
        ),
        # C4: closed on time, dissatisfied, reopened: no longer resolved nor closed
        *lifecycle(
            C4,
            (P.CaseAccepted, T0 + HOUR),
            (P.CaseResolved, T0 + DAY, {"note": "已处理"}),
            (P.CaseClosed, T0 + DAY + HOUR),
            (P.CaseEvaluated, T0 + 2 * DAY, {"satisfaction": "dissatisfied", "resolved": False}),
            (P.CaseReopened, T0 + 2 * DAY, {"reason": "居民不满意", "reopenings": 1}),
        ),
        # C5: extended to 10 d, closed after 9 d 2 h: on time by the extended deadline
        *lifecycle(
            C5,
            (P.CaseAccepted, T0 + HOUR),
            (P.CaseExtensionApproved, T0 + 6 * DAY, {"until": T0 + 10 * DAY}),
            (P.CaseResolved, T0 + 9 * DAY, {"note": "维修完成"}),
            (P.CaseClosed, T0 + 9 * DAY + 2 * HOUR),
            (P.CaseEvaluated, T0 + 10 * DAY, {"satisfaction": "satisfied", "resolved": True}),
        ),
        # C6: never accepted (a manual supervision order follows)
        *lifecycle(C6),
        # C7: urgent, accepted late (45 min > 30 min), closed on time (1 h 45 ≤ 2 h)
        *lifecycle(
            C7,
            (P.CaseAccepted, T0 + 45 * MIN),
            (P.CaseResolved, T0 + 90 * MIN, {"note": "已排除"}),
            (P.CaseClosed, T0 + 105 * MIN),
            (P.CaseEvaluated, T0 + 3 * HOUR, {"satisfaction": "satisfied", "resolved": True}),
        ),
        # C8: returned twice, accepted in time on the third assignment, closed on time
        *lifecycle(
            C8,
            (
                P.CaseReturned,
                T0 + 30 * MIN,
                {**TRIAGE, "reason": "推", "returns": 1, "from_grid_code": GRID_D},
            ),
            ("assigned", T0 + HOUR),
            (
                P.CaseReturned,
                T0 + 90 * MIN,
                {**TRIAGE, "reason": "推", "returns": 2, "from_grid_code": GRID_D},
            ),
            ("assigned", T0 + 2 * HOUR),
            (P.CaseAccepted, T0 + 130 * MIN),
            (P.CaseResolved, T0 + 2 * DAY, {"note": "ok"}),
            (P.CaseClosed, T0 + 2 * DAY + HOUR),
        ),
        # C9: water department: accepted in time, closed late (30 h > 24 h), satisfied
        *lifecycle(
            C9,
            (P.CaseAccepted, T0 + HOUR),
            (P.CaseResolved, T0 + 20 * HOUR, {"note": "已恢复供水"}),
            (P.CaseClosed, T0 + 30 * HOUR),
            (P.CaseEvaluated, T0 + 2 * DAY, {"satisfaction": "satisfied", "resolved": True}),
        ),
        # C10: water department: accepted late (2 h 30), open (a manual order follows)
        *lifecycle(C10, (P.CaseAccepted, T0 + 150 * MIN)),
        # C11: received in October, routed only (no clocks); C12: withdrawn
        C11.routed(),
        C12.routed(),
    ]


def buck_passing(c: Case) -> payloads.CaseEscalated:
    return payloads.CaseEscalated(
        case_id=c.id,
        tracking_no=c.tracking_no,
        clock="ownership",
        generation=2,
        started_at=T0 + 90 * MIN,
        due_at=T0 + 90 * MIN,
        priority="normal",
        grid_code=GRID_D,
        fired_at=T0 + 90 * MIN,
        late_seconds=0,
        level=1,
        buck_passing=True,
        urge=0,
        target_role="grid_leader",
        target_staff_ids=[],
        reason="推诿",
    )


@pytest.fixture(scope="module")
async def shared_known(shared_client: Any, shared_publish: Any, shared_processed: Any) -> None:
    """The data set, with dispatch's events first and intake's after them (cross-topic
    reordering), one return and one escalation delivered twice, and two supervision
    orders issued by hand: loaded once into the module's escalation, which the tests
    that use it only read (the refusals in this module put nothing in it)."""
    await _load_known(shared_client, shared_publish, shared_processed)


async def _load_known(client: Any, publish: Any, processed: Any) -> None:
    sent = [await publish(e) for e in data_set()]
    second_return = next(
        e for e in sent if e.type == "case.returned" and e.data.get("returns") == 2
    )
    sent.append(await publish(event=second_return))
    for c in (C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C12):
        sent.append(await publish(c.reported(), source="intake"))
    sent.append(
        await publish(
            C11.reported(datetime.fromisoformat("2026-10-31T23:30:00+08:00")), source="intake"
        )
    )
    sent.append(
        await publish(
            payloads.CaseWithdrawn(
                case_id=C12.id,
                tracking_no=C12.tracking_no,
                channel="hotline",
                reason="已自行解决",
                withdrawn_at=T0,
            ),
            source="intake",
        )
    )
    escalation = await publish(buck_passing(C8), source="escalation")
    sent += [escalation, await publish(event=escalation)]
    await processed([e.id for e in sent])
    for c in (C6, C10):
        issued = await client.post(
            "/v1/supervisions", json={"case_id": str(c.id), "reason": "请加快"}, headers=CENTRE
        )
        assert issued.status_code == 201
    await processed([], {"supervision.issued": 2})


def by_unit(body: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    return {r["unit_code"]: r for r in body["rows"]}


async def test_every_rate_per_street_matches_the_arithmetic(
    shared_client: Any, shared_known: None
) -> None:
    response = await shared_client.get(
        "/v1/reports/rates",
        params={"level": "street", "from": "2026-11-23", "to": "2026-11-23"},
        headers=OPS,
    )

    assert response.status_code == 200
    body = response.json()
    rows = by_unit(body)
    assert list(rows) == ["510302001", "510302002", None]  # C11 (October), C12 (withdrawn) out
    s1, s2, none = rows["510302001"], rows["510302002"], rows[None]
    # Street 510302001: C1–C6
    assert (s1["received"], s1["sign_for_clocked"], s1["accepted_in_time"]) == (6, 6, 4)
    assert s1["response_rate"] == 0.6667  # C1, C3, C4, C5 in time: 4 / 6
    assert (s1["resolved"], s1["resolution_rate"]) == (3, 0.5)  # C1, C2, C5: 3 / 6
    assert (s1["closed"], s1["closed_on_time"]) == (3, 2)  # C1, C2, C5 closed; C2 late
    assert s1["on_time_closure_rate"] == 0.6667  # 2 / 3
    assert (s1["satisfied"], s1["basically_satisfied"], s1["dissatisfied"]) == (2, 1, 1)
    assert (s1["evaluated"], s1["satisfaction_rate"]) == (4, 0.75)  # (2 + 1) / 4
    assert (s1["returns"], s1["reopenings"], s1["buck_passing_flags"]) == (1, 1, 0)
    assert (s1["supervision_orders"], s1["supervision_manual"]) == (1, 1)  # C6
    # Street 510302002: C7 (urgent), C8
    assert (s2["received"], s2["accepted_in_time"], s2["response_rate"]) == (2, 1, 0.5)  # C8
    assert (s2["resolved"], s2["resolution_rate"]) == (2, 1.0)  # 2 / 2
    assert (s2["closed"], s2["closed_on_time"], s2["on_time_closure_rate"]) == (2, 2, 1.0)
    assert (s2["evaluated"], s2["satisfaction_rate"]) == (1, 1.0)  # C7 satisfied: 1 / 1
    # the second return and the escalation were delivered twice, and counted once
    assert (s2["returns"], s2["reopenings"], s2["buck_passing_flags"]) == (2, 0, 1)
    assert s2["supervision_orders"] == 0
    # No street: the water department's C9, C10
    assert (none["received"], none["accepted_in_time"], none["response_rate"]) == (2, 1, 0.5)
    assert (none["resolved"], none["resolution_rate"]) == (1, 0.5)  # C9: 1 / 2
    assert (none["closed"], none["closed_on_time"], none["on_time_closure_rate"]) == (1, 0, 0.0)
    assert (none["evaluated"], none["satisfaction_rate"]) == (1, 1.0)
    assert none["supervision_orders"] == 1  # C10
    # All ten: 6/10 in time, 6/10 resolved, 4/6 on time, (3+1+1)/6 satisfied
    total = body["total"]
    assert (total["received"], total["response_rate"], total["resolution_rate"]) == (10, 0.6, 0.6)
    assert (total["on_time_closure_rate"], total["satisfaction_rate"]) == (0.6667, 0.8333)
    assert (total["returns"], total["reopenings"], total["supervision_orders"]) == (3, 1, 2)
    assert (body["from"], body["to"], body["timezone"]) == (
        "2026-11-23",
        "2026-11-23",
        "Asia/Shanghai",
    )


async def test_a_street_officer_sees_the_grids_of_their_street_and_nulls_over_nothing(
    shared_client: Any, shared_known: None
) -> None:
    response = await shared_client.get(
        "/v1/reports/rates",
        params={"level": "grid", "from": "2026-11-01", "to": "2026-11-30"},
        headers=bearer("so2", "street_officer", "510302002"),
    )

    rows = by_unit(response.json())
    assert list(rows) == [GRID_C, GRID_D]
    assert rows[GRID_D]["evaluated"] == 0
    assert rows[GRID_D]["satisfaction_rate"] is None  # 0 evaluated: null, not 0
    assert rows[GRID_C]["response_rate"] == 0.0  # C7 accepted late: 0 / 1


async def test_a_department_operator_sees_only_their_department(
    shared_client: Any, shared_known: None
) -> None:
    mine = await shared_client.get(
        "/v1/reports/rates",
        params={"level": "department", "from": "2026-11-23", "to": "2026-11-23"},
        headers=bearer("water1", "department_operator", department_code="water"),
    )

    [row] = mine.json()["rows"]
    assert (row["unit_code"], row["received"], row["response_rate"]) == ("water", 2, 0.5)


async def test_a_grid_drills_down_to_its_members(shared_client: Any, shared_known: None) -> None:
    params = {"from": "2026-11-23", "to": "2026-11-23"}
    grids = await shared_client.get(
        "/v1/reports/rates", params={**params, "level": "grid"}, headers=OPS
    )
    members = await shared_client.get(
        "/v1/reports/rates",
        params={**params, "level": "member", "area": GRID_A},
        headers=bearer("sm11", "station_master", "510302001001"),
    )

    assert members.status_code == 200, members.text
    body = members.json()
    assert body["level"] == "member"
    # C1–C3 stand assigned to gm1: the member's figures are the grid's
    (gm1,) = body["rows"]
    grid_a = by_unit(grids.json())[GRID_A]
    assert (gm1["unit_code"], gm1["unit_name"]) == ("gm1", None)
    assert {k: v for k, v in gm1.items() if k not in ("unit_code", "unit_name")} == {
        k: v for k, v in grid_a.items() if k not in ("unit_code", "unit_name")
    }
    assert gm1["received"] == 3
    assert body["total"]["received"] == 3


@pytest.mark.parametrize(
    ("headers", "area", "status"),
    [
        (bearer("sm11", "station_master", "510302001001"), GRID_C, 403),  # another street's
        (bearer("sm11", "station_master", "510302001001"), "510302001", 403),  # wider than mine
        (bearer("water1", "department_operator", department_code="water"), GRID_A, 403),
        (bearer("ops9", "ops", "510399"), GRID_A, 403),  # another district's
        (OPS, "5103020010", 422),  # not an area code
    ],
)
async def test_a_drill_down_outside_the_callers_area_is_refused(
    shared_client: Any, headers: dict[str, str], area: str, status: int
) -> None:
    response = await shared_client.get(
        "/v1/reports/rates",
        params={"level": "member", "area": area, "from": "2026-11-01", "to": "2026-11-30"},
        headers=headers,
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    ("headers", "level", "status"),
    [
        (bearer("so1", "street_officer", "510302001"), "district", 403),
        (bearer("sm11", "station_master", "510302001001"), "street", 403),
        (bearer("water1", "department_operator", department_code="water"), "street", 403),
        (bearer("gm111a", "grid_member", GRID_A), "grid", 403),
        ({}, "street", 401),
    ],
)
async def test_reports_beyond_the_callers_scope_are_refused(
    shared_client: Any, headers: dict[str, str], level: str, status: int
) -> None:
    response = await shared_client.get(
        "/v1/reports/rates",
        params={"level": level, "from": "2026-11-01", "to": "2026-11-30"},
        headers=headers,
    )

    assert response.status_code == status


@pytest.mark.parametrize(
    "params",
    [
        {"level": "street", "from": "2026-11-30", "to": "2026-11-01"},
        {"level": "street", "from": "2026-11-31", "to": "2026-12-01"},
        {"level": "county", "from": "2026-11-01", "to": "2026-11-30"},
        {"level": "street", "from": "2020-01-01", "to": "2026-11-30"},
        {"level": "street"},
        {"level": "street", "from": "9999-12-31", "to": "9999-12-31"},
    ],
)
async def test_a_bad_period_or_level_is_a_422(shared_client: Any, params: dict[str, str]) -> None:
    response = await shared_client.get("/v1/reports/rates", params=params, headers=OPS)

    assert response.status_code == 422


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/reports/monthly", {"month": "9999-12"}),
        ("/v1/reports/monthly", {"month": "0001-01"}),
        ("/v1/reports/monthly", {"month": "2026-13"}),
        ("/v1/reports/daily", {"date": "9999-12-31", "community": "510302001001"}),
        ("/v1/reports/daily", {"community": "5103020010"}),
    ],
)
async def test_a_month_or_day_out_of_range_is_a_422(
    shared_client: Any, path: str, params: dict[str, str]
) -> None:
    response = await shared_client.get(path, params=params, headers=OPS)

    assert response.status_code == 422


async def test_an_empty_period_has_no_rows_and_null_rates(client: Any) -> None:
    response = await client.get(
        "/v1/reports/rates", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=OPS
    )

    body = response.json()
    assert body["rows"] == []
    assert body["total"]["received"] == 0
    assert [body["total"][k] for k in ("response_rate", "resolution_rate")] == [None, None]
    assert [body["total"][k] for k in ("on_time_closure_rate", "satisfaction_rate")] == [
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("params", "accept"),
    [({"format": "csv"}, "application/json"), ({}, "text/csv")],
)
async def test_the_rates_export_as_csv_with_a_header_row(
    shared_client: Any, shared_known: None, params: dict[str, str], accept: str
) -> None:
    response = await shared_client.get(
        "/v1/reports/rates",
        params={"level": "street", "from": "2026-11-23", "to": "2026-11-23", **params},
        headers={**OPS, "Accept": accept},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["unit_code"] for r in rows] == ["510302001", "510302002", ""]
    assert rows[0]["response_rate"] == "0.6667"
    assert rows[0]["received"] == "6"
    assert response.text.splitlines()[0].startswith("unit_code,unit_name,received,")


async def test_the_monthly_review_compares_with_the_month_before(
    shared_client: Any, shared_known: None
) -> None:
    response = await shared_client.get(
        "/v1/reports/monthly", params={"month": "2026-11", "level": "street"}, headers=OPS
    )

    assert response.status_code == 200
    body = response.json()
    rows = {r["unit_code"]: r for r in body["rows"]}
    assert body["previous_month"] == "2026-10"
    assert rows["510302001"]["current"]["received"] == 6
    # October: C11 only, received and routed, never assigned
    before = rows["510302001"]["previous"]
    assert before["received"] == 1
    assert before["resolution_rate"] == 0.0  # 0 / 1
    assert before["response_rate"] is None  # no sign-for clock: 0 / 0
    assert (before["on_time_closure_rate"], before["satisfaction_rate"]) == (None, None)
    assert rows["510302002"]["previous"] is None
    worst = [
        (w["unit_code"], w["value"]) for w in body["worst"] if w["rate"] == "on_time_closure_rate"
    ]
    assert worst == [(None, 0.0), ("510302001", 0.6667), ("510302002", 1.0)]
    assert body["supervision"] == {"yellow": 0, "red": 0, "manual": 2, "total": 2}
    assert {o["tracking_no"] for o in body["orders"]} == {C6.tracking_no, C10.tracking_no}
