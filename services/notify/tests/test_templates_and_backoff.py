"""SMS templates, Retry-After parsing and the delivery worker's backoff."""

import os
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from jinja2 import UndefinedError

from gridcase_events.kit.clock import ManualClock
from notify.channels.sms import retry_after_seconds
from notify.deliveries.worker import Backoff
from notify.templates import render

NOW = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)  # a Saturday
TRACKING_NO = "GC-20261121-ABC234"
INITIAL = 2.0
MAXIMUM = 600.0


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GRIDCASE_* / NOTIFY_* variable of the surrounding shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith(("GRIDCASE_", "NOTIFY_")):
            monkeypatch.delenv(name, raising=False)


def params(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sign_name": "自贡网格",
        "tracking_no": TRACKING_NO,
        "summary": "五星街12栋门口垃圾满溢",
        "priority": "normal",
        "post": "A",
    }
    return {**base, **overrides}


def sms(language: str, **overrides: Any) -> str:
    return render(
        channel="sms", event_type="case.assigned", language=language, params=params(**overrides)
    )


# ----------------------------------------------------------------------------- templates


def test_zh_assignment_sms_reads_as_expected() -> None:
    assert sms("zh") == (
        f"【自贡网格】您有新的案件 {TRACKING_NO}：五星街12栋门口垃圾满溢。请及时签收办理。"
    )


def test_en_assignment_sms_reads_as_expected() -> None:
    assert sms("en", sign_name="gridcase", summary="Garbage overflowing at No. 12") == (
        f"[gridcase] New case {TRACKING_NO}: Garbage overflowing at No. 12. Please accept it."
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_assignment_sms_carries_the_tracking_number(language: str) -> None:
    assert TRACKING_NO in sms(language)


@pytest.mark.parametrize(("language", "mark"), [("zh", "紧急"), ("en", "URGENT")])
def test_urgent_case_is_marked_urgent(language: str, mark: str) -> None:
    assert mark in sms(language, priority="urgent")


@pytest.mark.parametrize(("language", "mark"), [("zh", "紧急"), ("en", "URGENT")])
def test_normal_case_is_not_marked_urgent(language: str, mark: str) -> None:
    assert mark not in sms(language, priority="normal")


@pytest.mark.parametrize(
    ("language", "note"), [("zh", "B岗顶岗"), ("en", "standing in for the A post")]
)
def test_b_post_is_told_it_stands_in_for_the_a_post(language: str, note: str) -> None:
    assert note in sms(language, post="B")


@pytest.mark.parametrize(("language", "note"), [("zh", "B岗顶岗"), ("en", "standing in")])
@pytest.mark.parametrize("post", ["A", None])
def test_a_post_or_no_post_gets_no_stand_in_note(
    language: str, note: str, post: str | None
) -> None:
    assert note not in sms(language, post=post)


def test_zh_summary_ending_in_a_full_stop_does_not_double_it() -> None:
    text = sms("zh", summary="五星街12栋门口垃圾满溢。")
    assert "。。" not in text
    assert "五星街12栋门口垃圾满溢。请及时签收办理。" in text


def test_en_summary_ending_in_a_full_stop_does_not_double_it() -> None:
    text = sms("en", summary="Garbage overflowing.")
    assert ".." not in text
    assert "Garbage overflowing. Please accept it." in text


def test_zh_summary_ending_in_an_exclamation_mark_ends_in_one_full_stop() -> None:
    text = sms("zh", summary="垃圾满溢！！")
    assert "垃圾满溢。请及时签收办理。" in text


def test_zh_long_summary_is_truncated_to_forty_characters() -> None:
    summary = "五星街十二栋门口的垃圾桶已经满溢三天无人清运" * 5
    text = sms("zh", summary=summary)
    shown = text.split("：", 1)[1].removesuffix("。请及时签收办理。")
    assert len(shown) == 40
    assert shown.endswith("…")
    assert summary.startswith(shown.removesuffix("…"))


def test_en_long_summary_is_truncated_to_sixty_characters() -> None:
    summary = "Garbage has been overflowing at building 12 for three days " * 4
    text = sms("en", summary=summary)
    shown = text.split(": ", 1)[1].removesuffix(". Please accept it.")
    assert len(shown) == 60
    assert shown.endswith("…")
    assert summary.startswith(shown.removesuffix("…"))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_short_summary_is_not_truncated(language: str) -> None:
    assert "…" not in sms(language, summary="垃圾满溢")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("missing", ["tracking_no", "summary", "sign_name", "priority", "post"])
def test_missing_parameter_raises(language: str, missing: str) -> None:
    values = params()
    del values[missing]
    with pytest.raises(UndefinedError, match=missing):
        render(channel="sms", event_type="case.assigned", language=language, params=values)


# ----------------------------------------------------------------------------- Retry-After


def test_retry_after_in_seconds_is_read_as_seconds() -> None:
    assert retry_after_seconds("120", ManualClock(NOW)) == 120.0


def test_retry_after_in_seconds_tolerates_surrounding_spaces() -> None:
    assert retry_after_seconds(" 30 ", ManualClock(NOW)) == 30.0


def test_retry_after_http_date_is_seconds_from_the_clock() -> None:
    assert retry_after_seconds("Sat, 21 Nov 2026 08:32:00 GMT", ManualClock(NOW)) == 120.0


def test_retry_after_http_date_follows_the_injected_clock() -> None:
    clock = ManualClock(NOW)
    clock.advance(timedelta(seconds=90))
    assert retry_after_seconds("Sat, 21 Nov 2026 08:32:00 GMT", clock) == 30.0


def test_retry_after_http_date_in_the_past_is_zero() -> None:
    assert retry_after_seconds("Sat, 21 Nov 2026 08:00:00 GMT", ManualClock(NOW)) == 0.0


@pytest.mark.parametrize("value", ["soon", "12 minutes", "-5", "1.5"])
def test_unreadable_retry_after_is_none(value: str) -> None:
    assert retry_after_seconds(value, ManualClock(NOW)) is None


@pytest.mark.parametrize("value", [None, ""])
def test_absent_retry_after_is_none(value: str | None) -> None:
    assert retry_after_seconds(value, ManualClock(NOW)) is None


# ----------------------------------------------------------------------------- backoff


def worker(seed: int = 0) -> Backoff:
    return Backoff(initial=INITIAL, maximum=MAXIMUM, rng=random.Random(seed))


def expected_base(attempts: int) -> float:
    return min(MAXIMUM, INITIAL * 2 ** (attempts - 1))


@pytest.mark.parametrize("attempts", [1, 2, 3, 5, 8, 9, 10, 12, 20])
def test_delay_lies_between_half_the_base_and_the_base(attempts: int) -> None:
    w = worker(seed=attempts)
    base = expected_base(attempts)
    delays = [w.delay(attempts, None) for _ in range(500)]
    assert all(base / 2 <= d <= base for d in delays), (min(delays), max(delays), base)


def test_first_retry_waits_between_one_and_two_seconds() -> None:
    w = worker()
    delays = [w.delay(1, None) for _ in range(200)]
    assert min(delays) >= 1.0
    assert max(delays) <= 2.0


def test_delay_grows_exponentially_with_attempts() -> None:
    # the smallest possible delay of attempt n+1 is the largest of attempt n
    w = worker()
    for attempts in range(1, 9):
        assert w.delay(attempts + 1, None) >= w.delay(attempts, None)


def test_delay_is_jittered() -> None:
    w = worker()
    delays = {w.delay(4, None) for _ in range(50)}
    assert len(delays) > 1


def test_same_seed_gives_the_same_delays() -> None:
    first, second = worker(seed=7), worker(seed=7)
    assert [first.delay(n, None) for n in range(1, 8)] == [
        second.delay(n, None) for n in range(1, 8)
    ]


@pytest.mark.parametrize("attempts", [10, 11, 30, 64])
def test_delay_never_exceeds_the_maximum(attempts: int) -> None:
    w = worker(seed=attempts)
    delays = [w.delay(attempts, None) for _ in range(200)]
    assert max(delays) <= MAXIMUM
    assert min(delays) >= MAXIMUM / 2


def test_delay_stays_capped_after_very_many_attempts() -> None:
    # NOTIFY_MAX_ATTEMPTS has no upper bound, so any attempt count can reach backoff().
    assert worker().delay(1100, None) <= MAXIMUM


def test_longer_retry_after_wins_over_the_computed_delay() -> None:
    assert worker().delay(1, 3600.0) == 3600.0


def test_retry_after_beyond_the_maximum_is_still_honoured() -> None:
    assert worker().delay(30, MAXIMUM * 2) == MAXIMUM * 2


def test_shorter_retry_after_does_not_shorten_the_computed_delay() -> None:
    seeded, reference = worker(seed=3), worker(seed=3)
    assert seeded.delay(6, 0.5) == reference.delay(6, None)
    assert seeded.delay(6, 0.5) >= expected_base(6) / 2
