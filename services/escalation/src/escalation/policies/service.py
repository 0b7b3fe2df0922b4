"""Time limits as data: for a category and priority, each clock's limit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.policies import repository
from escalation.policies.models import ANY, Policy
from escalation.policies.schemas import PolicyIn
from gridcase_events.kit.errors import NotFound


class NoPolicy(NotFound, LookupError):
    """No limit is configured for this clock (404 where a request asks for it)."""


async def policy_for(
    session: AsyncSession, *, category_code: str | None, priority: str, clock: str
) -> Policy:
    """The most specific policy: category and priority, then category, then priority."""
    found = await repository.candidates(
        session, category_code=category_code, priority=priority, clock=clock
    )

    def specificity(p: Policy) -> tuple[int, int]:
        return (p.category_code != ANY, p.priority != ANY)

    if not found:
        raise NoPolicy(f"no {clock} policy for {category_code or 'any category'}/{priority}")
    return max(found, key=specificity)


async def all_policies(session: AsyncSession) -> Sequence[Policy]:
    return await repository.all_policies(session)


async def change(session: AsyncSession, policies: Sequence[PolicyIn]) -> Sequence[Policy]:
    """Adds or changes the limits (upsert by category, priority and clock); returns all."""
    await repository.upsert(session, [p.model_dump() for p in policies])
    return await repository.all_policies(session)
