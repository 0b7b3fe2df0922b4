"""``GET /v1/dev/people`` and ``POST /v1/dev/sign-in``, for development only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException

from dispatch.deps import RuntimeDep, SettingsDep
from dispatch.devsignin import repository
from dispatch.devsignin.schemas import PersonRead, SignInIn, SignInRead
from gridcase_events.kit import auth
from gridcase_events.kit.settings import PlatformSettings

TOKEN_TTL = timedelta(hours=12)

router = APIRouter(tags=["development sign-in"])


@router.get(
    "/v1/dev/people",
    response_model=list[PersonRead],
    summary="Everyone in the staff directory (development only)",
)
async def list_people(runtime: RuntimeDep) -> list[PersonRead]:
    async with runtime.sessionmaker() as session:
        rows = await repository.people(session)
    return [PersonRead.model_validate(row) for row in rows]


@router.post(
    "/v1/dev/sign-in",
    response_model=SignInRead,
    summary="A token as one person of the directory (development only)",
    responses={404: {"description": "no such person in the staff directory"}},
)
async def sign_in(body: SignInIn, runtime: RuntimeDep, settings: SettingsDep) -> SignInRead:
    async with runtime.sessionmaker() as session:
        row = await repository.person(session, body.staff_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"no staff member {body.staff_id!r}")
    person = PersonRead.model_validate(row)
    # The services check a token's expiry against the wall clock (PyJWT), not the
    # runtime's clock, so the token is minted on the wall clock too.
    now = datetime.now(UTC).replace(microsecond=0)
    token = auth.mint(
        settings.jwt_key(),
        sub=person.staff_id,
        role=person.role,
        area_code=person.area_code,
        department_code=person.department_code,
        now=now,
        ttl=TOKEN_TTL,
    )
    return SignInRead(token=token, expires_at=now + TOKEN_TTL, person=person)


def routers(settings: PlatformSettings) -> list[APIRouter]:
    """The development sign-in routes, or none outside development."""
    return [router] if settings.env == "development" else []
