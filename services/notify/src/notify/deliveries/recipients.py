"""Who a rule's selector names for an event (``staff:<id>``, ``resident:<report case
id>``, ``hotline:<ticket_no>``, ``robot:<area or department code>``), with each
recipient's own template parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events.areas import community_of
from notify.config import NotifySettings
from notify.contacts import repository as contact_repository
from notify.deliveries.facts import Facts
from notify.reporters import repository as reporter_repository
from notify.robots import service as robot_service

Targets = list[tuple[str, dict[str, Any]]]  # recipient id, its own params


def _staff(ids: list[str]) -> Targets:
    return [(f"staff:{i}", {}) for i in ids]


@dataclass(frozen=True)
class _Query:
    session: AsyncSession
    channels: list[str]
    facts: Facts
    settings: NotifySettings


async def _assignee(q: _Query) -> Targets:
    return _staff([q.facts.assignee_id] if q.facts.assignee_id else [])


async def _rung(q: _Query) -> Targets:
    return _staff(q.facts.rung)


async def _grid_leader(q: _Query) -> Targets:
    if not q.facts.grid_code:
        return []
    return _staff(
        await contact_repository.by_role(q.session, role="grid_leader", area_code=q.facts.grid_code)
    )


async def _station_master(q: _Query) -> Targets:
    community = q.facts.community_code or community_of(q.facts.grid_code)
    if not community:
        return []
    return _staff(
        await contact_repository.by_role(q.session, role="station_master", area_code=community)
    )


async def _department_operators(q: _Query) -> Targets:
    if not q.facts.department_code:
        return []
    return _staff(
        await contact_repository.by_role(
            q.session, role="department_operator", department_code=q.facts.department_code
        )
    )


async def _reporters(q: _Query) -> Targets:
    if q.facts.case_id is None:
        return []
    return [
        (f"resident:{r.report_id}", {"tracking_no": r.tracking_no})
        for r in await reporter_repository.of_case(q.session, q.facts.case_id)
        if r.phone_enc
    ]


async def _hotline(q: _Query) -> Targets:
    return await _hotline_tickets(session=q.session, facts=q.facts, settings=q.settings)


async def _area_robot(q: _Query) -> Targets:
    targets: Targets = []
    for channel in q.channels:
        code = await robot_service.robot_code(
            session=q.session,
            channel=channel,
            area_code=q.facts.area_code,
            department_code=q.facts.department_code,
        )
        if code:
            targets.append((f"robot:{code}", {}))
    return targets


_SELECTORS: dict[str, Callable[[_Query], Awaitable[Targets]]] = {
    "assignee": _assignee,
    "rung": _rung,
    "grid_leader": _grid_leader,
    "station_master": _station_master,
    "department_operators": _department_operators,
    "reporters": _reporters,
    "hotline": _hotline,
    "area_robot": _area_robot,
}


async def select_recipients(
    *,
    session: AsyncSession,
    selector: str,
    channels: list[str],
    facts: Facts,
    settings: NotifySettings,
) -> Targets:
    """The recipients a rule's `selector` names for an event with these `facts`."""
    select = _SELECTORS.get(selector)
    if select is None:
        raise ValueError(f"unknown selector {selector}")
    return await select(_Query(session, channels, facts, settings))


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
