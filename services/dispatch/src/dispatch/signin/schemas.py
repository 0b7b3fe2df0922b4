from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class OidcConfigRead(BaseModel):
    """The identity provider the web app signs in at (its discovery document is at
    ``<issuer>/.well-known/openid-configuration``)."""

    issuer: str
    client_id: str
    scopes: str = Field(description="space-separated, openid among them")
    redirect_path: str = Field(description="the app's path the provider sends the browser back to")
    post_logout_redirect_path: str


class SignInConfigRead(BaseModel):
    """How people sign in to this deployment: at the identity provider (``oidc``), and in
    development also as any person of the directory (``development``)."""

    methods: list[Literal["oidc", "development"]]
    oidc: OidcConfigRead | None
