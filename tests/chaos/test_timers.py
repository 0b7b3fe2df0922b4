"""The fault suite's verdict on timers can fail: a timer announced twice, a due timer
never fired, an announcement no timer explains, a breach doubled on the topic or at the
SMS gateway (tests/chaos/timers.py). Pure: no broker, no database."""

from __future__ import annotations

from dataclasses import replace

from tests.chaos.timers import Key, TimerRow, judge, sms_groups

CASE = "6f1c1c2e-0000-4000-8000-000000000001"
TRACKING = "GC20261128-0001"
ACCEPTED = {CASE: TRACKING}


def _timer(kind: str, percent: int = 100, level: int = 0) -> TimerRow:
    return TimerRow(
        case_id=CASE,
        clock="sign_for",
        generation=1,
        kind=kind,
        percent=percent,
        level=level,
        status="fired",
        due=True,
        early=False,
        late_seconds=0.2,
        announces=True,
    )


TIMERS = [
    _timer("threshold", 50),
    _timer("threshold", 80),
    _timer("threshold", 100),
    _timer("escalation", level=1),
]
TOLD: list[Key] = [t.key() for t in TIMERS]


def _judge(
    timers: list[TimerRow] = TIMERS,
    told: list[Key] = TOLD,
    on_topic: set[str] | None = None,
    sms: set[str] | None = None,
) -> tuple[bool, int]:
    proof = judge(
        timers=timers,
        announcements=told,
        breaches_on_topic={(CASE, "sign_for"): on_topic if on_topic is not None else {"e1"}},
        breach_sms={TRACKING: sms if sms is not None else {"k1"}},
        accepted=ACCEPTED,
    )
    return proof.proven(len(ACCEPTED)), proof.problem_count + proof.stray


def test_every_due_timer_announced_once_is_proven() -> None:
    assert _judge() == (True, 0)


def test_a_breach_announced_twice_fails() -> None:
    assert _judge(told=[*TOLD, TIMERS[2].key()]) == (False, 1)


def test_a_due_timer_never_fired_fails() -> None:
    lost = [*TIMERS[:3], replace(TIMERS[3], status="pending")]
    assert _judge(timers=lost, told=TOLD[:3]) == (False, 1)


def test_an_announcement_without_its_timer_fails() -> None:
    stray: Key = (CASE, "sign_for", 1, "escalation", 2)
    assert _judge(told=[*TOLD, stray]) == (False, 1)


def test_a_timer_fired_before_it_was_due_fails() -> None:
    early = [*TIMERS[:3], replace(TIMERS[3], early=True)]
    assert _judge(timers=early) == (False, 1)


def test_a_breach_twice_on_the_topic_fails() -> None:
    assert _judge(on_topic={"e1", "e2"})[0] is False


def test_a_breach_never_on_the_topic_fails() -> None:
    assert _judge(on_topic=set())[0] is False


def test_two_breach_sms_for_one_clock_fail() -> None:
    assert _judge(sms={"k1", "k2"})[0] is False


def test_a_timer_not_yet_due_is_not_judged() -> None:
    waiting = [*TIMERS, replace(_timer("escalation", level=2), status="pending", due=False)]
    assert _judge(timers=waiting) == (True, 0)


def test_one_sms_asked_for_twice_under_one_key_is_one_message() -> None:
    body = {
        "phone": "13800000001",
        "template_id": "GC_SLA_BREACHED",
        "params": {"tracking_no": TRACKING, "clock": "sign_for", "percent": 100},
        "out_id": "k1",
    }
    assert [len(keys) for keys in sms_groups([body, body]).values()] == [1]
    doubled = sms_groups([body, {**body, "out_id": "k2"}])
    assert [len(keys) for keys in doubled.values()] == [2]
