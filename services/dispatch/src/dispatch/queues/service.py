"""The queues a role works (待派, 退回, 待认领 …): saved filters of the case search, each
with its count in the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.queues.schemas import QueueRead, QueuesRead
from dispatch.search import service as search_service
from dispatch.search.schemas import CaseFilters
from dispatch.workflow.rules import OPEN_STATUSES
from gridcase_events.kit.auth import Principal

OPEN = sorted(OPEN_STATUSES)
MINE = ["assigned", "accepted", "suspended"]


@dataclass(frozen=True)
class Queue:
    key: str
    name: str
    filters: CaseFilters


def _q(key: str, name: str, **filters: object) -> Queue:
    return Queue(key, name, CaseFilters.model_validate(filters))


def _area_queues(area: str | None, place: str) -> list[Queue]:
    return [
        _q("open", f"{place}在办", area_code=area, status=OPEN),
        _q("overdue", f"{place}超期", area_code=area, status=OPEN, sla="breached"),
        _q("awaiting_close", "待结案", area_code=area, status=["resolved"]),
    ]


def queues_for(principal: Principal) -> list[Queue]:
    """The role's queues, most urgent first. The scope still narrows every count."""
    mine = _q("mine", "我的待办", assignee_id=principal.sub, status=MINE)
    role = principal.role
    if role in ("dispatcher", "district_center", "city_center"):
        return [
            _q("triage", "待派", status=["triage"], returned=False),
            _q("returned", "退回待派", status=["triage"], returned=True),
            _q("unassigned", "待认领", status=["routed"]),
            _q("overdue", "超期", status=OPEN, sla="breached"),
            _q("awaiting_close", "待结案", status=["resolved"]),
        ]
    if role == "department_operator":
        department = principal.department_code
        return [
            _q("unclaimed", "本部门待认领", department_code=department, status=["routed"]),
            mine,
            _q("overdue", "本部门超期", department_code=department, status=OPEN, sla="breached"),
        ]
    if role == "station_master":
        return _area_queues(principal.area_code, "社区")
    if role == "grid_leader":
        return [*_area_queues(principal.area_code, "网格"), mine]
    if role == "street_officer":
        return _area_queues(principal.area_code, "街道")[:2]
    if role == "grid_member":
        return [mine]
    return [_q("open", "在办", status=OPEN), _q("overdue", "超期", status=OPEN, sla="breached")]


async def queues(*, session: AsyncSession, principal: Principal, now: datetime) -> QueuesRead:
    listed = queues_for(principal)
    counts = await search_service.counts(
        session=session, principal=principal, filters=[q.filters for q in listed], now=now
    )
    return QueuesRead(
        items=[
            QueueRead(
                key=queue.key,
                name=queue.name,
                filter=queue.filters.model_dump(mode="json", exclude_defaults=True),
                count=count,
                count_exact=exact,
            )
            for queue, (count, exact) in zip(listed, counts, strict=True)
        ]
    )
