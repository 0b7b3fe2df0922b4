"""Who hears what (the rules, as data), and recording the intent to tell them.

For each event with a rule, every ``{selector, channels}`` entry yields recipients
(``staff:<id>``, ``resident:<report case id>``, ``hotline:<ticket_no>``,
``robot:<area or department code>``) and one delivery is planned per event, recipient
and channel — once, whatever the number of selectors that name the same person. On the
way, a staff member's preferences may skip a channel (never SMS about an urgent case),
quiet hours hold SMS that is not urgent until the morning, and a burst of SMS to one
person folds into a digest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.envelope import Envelope, new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.clock import Clock
from gridcase_events.kit.db import on_commit
from notify.config import NotifySettings
from notify.contacts import repository as contact_repository
from notify.deliveries import repository
from notify.preferences import repository as preference_repository
from notify.reporters import repository as reporter_repository
from notify.robots import repository as robot_repository
from notify.robots import service as robot_service
from notify.rules import repository as rule_repository

log = structlog.get_logger(__name__)

PLANNED = Counter(
    "gridcase_notify_planned_total",
    "Deliveries planned by channel and how (now, held for quiet hours, digested, skipped)",
    ["channel", "how"],
)

STATUS_WORDS = {"case.accepted": "accepted", "case.resolved": "resolved", "case.closed": "closed"}


def _count(session: AsyncSession, channel: str, how: str) -> None:
    """Counts a planned delivery once its transaction commits (a handler that rolls
    back and is retried must not count twice)."""
    on_commit(session, PLANNED.labels(channel, how).inc)


def idempotency_key(*, event_id: Any, recipient_id: str, channel: str) -> str:
    return f"{event_id}:{recipient_id}:{channel}"


# ------------------------------------------------------------------------ quiet hours


def parse_quiet_hours(value: str | None) -> tuple[time, time] | None:
    if not value:
        return None
    start, _, end = value.partition("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def quiet_until(now: datetime, quiet_hours: str | None, timezone: str) -> datetime | None:
    """The end of the quiet hours `now` falls in (UTC), or None outside them.

    A window whose start is after its end (22:00-07:00) spans midnight.
    """
    window = parse_quiet_hours(quiet_hours)
    if window is None or window[0] == window[1]:
        return None
    start, end = window
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= t < end
        day = local.date()
    else:
        inside = t >= start or t < end
        day = local.date() + timedelta(days=1) if t >= start else local.date()
    if not inside:
        return None
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


# --------------------------------------------------------------------------- facts


@dataclass
class Facts:
    """What the rules need to know of an event, whatever its type."""

    case_id: UUID | None
    tracking_no: str
    priority: str
    params: dict[str, Any]
    assignee_id: str | None = None
    rung: list[str] = field(default_factory=list)
    grid_code: str | None = None
    community_code: str | None = None
    department_code: str | None = None
    case_channel: str | None = None
    external_ref: str | None = None
    status: str | None = None
    note: str | None = None
    at: datetime | None = None

    @property
    def area_code(self) -> str | None:
        return self.grid_code or self.community_code


def _local(value: datetime, timezone: str) -> str:
    return value.astimezone(ZoneInfo(timezone)).strftime("%m-%d %H:%M")


def _sla_params(sla: Any, timezone: str) -> dict[str, Any]:
    return {
        "tracking_no": sla.tracking_no,
        "clock": sla.clock,
        "due_local": _local(sla.due_at, timezone),
        "priority": sla.priority,
    }


def facts_of(event_type: str, payload: Any, *, timezone: str) -> Facts | None:
    """Reads an event into :class:`Facts` (None for an event with no one to tell)."""
    if isinstance(payload, payloads.CaseAssigned):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=payload.assignee_id,
            grid_code=payload.grid_code,
            community_code=payload.community_code,
            department_code=payload.department_code,
            case_channel=payload.channel,
            external_ref=payload.external_ref,
            params={
                "tracking_no": payload.tracking_no,
                "summary": payload.summary,
                "priority": payload.priority,
                "post": payload.post,
            },
        )
    if isinstance(payload, payloads.CaseEscalated):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            rung=list(payload.target_staff_ids),
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={
                **_sla_params(payload, timezone),
                "level": payload.level,
                "urge": payload.urge,
                "buck_passing": payload.buck_passing,
                "reason": payload.reason,
            },
        )
    if isinstance(payload, payloads.SlaWarning | payloads.SlaBreached):
        # An ownership clock has no assignee to tell: nobody has accepted the case.
        assignee = None if payload.clock == "ownership" else payload.assignee_id
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=assignee,
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={**_sla_params(payload, timezone), "percent": getattr(payload, "percent", 100)},
        )
    if isinstance(payload, payloads.SupervisionIssued):
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority="normal",
            grid_code=payload.grid_code,
            department_code=payload.department_code,
            params={
                "tracking_no": payload.tracking_no,
                "card": payload.card,
                "reason": payload.reason,
            },
        )
    if isinstance(payload, payloads.CaseAccepted | payloads.CaseResolved | payloads.CaseClosed):
        note = getattr(payload, "note", None)
        return Facts(
            case_id=payload.case_id,
            tracking_no=payload.tracking_no,
            priority=payload.priority,
            assignee_id=payload.assignee_id,
            grid_code=payload.grid_code,
            community_code=payload.community_code,
            department_code=payload.department_code,
            case_channel=payload.channel,
            external_ref=payload.external_ref,
            status=STATUS_WORDS[event_type],
            note=note,
            at=payload.at,
            params={
                "tracking_no": payload.tracking_no,
                "status": STATUS_WORDS[event_type],
                "note": note,
                "at_local": _local(payload.at, timezone),
            },
        )
    return None


# ------------------------------------------------------------------------ selectors

Targets = list[tuple[str, dict[str, Any]]]  # recipient id, its own params


def _staff(ids: list[str]) -> Targets:
    return [(f"staff:{i}", {}) for i in ids]


async def select_recipients(
    *,
    session: AsyncSession,
    selector: str,
    channels: list[str],
    facts: Facts,
    settings: NotifySettings,
) -> Targets:
    if selector == "assignee":
        return _staff([facts.assignee_id] if facts.assignee_id else [])
    if selector == "rung":
        return _staff(facts.rung)
    if selector == "grid_leader":
        if not facts.grid_code:
            return []
        return _staff(
            await contact_repository.by_role(session, role="grid_leader", area_code=facts.grid_code)
        )
    if selector == "station_master":
        community = facts.community_code or (facts.grid_code[:12] if facts.grid_code else None)
        if not community:
            return []
        return _staff(
            await contact_repository.by_role(session, role="station_master", area_code=community)
        )
    if selector == "department_operators":
        if not facts.department_code:
            return []
        return _staff(
            await contact_repository.by_role(
                session, role="department_operator", department_code=facts.department_code
            )
        )
    if selector == "reporters":
        if facts.case_id is None:
            return []
        return [
            (f"resident:{r.report_id}", {"tracking_no": r.tracking_no})
            for r in await reporter_repository.of_case(session, facts.case_id)
            if r.phone_enc
        ]
    if selector == "hotline":
        return await _hotline_tickets(session=session, facts=facts, settings=settings)
    if selector == "area_robot":
        targets: Targets = []
        for channel in channels:
            code = await robot_service.robot_code(
                session=session,
                channel=channel,
                area_code=facts.area_code,
                department_code=facts.department_code,
            )
            if code:
                targets.append((f"robot:{code}", {}))
        return targets
    raise ValueError(f"unknown selector {selector}")


async def _hotline_tickets(
    *, session: AsyncSession, facts: Facts, settings: NotifySettings
) -> Targets:
    """The 12345 tickets of a case: its own, and those of hotline reports merged into it."""
    if not settings.hotline_callback_url or facts.status is None:
        return []
    tickets: list[str] = []
    if facts.case_channel == "hotline" and facts.external_ref:
        tickets.append(facts.external_ref)
    if facts.case_id is not None:
        for r in await reporter_repository.of_case(session, facts.case_id):
            if r.channel == "hotline" and r.external_ref:
                tickets.append(r.external_ref)
    at = facts.at.isoformat() if facts.at else None
    return [
        (
            f"hotline:{ticket}",
            {"ticket_no": ticket, "status": facts.status, "time": at, "note": facts.note},
        )
        for ticket in dict.fromkeys(tickets)
    ]


# -------------------------------------------------------------------------- planning


async def plan_event(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    event: Envelope,
    payload: Any,
    only: set[str] | None = None,
) -> int:
    """Plans the deliveries an event calls for, by its rule; returns how many.

    `only` restricts the recipients (a reporter learned after the event, see
    :func:`plan_owed`); without it, a progress event is also kept as owed to residents
    who are not known yet."""
    rule = await rule_repository.get(session, event.type)
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
    planned = 0
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
        )
    return planned


async def plan_owed(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: NotifySettings,
    case_id: UUID,
    report_id: UUID,
    since: datetime | None = None,
) -> int:
    """Plans, for a reporter notify has just learned of, the progress events of the case
    it saw first (cross-topic reordering); for a reporter merged in, only those that
    happened from `since` (the merge) on. The caller holds the case's lock
    (:func:`notify.reporters.repository.lock_case`) and has recorded the reporter."""
    reporter = await reporter_repository.by_report(session, report_id)
    if reporter is None:
        return 0
    only = {f"resident:{report_id}"}
    if reporter.channel == "hotline" and reporter.external_ref:
        only.add(f"hotline:{reporter.external_ref}")
    planned = 0
    for notice in await reporter_repository.owed(session, case_id):
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
    """Records one delivery (once per event, recipient and channel)."""
    key = idempotency_key(event_id=event.id, recipient_id=recipient, channel=channel)
    if await repository.exists(session, key):
        return 0
    now = clock.now()
    urgent = facts.priority == "urgent"
    values: dict[str, Any] = {
        "id": new_id(),
        "idempotency_key": key,
        "trigger_event_id": event.id,
        "trigger_event_type": event.type,
        "case_id": facts.case_id,
        "correlation_id": event.correlation_id,
        "trace_context": tracing.current_carrier(),
        "channel": channel,
        "recipient_id": recipient,
        "recipient_masked": "",  # learned when sending
        "template": event.type,
        "params": params,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "planned_at": now,
        "updated_at": now,
    }
    quiet_hours: str | None = settings.quiet_hours
    if recipient.startswith("staff:"):
        preference = await preference_repository.get(session, recipient.removeprefix("staff:"))
        skip = None
        if preference is not None:
            if preference.quiet_hours is not None:
                quiet_hours = preference.quiet_hours
            if channel in preference.disabled_channels:
                if channel == "sms" and urgent:
                    log.info("sms about an urgent case sent despite the preference")
                else:
                    skip = f"{channel} turned off in the recipient's preferences"
        if channel == "email" and (preference is None or not preference.email):
            skip = "no e-mail address in the recipient's preferences"
        if skip:
            _count(session, channel, "skipped")
            return int(
                await repository.plan(session, {**values, "status": "skipped", "last_error": skip})
            )
    if channel != "sms" or urgent:
        _count(session, channel, "now")
        return int(await repository.plan(session, values))

    held = quiet_until(now, quiet_hours, settings.timezone)
    if held is not None:
        values["next_attempt_at"] = held
    await repository.lock_recipient(session, recipient_id=recipient, channel=channel)
    window = timedelta(minutes=settings.sms_burst_window_minutes)
    recent = await repository.recent(
        session, recipient_id=recipient, channel=channel, since=now - window
    )
    if len(recent) < settings.sms_burst_limit:
        _count(session, channel, "held" if held else "now")
        return int(await repository.plan(session, values))
    digest_id = await _fold(
        session=session,
        event=event,
        recipient=recipient,
        channel=channel,
        tracking_no=str(params.get("tracking_no", facts.tracking_no)),
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


# ---------------------------------------------------------------------------- resend


class NotFailed(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(f"only a failed delivery can be resent; this one is {status}")
        self.status = status


class AlreadyResent(Exception):
    def __init__(self, status: str) -> None:
        super().__init__(f"this delivery has already been resent; that resend is {status}")
        self.status = status


async def resend(*, session: AsyncSession, clock: Clock, delivery_id: UUID, by: str) -> Any | None:
    """A new attempt cycle for a failed delivery, under a key derived from the original
    (``<key>:resend:<n>``) so that a provider does not take it for the original.

    Once only: while a resend of it is pending, being sent or delivered, another is
    refused (:class:`AlreadyResent`); only after that one failed too may it be resent
    again. Concurrent requests are serialised by a lock on the original's key."""
    found = await repository.get(session, delivery_id)
    if found is None:
        return None
    base = found.idempotency_key.split(":resend:")[0]
    await repository.lock_resends(session, base)
    original = await repository.get_for_update(session, delivery_id)
    if original is None:
        return None
    if original.status != "failed":
        raise NotFailed(original.status)
    earlier = await repository.resends(session, base)
    for other in earlier:
        if other.status != "failed":
            raise AlreadyResent(other.status)
    n = len(earlier) + 1
    now = clock.now()
    new = new_id()
    inserted = await repository.plan(
        session,
        {
            "id": new,
            "idempotency_key": f"{base}:resend:{n}",
            "trigger_event_id": original.trigger_event_id,
            "trigger_event_type": original.trigger_event_type,
            "case_id": original.case_id,
            "correlation_id": original.correlation_id,
            "channel": original.channel,
            "recipient_id": original.recipient_id,
            "recipient_masked": original.recipient_masked,
            "template": original.template,
            "params": original.params,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "planned_at": now,
            "updated_at": now,
            "resent_from": original.id,
            "resent_by": by,
        },
    )
    if not inserted:  # the key is taken: someone else resent it meanwhile
        raise AlreadyResent("pending")
    log.info("delivery resent", delivery_id=str(original.id), resend_id=str(new), resent_by=by)
    return await repository.get(session, new)
