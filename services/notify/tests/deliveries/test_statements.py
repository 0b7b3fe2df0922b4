"""The statements of one assignment (an SMS and an in-app item), and of a reporter
learned. Planning: the recipient's lock and preferences in one statement, the SMS and
the in-app item in one more; a reporter's lock, row and owed notices in one call. The
delivery worker: the claim and the addresses in one statement, and the batch's
outcomes — the in-app item stored with its record, the SMS recorded — in one more,
even when the gateway takes its time to answer."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from gridcase_events import envelope, payloads
from gridcase_events.kit.pii import PiiCipher
from gridcase_events.kit.settings import DEV_PII_KEY
from gridcase_events.testing import HttpSink

pytestmark = pytest.mark.integration


@dataclass
class Statements:
    """Every statement run while the test runs, with the transaction it ran in."""

    ran: list[tuple[int, str]] = field(default_factory=list)
    _open: dict[int, int] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=count)

    def begin(self, conn: Any) -> None:
        self._open[id(conn)] = next(self._ids)

    def execute(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        self.ran.append((self._open.get(id(conn), -1), " ".join(statement.split())))

    def where(self, *fragments: str) -> list[int]:
        """The transactions of the statements holding all of `fragments`."""
        return [tx for tx, s in self.ran if all(f in s for f in fragments)]


@pytest.fixture
def statements() -> Iterator[Statements]:
    seen = Statements()
    event.listen(Engine, "begin", seen.begin)
    event.listen(Engine, "before_cursor_execute", seen.execute)
    yield seen
    event.remove(Engine, "before_cursor_execute", seen.execute)
    event.remove(Engine, "begin", seen.begin)


def sent(items: list[dict[str, Any]]) -> bool:
    return len(items) == 2 and all(i["status"] == "delivered" for i in items)


async def test_a_batch_is_claimed_with_its_addresses_and_recorded_in_one_transaction(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    statements: Statements,
) -> None:
    await staff()
    http_sink.reply_next(delay=0.5)  # the in-app item is stored long before the SMS answer
    case = await assigned()

    items = await deliveries(case.subject, sent, channel=None)
    assert {i["channel"] for i in items} == {"sms", "inapp"}
    assert len(http_sink.requests) == 1

    # the addresses are read with the claim, not on their own
    assert statements.where("UPDATE notify.deliveries SET status=", "notify.contacts.phone_enc")
    alone = [tx for tx, s in statements.ran if "contacts.phone_enc" in s and "UPDATE" not in s]
    assert alone == []
    outcomes = statements.where("UPDATE notify.deliveries AS d SET delivered_at")
    [stored] = statements.where("INSERT INTO notify.inbox_items")
    assert outcomes == [stored]  # both outcomes in one statement, with the in-app item


async def test_the_recipient_lock_and_preferences_are_read_in_one_statement(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    statements: Statements,
) -> None:
    await staff()
    case = await assigned()

    await deliveries(case.subject, sent, channel=None)
    together = statements.where("pg_advisory_xact_lock", "notify.preferences")
    alone = [tx for tx, s in statements.ran if s.startswith("SELECT pg_advisory_xact_lock")]
    preferences = statements.where("notify.preferences.disabled_channels")
    assert len(together) == 1
    assert alone == []  # no lock of its own
    assert preferences == together  # and no read of its own


@pytest.mark.parametrize("notify_overrides", [{"record_linger_seconds": 1.0}])
async def test_outcomes_answered_apart_are_recorded_in_one_transaction(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    http_sink: HttpSink,
    statements: Statements,
) -> None:
    await staff("gm111a", "13800000002")
    await staff("gm222b", "13800000003")
    http_sink.reply_next(delay=0.4)  # one SMS answered at once, the other 0.4 s later
    first = await assigned(assignee="gm111a", tracking_no="GC-20261121-AAAAAA")
    second = await assigned(assignee="gm222b", tracking_no="GC-20261121-BBBBBB")

    await deliveries(first.subject, sent, channel=None)
    await deliveries(second.subject, sent, channel=None)
    assert len(http_sink.requests) == 2
    # the first answer waited for the second: both SMS and both in-app items recorded
    # by one statement, in one transaction
    assert len(statements.where("UPDATE notify.deliveries AS d SET delivered_at")) == 1


async def test_an_assignments_sms_and_in_app_item_are_planned_by_one_statement(
    client: Any,
    staff: Any,
    assigned: Any,
    deliveries: Any,
    statements: Statements,
) -> None:
    await staff()
    case = await assigned()

    items = await deliveries(case.subject, sent, channel=None)
    assert {i["channel"] for i in items} == {"sms", "inapp"}
    planned = [s for _, s in statements.ran if "INSERT INTO notify.deliveries" in s]
    together = [s for s in planned if s.startswith("WITH counted AS") and "along AS" in s]
    assert len(together) == 1  # the SMS counted against the burst limit, the item along
    assert planned == together


async def test_a_reporters_lock_row_and_owed_notices_take_one_statement(
    client: Any, publish: Any, reporters_known: Any, clock: Any, statements: Statements
) -> None:
    case_id = envelope.new_id()
    cipher = PiiCipher(DEV_PII_KEY)
    await publish(
        payloads.CaseReported(
            case_id=case_id,
            tracking_no="GC-20261121-ONE001",
            channel="hotline",
            external_ref="T-3001",
            reported_at=clock.now(),
            content="楼道堆物",
            priority="normal",
            reporter=payloads.Contact(
                phone_masked="139****2222", phone_encrypted=cipher.encrypt("13911112222")
            ),
        ),
        subject=str(case_id),
        source="intake",
    )
    await reporters_known(case_id, 1)

    assert len(statements.where("notify.reporter_learned(")) == 1
    assert statements.where("FROM notify.owed_notices") == []  # no read of its own
    assert statements.where("INSERT INTO notify.reporters") == []  # nor a row of its own
