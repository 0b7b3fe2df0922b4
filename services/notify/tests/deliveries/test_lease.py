"""An attempt slower than its lease is claimed again by another replica; when the slow
one finally hears back, its outcome must not overwrite the newer attempt's."""

from datetime import timedelta
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink, eventually, running
from notify.config import NotifySettings
from notify.main import create_app

pytestmark = pytest.mark.integration

GATEWAY_SECRET = "sms-gateway-secret"


async def test_a_late_outcome_of_a_lost_lease_is_dropped(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    clock: ManualClock,
    fresh_database: str,
    kafka_bootstrap: str,
    namespace: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    replica = create_app(
        NotifySettings(
            env="development",
            database_url=fresh_database,
            kafka_bootstrap_servers=kafka_bootstrap,
            topic_namespace=namespace,
            sms_gateway_url=f"{http_sink.url}/sms/send",
            sms_gateway_secret=GATEWAY_SECRET,
            poll_interval_seconds=0.05,
            backoff_initial_seconds=10,
            max_attempts=3,
        ),
        clock=clock,
    )
    # the first attempt: the gateway holds it, then answers 500 (worth a retry) …
    http_sink.reply_next(500, delay=3.0)
    async with running(replica):
        await staff()
        event = await assigned()

        async def held() -> bool:
            return len([r for r in http_sink.requests if r.path == "/sms/send"]) == 1

        await eventually(held)
        clock.advance(timedelta(seconds=61))  # … past its lease: the other replica retries
        [sms] = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")
        assert sms["attempts"] == 2

        logged: list[str] = []

        async def late_answer_handled() -> bool:  # dropped (logged), or recorded
            logged.append(capsys.readouterr().out)
            if "no longer holds this attempt's lease" in "".join(logged):
                return True
            [now] = await deliveries(event.subject, lambda d: True)
            return bool(now["status"] != "delivered")

        await eventually(late_answer_handled)

    [after] = await deliveries(event.subject, lambda d: True)
    assert after["status"] == "delivered"  # not put back to pending by the late 500
    assert after["attempts"] == 2
    assert after["last_error"] is None
    sent = [r for r in http_sink.requests if r.path == "/sms/send"]
    assert len(sent) == 2
    assert sent[0].headers["x-idempotency-key"] == sent[1].headers["x-idempotency-key"]


async def test_a_process_does_not_claim_again_what_it_is_still_sending(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    clock: ManualClock,
) -> None:
    # One process: the gateway holds its attempt past the lease, and answers 200.
    http_sink.reply_next(200, delay=1.0)
    await staff()
    event = await assigned()

    async def held() -> bool:
        return len([r for r in http_sink.requests if r.path == "/sms/send"]) == 1

    await eventually(held)
    clock.advance(timedelta(seconds=61))  # the lease ran out while the request is held

    [sms] = await deliveries(event.subject, lambda d: d[0]["status"] == "delivered")
    assert sms["attempts"] == 1  # its own slow attempt was not claimed a second time
    assert len([r for r in http_sink.requests if r.path == "/sms/send"]) == 1
