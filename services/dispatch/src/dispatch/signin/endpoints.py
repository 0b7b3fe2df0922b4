"""``GET /v1/sign-in/config`` (no token: the app reads it before anyone is signed in) and
``GET /v1/me``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from dispatch.deps import RuntimeDep, SettingsDep
from dispatch.devsignin import repository as people_repository
from dispatch.devsignin.schemas import PersonRead
from dispatch.signin.schemas import OidcConfigRead, SignInConfigRead
from gridcase_events.kit.auth import CurrentPrincipal

REDIRECT_PATH = "/auth/callback"
POST_LOGOUT_REDIRECT_PATH = "/sign-in"

router = APIRouter(tags=["sign-in"])


@router.get(
    "/v1/sign-in/config",
    response_model=SignInConfigRead,
    summary="How the web app signs people in (the identity provider, by configuration)",
)
async def sign_in_config(settings: SettingsDep) -> SignInConfigRead:
    oidc = (
        OidcConfigRead(
            issuer=settings.jwt_issuer,
            client_id=settings.oidc_client_id,
            scopes=settings.oidc_scopes,
            redirect_path=REDIRECT_PATH,
            post_logout_redirect_path=POST_LOGOUT_REDIRECT_PATH,
        )
        if settings.oidc_client_id
        else None
    )
    methods: list[str] = (["oidc"] if oidc else []) + (
        ["development"] if settings.env == "development" else []
    )
    return SignInConfigRead.model_validate({"methods": methods, "oidc": oidc})


@router.get(
    "/v1/me",
    response_model=PersonRead,
    summary="The signed-in person, as the staff directory has them",
    responses={404: {"description": "the token's person is not in the staff directory"}},
)
async def me(principal: CurrentPrincipal, runtime: RuntimeDep) -> PersonRead:
    async with runtime.sessionmaker() as session:
        row = await people_repository.person(session, principal.sub)
    if row is None:
        raise HTTPException(
            status_code=404, detail=f"{principal.sub!r} is not in the staff directory"
        )
    return PersonRead.model_validate(row)
