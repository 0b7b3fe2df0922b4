"""Time limits as data: for a category and priority, each clock's limit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.policies import repository
from escalation.policies.models import ANY, CITY, Policy
from escalation.policies.schemas import PolicyIn
from gridcase_events.kit.errors import Forbidden, NotFound
from gridcase_events.kit.versions import ensure_unchanged


class Row(Protocol):
    @property
    def district_code(self) -> str | None: ...

    def model_dump(self) -> dict[str, Any]: ...


class NoPolicy(NotFound, LookupError):
    """No limit is configured for this clock (404 where a request asks for it)."""


async def policy_for(
    session: AsyncSession,
    *,
    category_code: str | None,
    priority: str,
    clock: str,
    district: str | None = None,
) -> Policy:
    """The most specific policy: category and priority, then category, then priority;
    at the same specificity the district's own over the city's default."""
    found = await repository.candidates(
        session, category_code=category_code, priority=priority, clock=clock, district=district
    )

    def specificity(p: Policy) -> tuple[bool, bool, bool]:
        return (p.category_code != ANY, p.priority != ANY, p.district_code != CITY)

    if not found:
        raise NoPolicy(f"no {clock} policy for {category_code or 'any category'}/{priority}")
    return max(found, key=specificity)


async def all_policies(session: AsyncSession, *, district: str | None) -> Sequence[Policy]:
    """The city's default and `district`'s own policies (None: every district's)."""
    return await repository.all_policies(session, district=district)


def owned_rows(rows: Sequence[Row], *, walled: str | None) -> list[dict[str, Any]]:
    """The rows as stored, each with its district (absent: the caller's; the city's
    default for an admin of the whole deployment). An admin of a district changes that
    district's own rows only; the city's default and other districts' belong to an
    admin of the whole deployment (403)."""
    owned = []
    for row in rows:
        district = row.district_code if row.district_code is not None else (walled or CITY)
        if walled is not None and district != walled:
            whose = f"district {district}'s" if district else "the city's default"
            raise Forbidden(f"an admin of district {walled} may not change {whose} rows")
        values = row.model_dump() | {"district_code": district}
        values.pop("expected_updated_at", None)  # the editor's version, not a column
        owned.append(values)
    return owned


async def change(
    session: AsyncSession,
    policies: Sequence[PolicyIn],
    *,
    walled: str | None,
    by: str,
    at: datetime,
) -> Sequence[Policy]:
    """Adds or changes the limits (upsert by district, category, priority and clock),
    each row saved as of `at` by `by`; returns those the caller sees. A row sent with
    the version its editor read is refused (409, nothing saved) when someone changed it
    since."""
    rows = owned_rows(policies, walled=walled)
    for row, sent in zip(rows, policies, strict=True):
        if sent.expected_updated_at is None:
            continue
        current = await repository.locked(
            session,
            district_code=row["district_code"],
            category_code=row["category_code"],
            priority=row["priority"],
            clock=row["clock"],
        )
        if current is not None:
            ensure_unchanged(
                what=f"the {row['clock']} limit of {row['category_code']}/{row['priority']}",
                expected=sent.expected_updated_at,
                current_at=current.updated_at,
                current_by=current.updated_by,
            )
    await repository.upsert(session, [row | {"updated_at": at, "updated_by": by} for row in rows])
    return await repository.all_policies(session, district=walled)
