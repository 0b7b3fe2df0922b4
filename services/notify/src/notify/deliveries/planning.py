"""Recording the intent to tell someone: one delivery per event, recipient and channel.

For each event with a rule, every ``{selector, channels}`` entry yields recipients
(:mod:`notify.deliveries.recipients`) and one delivery is planned per event, recipient
and channel — once, whatever the number of selectors that name the same person. On the
way, a staff member's preferences may skip a channel (never SMS about an urgent case),
quiet hours (:mod:`notify.deliveries.quiet_hours`) hold SMS that is not urgent until the
morning, and a burst of SMS to one person folds into a digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.db import held_until_commit, on_commit
from notify.config import NotifySettings
from notify.deliveries import repository
from notify.deliveries.facts import Facts, facts_of
from notify.deliveries.quiet_hours import quiet_until
from notify.deliveries.recipients import select_recipients
from notify.reporters import repository as reporter_repository
from notify.reporters.models import OwedNotice
from notify.robots import repository as robot_repository
from notify.rules import repository as rule_repository
from notify.rules.models import Rule

log = structlog.get_logger(__name__)

PLANNED = Counter(
    "gridcase_notify_planned_total",
    "Deliveries planned by channel and how (now, held for quiet hours, digested, skipped)",
    ["channel", "how"],
)


def _count(session: AsyncSession, channel: str, how: str) -> None:
    """Counts a planned delivery once its transaction commits (a handler that rolls
    back and is retried must not count twice)."""
    on_commit(session, PLANNED.labels(channel, how).inc)


class ReporterRef(Protocol):
    """What planning needs of a report: how it came in (a 12345 ticket is told too)."""

    @property
    def channel(self) -> str: ...

    @property
    def external_ref(self) -> str | None: ...


def idempotency_key(*, event_id: Any, recipient_id: str, channel: str) -> str:
    return f"{event_id}:{recipient_id}:{channel}"


async def plan_event(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    event: Envelope,
    payload: object,
    only: set[str] | None = None,
) -> int:
    """Plans the deliveries an event calls for, by its rule; returns how many it holds.

    They are decided with the recipients' preferences, and written, when the
    transaction commits (:class:`_Held`): a consumer's run of events takes its
    recipients' locks and writes its deliveries in a few statements, not a few per
    event. `only` restricts the recipients (a reporter learned after the event, see
    :func:`plan_owed`); without it, a progress event is also kept as owed to residents
    who are not known yet."""
    rule = await _rule(session, event.type)
    facts = facts_of(event.type, payload, timezone=settings.timezone)
    if rule is None or facts is None:
        return 0
    if only is None and facts.status is not None and facts.case_id is not None:
        await reporter_repository.lock_case(session, facts.case_id)
        await reporter_repository.owe(
            session,
            {
                "case_id": facts.case_id,
                "event_id": event.id,
                "event_type": event.type,
                "happened_at": facts.at or event.time,
                "envelope": event.model_dump(mode="json"),
                "recorded_at": clock.now(),
            },
        )
    targets = await _targets(session=session, rule=rule, facts=facts, settings=settings, only=only)
    pending = [
        _pending(
            clock=clock,
            event=event,
            facts=facts,
            recipient=recipient,
            channel=channel,
            # the 12345 callback body is exactly its own fields
            params=params if recipient.startswith("hotline:") else {**facts.params, **params},
        )
        for (recipient, channel), params in targets.items()
    ]
    if pending:
        _held(session, settings).pending.extend(pending)
    return len(pending)


@dataclass
class _Pending:
    """A delivery decided up to its recipient's preferences, quiet hours and burst
    limit (:func:`_write`)."""

    event: Envelope
    values: dict[str, Any]
    urgent: bool
    tracking_no: str
    now: datetime

    @property
    def staff_id(self) -> str | None:
        recipient: str = self.values["recipient_id"]
        return recipient.removeprefix("staff:") if recipient.startswith("staff:") else None

    @property
    def lock(self) -> str | None:
        """The recipient lock its burst count needs (an SMS that is not urgent)."""
        if self.values["channel"] != "sms" or self.urgent:
            return None
        return f"{self.values['channel']}:{self.values['recipient_id']}"


@dataclass
class _Held:
    """The deliveries a transaction planned, written when it commits; the metrics of
    those written counted once it has committed."""

    settings: NotifySettings
    pending: list[_Pending] = field(default_factory=list)
    counts: list[tuple[str, str]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        _write(session, self.settings, self.pending, self.counts)

    def count(self) -> None:
        for channel, how in self.counts:
            PLANNED.labels(channel, how).inc()


_HELD = "notify.planning.held"


def _held(session: AsyncSession, settings: NotifySettings) -> _Held:
    def make() -> _Held:
        held = _Held(settings)
        on_commit(session, held.count)
        return held

    return held_until_commit(session, _HELD, make, lambda s, held: held.write(s))


def _count_plain(
    counts: list[tuple[str, str]], plain: list[tuple[dict[str, Any], str]], inserted: set[UUID]
) -> int:
    planned = 0
    for values, how in plain:
        if values["id"] in inserted:
            counts.append((values["channel"], how))
            planned += 1
    return planned


async def _targets(
    *,
    session: AsyncSession,
    rule: Rule,
    facts: Facts,
    settings: NotifySettings,
    only: set[str] | None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (recipient, channel) the rule names for these facts, once, with the
    recipient's own parameters (the first selector naming a recipient wins)."""
    targets: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in rule.recipients:
        channels = list(entry["channels"])
        for recipient, params in await select_recipients(
            session=session,
            selector=entry["selector"],
            channels=channels,
            facts=facts,
            settings=settings,
        ):
            if only is not None and recipient not in only:
                continue
            for channel in channels:
                if recipient.startswith("robot:") and not await _robot_has(
                    session, recipient, channel
                ):
                    continue
                targets.setdefault((recipient, channel), params)
    return targets


async def plan_owed(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    owed: Sequence[OwedNotice],
    report_id: UUID,
    reporter: ReporterRef,
    since: datetime | None = None,
) -> int:
    """Plans, for a reporter notify has just learned of, the progress events of the case
    it saw first (cross-topic reordering: `owed`, the case's owed notices, read under
    the case's lock after the reporter was recorded, see
    :func:`notify.reporters.repository.add_locked`); for a reporter merged in, only those
    that happened from `since` (the merge) on (`reporter`: its report's channel and
    external reference, as the event gave them)."""
    only = {f"resident:{report_id}"}
    if reporter.channel == "hotline" and reporter.external_ref:
        only.add(f"hotline:{reporter.external_ref}")
    planned = 0
    for notice in owed:
        if since is not None and notice.happened_at < since:
            continue  # it was merged in after that progress: it hears of the next
        event = Envelope.model_validate(notice.envelope)
        planned += await plan_event(
            session=session,
            clock=clock,
            settings=settings,
            event=event,
            payload=event.payload(),
            only=only,
        )
    if planned:
        log.info("owed progress planned for a reporter learned late", planned=planned)
    return planned


async def _robot_has(session: AsyncSession, recipient: str, channel: str) -> bool:
    code = recipient.removeprefix("robot:")
    return await robot_repository.get(session, code=code, channel=channel) is not None


async def plan_one(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    event: Envelope,
    facts: Facts,
    recipient: str,
    channel: str,
    params: dict[str, Any],
) -> int:
    """Records one delivery now (once per event, recipient and channel: a repeat is
    refused by the key's unique index, and counts nothing); returns whether it did."""
    pending = _pending(
        clock=clock, event=event, facts=facts, recipient=recipient, channel=channel, params=params
    )
    counts: list[tuple[str, str]] = []
    planned: int = await session.run_sync(_write, settings, [pending], counts)
    for counted in counts:
        _count(session, *counted)
    return planned


def _pending(
    *,
    clock: Clock,
    event: Envelope,
    facts: Facts,
    recipient: str,
    channel: str,
    params: dict[str, Any],
) -> _Pending:
    key = idempotency_key(event_id=event.id, recipient_id=recipient, channel=channel)
    now = clock.now()
    values = _delivery(
        key=key, event=event, facts=facts, recipient=recipient, channel=channel, params=params
    ) | {"next_attempt_at": now, "planned_at": now, "updated_at": now, "last_error": None}
    return _Pending(
        event=event,
        values=values,
        urgent=facts.priority == "urgent",
        tracking_no=str(params.get("tracking_no", facts.tracking_no)),
        now=now,
    )


def _read(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """What the transaction has read of rules: each is read once per transaction (a
    consumer's run of events), not once per event. A change committed meanwhile applies
    from the next run on."""
    read: dict[str, dict[str, Any]] = session.info.setdefault("notify.planning.read", {})
    return read


async def _rule(session: AsyncSession, event_type: str) -> Rule | None:
    rules = _read(session).setdefault("rules", {})
    if event_type not in rules:
        rules[event_type] = await rule_repository.get(session, event_type)
    rule: Rule | None = rules[event_type]
    return rule


def _write(
    session: Session,
    settings: NotifySettings,
    pending: list[_Pending],
    counts: list[tuple[str, str]],
) -> int:
    """Writes planned deliveries (a transaction's, at its commit): first the
    recipients' locks for the SMS counted against the burst limit, all in one statement
    in a fixed order, with the staff members' preferences; then, decided with them
    (skipped, held for quiet hours), the deliveries, in rounds of one SMS per recipient
    at most (:func:`_write_round`; a second SMS to one recipient in the next round, so
    that its count sees the first). Those over the limit are folded last. Returns how
    many were written; `counts` gets their metrics."""
    if not pending:
        return 0
    locks = {p.lock for p in pending if p.lock is not None}
    staff = {p.staff_id for p in pending if p.staff_id is not None}
    preferences = (
        repository.lock_recipients_reading_preferences(session, keys=locks, staff_ids=staff)
        if locks or staff
        else {}
    )
    plain: list[tuple[dict[str, Any], str]] = []
    rounds: list[list[tuple[_Pending, bool]]] = [[]]
    seen: dict[str | None, int] = {}
    for p in pending:
        how = _decide(p, preferences, settings)
        if isinstance(how, str):
            plain.append((p.values, how))
            continue
        n = seen[p.lock] = seen.get(p.lock, -1) + 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append((p, how))
    planned = 0
    over: list[tuple[_Pending, bool]] = []
    for counted in rounds:
        planned += _write_round(session, settings, plain, counted, counts=counts, over=over)
        plain = []
    for sms, held in over:
        planned += _over_limit(
            session=session, settings=settings, sms=sms, held=held, counts=counts
        )
    return planned


def _write_round(
    session: Session,
    settings: NotifySettings,
    plain: list[tuple[dict[str, Any], str]],
    counted: list[tuple[_Pending, bool]],
    *,
    counts: list[tuple[str, str]],
    over: list[tuple[_Pending, bool]],
) -> int:
    """Writes `plain` rows as they are and `counted` SMS (one per recipient, each with
    whether quiet hours hold it) under the burst limit. One SMS: its count and every row
    in one statement. More: their counts in one statement, every row under the limit in
    one more. The counts come after the locks were granted, so they see what a lock's
    previous holder committed. Those not written for the limit (or as a repeat: told
    apart there) go to `over`."""
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    limit = settings.sms_burst_limit
    if len(counted) == 1:
        [(sms, held)] = counted
        along = [v for v, _ in plain]
        inserted = repository.plan_under(
            session, sms.values, since=sms.now - window, limit=limit, along=along
        )
        if sms.values["id"] not in inserted:
            over.append((sms, held))
    else:
        recent = repository.count_recent(
            session,
            [(p.values["recipient_id"], p.values["channel"], p.now - window) for p, _ in counted],
        )
        over.extend(f for f, n in zip(counted, recent, strict=True) if n >= limit)
        # under the limit and not written: a repeat, refused by its key
        counted = [f for f, n in zip(counted, recent, strict=True) if n < limit]
        rows = [v for v, _ in plain] + [p.values for p, _ in counted]
        inserted = repository.plan_many(session, rows)
    planned = _count_plain(counts, plain, inserted)
    for sms, held in counted:
        if sms.values["id"] in inserted:
            counts.append((sms.values["channel"], "held" if held else "now"))
            planned += 1
    return planned


def _decide(
    p: _Pending, preferences: dict[str, repository.Preferences], settings: NotifySettings
) -> str | bool:
    """How a delivery is planned: ``"now"`` or ``"skipped"`` (written as it is), or,
    for an SMS counted against the burst limit, whether quiet hours hold it."""
    channel = p.values["channel"]
    quiet_hours: str | None = settings.quiet_hours
    if p.staff_id is not None:
        preference = preferences.get(p.staff_id)
        if preference is not None and preference.quiet_hours is not None:
            quiet_hours = preference.quiet_hours
        skip = _skipped_by(preference, channel=channel, urgent=p.urgent)
        if skip:
            p.values |= {"status": "skipped", "last_error": skip}
            return "skipped"
    if p.lock is None:
        return "now"
    held = quiet_until(p.now, quiet_hours, settings.timezone)
    if held is not None:
        p.values["next_attempt_at"] = held
    return held is not None


def _delivery(
    *, key: str, event: Envelope, facts: Facts, recipient: str, channel: str, params: dict[str, Any]
) -> dict[str, Any]:
    """A pending delivery's row, before its times."""
    return {
        "id": new_id(),
        "idempotency_key": key,
        "trigger_event_id": event.id,
        "trigger_event_type": event.type,
        "case_id": facts.case_id,
        "district_code": event.tenant,
        "correlation_id": event.correlation_id,
        "trace_context": tracing.current_carrier(),
        "channel": channel,
        "recipient_id": recipient,
        "recipient_masked": "",  # learned when sending
        "template": event.type,
        "params": params,
        "status": "pending",
        "attempts": 0,
    }


def _skipped_by(
    preference: repository.Preferences | None, *, channel: str, urgent: bool
) -> str | None:
    """Why a staff member's preferences skip this channel, or None. SMS about an urgent
    case is never skipped."""
    if preference is not None and channel in preference.disabled_channels:
        if channel == "sms" and urgent:
            log.info("sms about an urgent case sent despite the preference")
        else:
            return f"{channel} turned off in the recipient's preferences"
    if channel == "email" and (preference is None or not preference.email):
        return "no e-mail address in the recipient's preferences"
    return None


def _over_limit(
    *,
    session: Session,
    settings: NotifySettings,
    sms: _Pending,
    held: bool,
    counts: list[tuple[str, str]],
) -> int:
    """An SMS its statement did not plan: a repeat (nothing), or over the burst limit
    (folded into the recipient's digest)."""
    values, now = sms.values, sms.now
    recipient, channel = values["recipient_id"], values["channel"]
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    recent = repository.recent(session, recipient_id=recipient, channel=channel, since=now - window)
    if len(recent) < settings.sms_burst_limit:
        return 0  # under the limit, yet not planned: a repeat, refused by its key
    if repository.exists(session, values["idempotency_key"]):
        return 0  # a repeat: not folded twice
    digest_id = _fold(
        session=session,
        event=sms.event,
        recipient=recipient,
        channel=channel,
        tracking_no=sms.tracking_no,
        due=max(recent[0] + window, values["next_attempt_at"] if held else now),
        now=now,
    )
    counts.append((channel, "digested"))
    return int(
        repository.plan_in(session, {**values, "status": "digested", "digest_id": digest_id})
    )


def _fold(
    *,
    session: Session,
    event: Envelope,
    recipient: str,
    channel: str,
    tracking_no: str,
    due: datetime,
    now: datetime,
) -> UUID:
    """Adds a message to the recipient's open digest (or opens one, to be sent when the
    burst window ends); returns the digest's id."""
    digest = repository.open_digest(session, recipient_id=recipient, channel=channel)
    if digest is not None:
        items = [*digest.params.get("tracking_nos", []), tracking_no]
        repository.finish_in(
            session,
            digest.id,
            {
                "params": {**digest.params, "tracking_nos": items, "count": len(items)},
                "updated_at": now,
            },
        )
        return digest.id
    digest_id = new_id()
    repository.plan_in(
        session,
        {
            "id": digest_id,
            "idempotency_key": f"digest:{recipient}:{channel}:{digest_id}",
            "trigger_event_id": event.id,
            "trigger_event_type": "notification.digest",
            "case_id": None,
            "district_code": event.tenant,
            "correlation_id": event.correlation_id,
            "channel": channel,
            "recipient_id": recipient,
            "recipient_masked": "",
            "template": repository.DIGEST,
            "params": {"tracking_nos": [tracking_no], "count": 1},
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": due,
            "planned_at": now,
            "updated_at": now,
        },
    )
    log.info("sms burst folded into a digest", recipient_id=recipient, digest_id=str(digest_id))
    return digest_id
