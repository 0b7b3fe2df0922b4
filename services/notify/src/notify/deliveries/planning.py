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

from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.db import on_commit
from notify.config import NotifySettings
from notify.deliveries import repository
from notify.deliveries.facts import Facts, facts_of
from notify.deliveries.quiet_hours import quiet_until
from notify.deliveries.recipients import select_recipients
from notify.preferences import repository as preference_repository
from notify.preferences.models import Preference
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
    """Plans the deliveries an event calls for, by its rule; returns how many.

    `only` restricts the recipients (a reporter learned after the event, see
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
    planned = 0
    preferences = _read(session).setdefault("preferences", {})
    deferred = _Deferred()
    for (recipient, channel), params in targets.items():
        planned += await plan_one(
            session=session,
            clock=clock,
            settings=settings,
            event=event,
            facts=facts,
            recipient=recipient,
            channel=channel,
            # the 12345 callback body is exactly its own fields
            params=params if recipient.startswith("hotline:") else {**facts.params, **params},
            preferences=preferences,
            deferred=deferred,
        )
    return planned + await _write(session, settings, deferred)


@dataclass
class _Deferred:
    """An event's deliveries, decided and not yet written (:func:`_write`): the plain
    ones (planned now, or skipped) and the SMS counted against the burst limit."""

    plain: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    counted: list[dict[str, Any]] = field(default_factory=list)


async def _write(session: AsyncSession, settings: NotifySettings, deferred: _Deferred) -> int:
    """Writes an event's deliveries: the plain ones in the statement of its first
    counted SMS (after that SMS's recipient lock, so its count still sees what the
    lock's previous holder committed), or in one statement of their own."""
    planned = 0
    plain = deferred.plain
    for sms in deferred.counted:
        planned += await _plan_sms(session=session, settings=settings, along=plain, **sms)
        plain = []
    if plain:
        inserted = await repository.plan_many(session, [values for values, _ in plain])
        planned += _count_plain(session, plain, inserted)
    return planned


def _count_plain(
    session: AsyncSession, plain: list[tuple[dict[str, Any], str]], inserted: set[UUID]
) -> int:
    planned = 0
    for values, how in plain:
        if values["id"] in inserted:
            _count(session, values["channel"], how)
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
    preferences: dict[str, Preference | None] | None = None,
    deferred: _Deferred | None = None,
) -> int:
    """Records one delivery (once per event, recipient and channel: a repeat is refused by
    the key's unique index, and counts nothing). `preferences`: the staff members'
    preferences read so far for this event (each read once, whatever its channels).
    `deferred`: decides it (reading preferences, taking a staff member's lock) but
    leaves the writing to :func:`_write`, with the event's other deliveries; 0."""
    key = idempotency_key(event_id=event.id, recipient_id=recipient, channel=channel)
    now = clock.now()
    urgent = facts.priority == "urgent"
    values = _delivery(
        key=key, event=event, facts=facts, recipient=recipient, channel=channel, params=params
    ) | {"next_attempt_at": now, "planned_at": now, "updated_at": now, "last_error": None}
    quiet_hours: str | None = settings.quiet_hours
    if recipient.startswith("staff:"):
        preference = await _preference(
            session,
            recipient.removeprefix("staff:"),
            preferences,
            lock=channel if channel == "sms" and not urgent else None,
        )
        if preference is not None and preference.quiet_hours is not None:
            quiet_hours = preference.quiet_hours
        skip = _skipped_by(preference, channel=channel, urgent=urgent)
        if skip:
            values |= {"status": "skipped", "last_error": skip}
            return await _plan_counted(session, values, how="skipped", deferred=deferred)
    if channel != "sms" or urgent:
        return await _plan_counted(session, values, how="now", deferred=deferred)
    sms: dict[str, Any] = {
        "event": event,
        "values": values,
        "quiet_hours": quiet_hours,
        "tracking_no": str(params.get("tracking_no", facts.tracking_no)),
        "now": now,
    }
    if deferred is not None:
        deferred.counted.append(sms)
        return 0
    return await _plan_sms(session=session, settings=settings, **sms)


async def _plan_counted(
    session: AsyncSession, values: dict[str, Any], *, how: str, deferred: _Deferred | None
) -> int:
    if deferred is not None:
        deferred.plain.append((values, how))
        return 0
    planned = await repository.plan(session, values)
    if planned:
        _count(session, values["channel"], how)
    return int(planned)


def _read(session: AsyncSession) -> dict[str, dict[str, Any]]:
    """What the transaction has read of rules and preferences: each is read once per
    transaction (a consumer's run of events), not once per event. A change committed
    meanwhile applies from the next run on."""
    read: dict[str, dict[str, Any]] = session.info.setdefault("notify.planning.read", {})
    return read


async def _rule(session: AsyncSession, event_type: str) -> Rule | None:
    rules = _read(session).setdefault("rules", {})
    if event_type not in rules:
        rules[event_type] = await rule_repository.get(session, event_type)
    rule: Rule | None = rules[event_type]
    return rule


async def _preference(
    session: AsyncSession,
    staff_id: str,
    seen: dict[str, Preference | None] | None,
    *,
    lock: str | None = None,
) -> Preference | None:
    """The staff member's preferences (read once per transaction with `seen`). `lock`:
    a channel whose recipient lock (:func:`_lock_recipient`) the planning will take
    next; a first read takes it in the same statement."""
    if seen is not None and staff_id in seen:
        return seen[staff_id]
    if lock is not None and f"{lock}:staff:{staff_id}" not in _locks(session):
        preference = await repository.lock_recipient_with_preference(
            session, staff_id=staff_id, channel=lock
        )
        _locks(session).add(f"{lock}:staff:{staff_id}")
    else:
        preference = await preference_repository.get(session, staff_id)
    if seen is not None:
        seen[staff_id] = preference
    return preference


def _locks(session: AsyncSession) -> set[str]:
    """The recipients' locks (``channel:recipient``) the session's current transaction
    holds: each taken once per transaction, until it ends."""
    transaction = session.sync_session.get_transaction()
    held: tuple[object, set[str]] | None = session.info.get("notify.planning.locks")
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        session.info["notify.planning.locks"] = held
    return held[1]


async def _lock_recipient(session: AsyncSession, *, recipient_id: str, channel: str) -> None:
    """Serialises planning for one recipient and channel (burst counting), until the
    transaction ends; taken once per transaction."""
    key = f"{channel}:{recipient_id}"
    if key not in _locks(session):
        await repository.lock_recipient(session, recipient_id=recipient_id, channel=channel)
        _locks(session).add(key)


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


def _skipped_by(preference: Preference | None, *, channel: str, urgent: bool) -> str | None:
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


async def _plan_sms(
    *,
    session: AsyncSession,
    settings: NotifySettings,
    event: Envelope,
    values: dict[str, Any],
    quiet_hours: str | None,
    tracking_no: str,
    now: datetime,
    along: list[tuple[dict[str, Any], str]] | None = None,
) -> int:
    """An SMS that is not urgent: held until quiet hours end, and folded into a digest
    when the recipient had a burst of them in the window. `along`: the event's plain
    deliveries (:class:`_Deferred`), written by the same statement; counted with it."""
    recipient, channel = values["recipient_id"], values["channel"]
    held = quiet_until(now, quiet_hours, settings.timezone)
    if held is not None:
        values["next_attempt_at"] = held
    await _lock_recipient(session, recipient_id=recipient, channel=channel)
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    along = along or []
    inserted = await repository.plan_under(
        session,
        values,
        since=now - window,
        limit=settings.sms_burst_limit,
        along=[v for v, _ in along],
    )
    planned = _count_plain(session, along, inserted)
    if values["id"] in inserted:
        _count(session, channel, "held" if held else "now")
        return planned + 1
    return planned + await _over_limit(
        session=session,
        settings=settings,
        event=event,
        values=values,
        held=held,
        tracking_no=tracking_no,
        now=now,
    )


async def _over_limit(
    *,
    session: AsyncSession,
    settings: NotifySettings,
    event: Envelope,
    values: dict[str, Any],
    held: datetime | None,
    tracking_no: str,
    now: datetime,
) -> int:
    """An SMS its statement did not plan: a repeat (nothing), or over the burst limit
    (folded into the recipient's digest)."""
    recipient, channel = values["recipient_id"], values["channel"]
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    recent = await repository.recent(
        session, recipient_id=recipient, channel=channel, since=now - window
    )
    if len(recent) < settings.sms_burst_limit:
        return 0  # under the limit, yet not planned: a repeat, refused by its key
    if await repository.exists(session, values["idempotency_key"]):
        return 0  # a repeat: not folded twice
    digest_id = await _fold(
        session=session,
        event=event,
        recipient=recipient,
        channel=channel,
        tracking_no=tracking_no,
        due=max(recent[0] + window, held or now),
        now=now,
    )
    _count(session, channel, "digested")
    return int(
        await repository.plan(session, {**values, "status": "digested", "digest_id": digest_id})
    )


async def _fold(
    *,
    session: AsyncSession,
    event: Envelope,
    recipient: str,
    channel: str,
    tracking_no: str,
    due: datetime,
    now: datetime,
) -> UUID:
    """Adds a message to the recipient's open digest (or opens one, to be sent when the
    burst window ends); returns the digest's id."""
    digest = await repository.open_digest(session, recipient_id=recipient, channel=channel)
    if digest is not None:
        items = [*digest.params.get("tracking_nos", []), tracking_no]
        await repository.finish(
            session,
            digest.id,
            {
                "params": {**digest.params, "tracking_nos": items, "count": len(items)},
                "updated_at": now,
            },
        )
        return digest.id
    digest_id = new_id()
    await repository.plan(
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
