"""The arithmetic of the reports (pure functions; no database)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from escalation.reports import service
from gridcase_events.kit.auth import Principal


def test_a_rate_is_rounded_half_up_to_four_places() -> None:
    assert service.rate(2, 3) == 0.6667  # 0.666666… → 0.6667
    assert service.rate(1, 8) == 0.125
    assert service.rate(1, 16) == 0.0625
    assert service.rate(1, 32) == 0.0313  # 0.03125 → half up → 0.0313
    assert service.rate(5, 5) == 1.0
    assert service.rate(0, 4) == 0.0


def test_a_rate_over_nothing_is_null_not_zero() -> None:
    assert service.rate(0, 0) is None


def test_figures_derive_every_rate_from_its_counts() -> None:
    counts = {
        "received": 6,
        "sign_for_clocked": 5,
        "accepted_in_time": 4,
        "resolved": 3,
        "closed": 3,
        "closed_on_time": 2,
        "satisfied": 2,
        "basically_satisfied": 1,
        "dissatisfied": 1,
        "supervision_yellow": 1,
        "supervision_red": 1,
        "supervision_manual": 1,
    }

    f = service.figures(counts)

    assert f["response_rate"] == 0.8  # 4 / 5
    assert f["resolution_rate"] == 0.5  # 3 / 6
    assert f["on_time_closure_rate"] == 0.6667  # 2 / 3
    assert f["evaluated"] == 4  # 2 + 1 + 1
    assert f["satisfaction_rate"] == 0.75  # (2 + 1) / 4
    assert f["supervision_orders"] == 3  # 1 + 1 + 1
    assert f["returns"] == 0  # absent counts are 0


def test_the_total_divides_summed_counts_not_averaged_rates() -> None:
    a = service.figures({"received": 1, "resolved": 1})
    b = service.figures({"received": 3, "resolved": 0})

    # (1 + 0) / (1 + 3) = 0.25, not the mean of 1.0 and 0.0
    assert service.total([a, b])["resolution_rate"] == 0.25


def test_worst_units_skip_units_without_a_value() -> None:
    rows = [
        {"unit_code": "a", "unit_name": None, **service.figures({"received": 2, "resolved": 1})},
        {"unit_code": "b", "unit_name": None, **service.figures({"received": 4, "resolved": 1})},
        {"unit_code": "c", "unit_name": None, **service.figures({})},
    ]

    worst = service.worst(rows, per_rate=1)

    assert worst == [
        {"rate": "resolution_rate", "unit_code": "b", "unit_name": None, "value": 0.25}
    ]


def test_a_period_runs_from_local_midnight_to_local_midnight() -> None:
    start, end = service.period(date(2026, 11, 1), date(2026, 11, 30), ZoneInfo("Asia/Shanghai"))

    assert start == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("month", "first", "last", "before"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-10"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026-11"),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 31), "2026-12"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "2028-01"),
    ],
)
def test_months_and_the_month_before(month: str, first: date, last: date, before: str) -> None:
    assert service.month_bounds(month) == (first, last)
    assert service.previous_month(month) == before


D = "510302"


@pytest.mark.parametrize(
    ("role", "area", "department", "level", "scope"),
    [
        ("ops", "510302", None, "grid", service.Scope(district=D)),
        ("ops", None, None, "grid", service.Scope()),
        ("city_center", None, None, "district", service.Scope()),
        ("district_center", "510302", None, "district", service.Scope(district=D)),
        ("street_officer", "510302001", None, "street", service.Scope("510302001", district=D)),
        ("street_officer", "510302001", None, "grid", service.Scope("510302001", district=D)),
        (
            "station_master",
            "510302001001",
            None,
            "community",
            service.Scope("510302001001", district=D),
        ),
        (
            "grid_leader",
            "510302001001001",
            None,
            "grid",
            service.Scope("510302001001001", district=D),
        ),
        ("department_operator", None, "water", "department", service.Scope(None, "water")),
        (
            "department_operator",
            "510302",
            "water",
            "department",
            service.Scope(None, "water", district=D),
        ),
    ],
)
def test_who_sees_which_reports(
    role: str, area: str | None, department: str | None, level: str, scope: service.Scope
) -> None:
    principal = Principal(sub="x", role=role, area_code=area, department_code=department)  # type: ignore[arg-type]

    assert service.scope_for(principal, level=level) == scope


@pytest.mark.parametrize(
    ("role", "area", "department", "level"),
    [
        ("street_officer", "510302001", None, "district"),
        ("street_officer", "510302001", None, "department"),
        ("station_master", "510302001001", None, "street"),
        ("grid_leader", "510302001001001", None, "community"),
        ("department_operator", None, "water", "street"),
        ("grid_member", "510302001001001", None, "grid"),
        ("dispatcher", "510302", None, "street"),
    ],
)
def test_reports_beyond_ones_scope_are_refused(
    role: str, area: str | None, department: str | None, level: str
) -> None:
    principal = Principal(sub="x", role=role, area_code=area, department_code=department)  # type: ignore[arg-type]

    with pytest.raises(service.OutOfScope):
        service.scope_for(principal, level=level)


def test_the_city_centre_may_ask_for_any_one_district() -> None:
    city = Principal(sub="cc1", role="city_center")

    assert service.scope_for(city, level="street", district="510422") == service.Scope(
        district="510422"
    )


@pytest.mark.parametrize("role", ["district_center", "dispatcher", "ops", "street_officer"])
def test_a_district_token_asking_for_another_district_is_refused(role: str) -> None:
    principal = Principal(sub="x", role=role, area_code="510302001")  # type: ignore[arg-type]

    with pytest.raises(service.OutOfScope, match="510422 is not yours"):
        service.scope_for(principal, level="street", district="510422")
