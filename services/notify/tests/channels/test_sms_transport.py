"""The SMS gateway's client: its connections kept alive and reused, spread over clients of
one connection each (each SMS on an idle one), a connection the gateway closed not reused, failures
as before (a timeout, a gateway that is not there, a 5xx: retryable), and no log line of
httpx's per SMS."""

import asyncio
import logging
from typing import Any

import pytest

from gridcase_events.kit.clock import ManualClock
from gridcase_events.testing import HttpSink, free_port
from notify.channels.base import Message, RetryableSendError
from notify.channels.sms import HttpSmsChannel


def message(n: int = 0) -> Message:
    return Message(
        idempotency_key=f"evt-{n}:staff:gm111a:sms",
        address="13800000001",
        template_id="GC_CASE_ASSIGNED",
        params={"tracking_no": f"GC-20261121-00000{n}"},
        text="新案件",
    )


@pytest.fixture
async def sms(http_sink: HttpSink, clock: ManualClock) -> Any:
    channel = HttpSmsChannel(
        url=f"{http_sink.url}/sms/send", secret="s3", sign_name="网格通", clock=clock, timeout=0.5
    )
    yield channel
    await channel.close()


def pool(client: Any) -> Any:
    return client._transport._pool


def connections(channel: HttpSmsChannel) -> list[int]:
    """How many connections each of the channel's pools holds."""
    return [len(pool(client).connections) for client in channel.pools.clients]


async def test_sms_keep_one_connection_alive_and_reconnect_once_the_gateway_closed_it(
    sms: HttpSmsChannel, http_sink: HttpSink
) -> None:
    refs = [(await sms.send(message(n))).provider_ref for n in range(3)]
    assert refs == ["sink-1", "sink-2", "sink-3"]
    assert connections(sms) == [1] + [0] * 15  # kept alive, reused

    await http_sink.stop()  # the gateway restarts: its end of the connection closes
    await http_sink.start()

    assert (await sms.send(message(3))).provider_ref == "sink-4"
    assert [r.headers["x-idempotency-key"] for r in http_sink.requests][-1] == (
        "evt-3:staff:gm111a:sms"
    )


async def test_sms_in_flight_each_take_a_connection_of_their_own_and_a_lone_one_the_first(
    sms: HttpSmsChannel, http_sink: HttpSink
) -> None:
    for _ in range(10):
        http_sink.reply_next(200, delay=0.3)  # ten in flight at once
    refs = await asyncio.gather(*(sms.send(message(n)) for n in range(10)))
    assert len({r.provider_ref for r in refs}) == 10
    assert connections(sms) == [1] * 10 + [0] * 6  # none waited for another's connection

    assert (await sms.send(message(10))).provider_ref == "sink-11"
    assert sum(connections(sms)) == 10  # no new connection


async def test_a_gateway_too_slow_or_failing_is_retryable(
    sms: HttpSmsChannel, http_sink: HttpSink
) -> None:
    http_sink.reply_next(200, delay=5.0)  # the channel gives up after 0.5 s
    with pytest.raises(RetryableSendError, match="timed out"):
        await sms.send(message())
    http_sink.fail_next(503)
    with pytest.raises(RetryableSendError, match="answered 503"):
        await sms.send(message())
    assert (await sms.send(message())).provider_ref == "sink-3"


async def test_a_gateway_that_is_not_there_is_retryable(clock: ManualClock) -> None:
    sms = HttpSmsChannel(
        url=f"http://127.0.0.1:{free_port()}/sms/send", secret=None, sign_name="x", clock=clock
    )
    try:
        with pytest.raises(RetryableSendError, match="unreachable"):
            await sms.send(message())
    finally:
        await sms.close()


async def test_an_sms_is_logged_by_the_delivery_not_by_httpx(
    sms: HttpSmsChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sms.send(message())
    assert [r.getMessage() for r in caplog.records if r.name.startswith("httpx")] == []
