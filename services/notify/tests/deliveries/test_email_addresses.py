"""E-mail reaches the address in the recipient's preferences; without one it is skipped.
(The SMTP channel itself is tested on its own; here a recording channel stands in for
it, to see which address and text the worker hands over.)"""

from typing import Any

import pytest

from gridcase_events import envelope, payloads
from gridcase_events.testing import bearer
from notify.channels.base import Message, SendResult

pytestmark = pytest.mark.integration

ADMIN = bearer("admin1", "admin", "510302")


class RecordingEmail:
    name = "email"

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def send(self, message: Message) -> SendResult:
        self.messages.append(message)
        return SendResult(provider_ref="smtp-1")

    async def close(self) -> None:
        return None


@pytest.fixture
def mailbox() -> RecordingEmail:
    return RecordingEmail()


@pytest.fixture
def notify_channels(mailbox: RecordingEmail) -> dict[str, Any]:
    return {"email": mailbox}


async def warn(publish: Any, clock: Any, assignee: str) -> Any:
    case_id = envelope.new_id()
    await publish(
        payloads.SlaWarning(
            case_id=case_id,
            tracking_no=f"GC-20261121-MAIL{assignee[-2:].upper()}",
            clock="resolution",
            generation=1,
            started_at=clock.now(),
            due_at=clock.now(),
            priority="normal",
            grid_code="510302001001001",
            assignee_id=assignee,
            fired_at=clock.now(),
            late_seconds=0,
            percent=50,
        ),
        subject=str(case_id),
        source="escalation",
    )
    return case_id


async def test_email_goes_to_the_preferred_address_and_is_skipped_without_one(
    client: Any, publish: Any, deliveries: Any, clock: Any, mailbox: RecordingEmail
) -> None:
    rule = await client.put(
        "/v1/rules/sla.warning",
        json={"recipients": [{"selector": "assignee", "channels": ["email"]}]},
        headers=ADMIN,
    )
    assert rule.status_code == 200
    saved = await client.put(
        "/v1/preferences/gm111a", json={"email": "lilei@example.org"}, headers=ADMIN
    )
    assert saved.status_code == 200

    with_address = await warn(publish, clock, "gm111a")
    without = await warn(publish, clock, "gm111b")

    [sent] = await deliveries(with_address, lambda d: d[0]["status"] == "delivered", "email")
    [skipped] = await deliveries(without, lambda d: d[0]["status"] == "skipped", "email")

    assert sent["recipient_masked"] == "l***@example.org"
    assert "e-mail address" in skipped["last_error"]
    [message] = mailbox.messages
    assert message.address == "lilei@example.org"
    assert "已用去50%" in message.text  # the SMS wording, for want of an e-mail template
