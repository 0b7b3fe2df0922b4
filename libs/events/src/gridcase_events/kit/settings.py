"""Settings shared by every service, read from unprefixed environment variables
(README, Configuration). A service subclasses :class:`PlatformSettings` with its own
``env_prefix`` for what is its alone.

Secrets have no defaults in production: a service refuses to start without them, with
the published development values below, or with a short key. With
``GRIDCASE_ENV=development`` unset secrets take the fixed development values, which
``gridcase dev up`` prints.

Staff tokens are HS256 under ``GRIDCASE_JWT_SECRET``, or — when
``GRIDCASE_JWT_JWKS_URL`` is set — RS256 from the city's identity provider, verified
against its JWKS. Either way they carry an issuer and an audience, which production
checks (``GRIDCASE_JWT_ISSUER``, ``GRIDCASE_JWT_AUDIENCE``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "gridcase-development-jwt-secret-do-not-use-in-production"  # noqa: S105 - development only
DEV_HOTLINE_SECRET = "gridcase-dev-hotline-secret"  # noqa: S105
DEV_OPEN311_API_KEY = "gridcase-dev-open311-key"
DEV_PII_KEY = "Z3JpZGNhc2UtZGV2LXBpaS1rZXktMzItYnl0ZXMhISE="  # base64 of a 32-byte dev key
DEV_SECRETS = {
    "GRIDCASE_JWT_SECRET": DEV_JWT_SECRET,
    "GRIDCASE_HOTLINE_SECRETS": DEV_HOTLINE_SECRET,
    "GRIDCASE_OPEN311_API_KEYS": DEV_OPEN311_API_KEY,
    "GRIDCASE_PII_KEY": DEV_PII_KEY,
}
MIN_SECRET_BYTES = 32
DEFAULT_JWT_ISSUER = "gridcase"
SERVICES = ("intake", "dispatch", "escalation", "notify")
DEFAULT_KAFKA = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://gridcase:gridcase@127.0.0.1:55432/gridcase"


def _csv(value: SecretStr | None) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)

    kafka_bootstrap_servers: str = Field(DEFAULT_KAFKA, validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    database_url: SecretStr = Field(
        SecretStr(DEFAULT_DATABASE_URL), validation_alias="DATABASE_URL"
    )
    env: Literal["development", "production"] = Field("production", validation_alias="GRIDCASE_ENV")
    jwt_secret: SecretStr | None = Field(None, validation_alias="GRIDCASE_JWT_SECRET")
    hotline_secrets_raw: SecretStr | None = Field(None, validation_alias="GRIDCASE_HOTLINE_SECRETS")
    open311_api_keys_raw: SecretStr | None = Field(
        None, validation_alias="GRIDCASE_OPEN311_API_KEYS"
    )
    pii_key: SecretStr | None = Field(None, validation_alias="GRIDCASE_PII_KEY")
    jwt_issuer: str = Field(
        DEFAULT_JWT_ISSUER, validation_alias="GRIDCASE_JWT_ISSUER", min_length=1
    )
    jwt_audience_raw: str | None = Field(
        None,
        validation_alias="GRIDCASE_JWT_AUDIENCE",
        description="comma-separated audiences a service accepts; unset: gridcase-<service>",
    )
    jwt_jwks_url: str | None = Field(
        None, validation_alias="GRIDCASE_JWT_JWKS_URL", pattern=r"^https?://\S+$"
    )
    jwt_jwks_cache_seconds: float = Field(
        3600.0, validation_alias="GRIDCASE_JWT_JWKS_CACHE_SECONDS", gt=0
    )
    jwt_jwks_min_refresh_seconds: float = Field(
        30.0,
        validation_alias="GRIDCASE_JWT_JWKS_MIN_REFRESH_SECONDS",
        ge=0,
        description="an unknown key id fetches the JWKS again at most this often",
    )
    jwt_role_claim: str = Field("role", validation_alias="GRIDCASE_JWT_ROLE_CLAIM", min_length=1)
    jwt_area_claim: str = Field(
        "area_code", validation_alias="GRIDCASE_JWT_AREA_CLAIM", min_length=1
    )
    jwt_department_claim: str = Field(
        "department_code", validation_alias="GRIDCASE_JWT_DEPARTMENT_CLAIM", min_length=1
    )
    # The web app's sign-in at the identity provider (OpenID Connect, authorization code +
    # PKCE); dispatch serves these to the app (GET /v1/sign-in/config, docs/sign-in.md).
    # The provider's issuer is GRIDCASE_JWT_ISSUER: the tokens it issues carry it.
    oidc_client_id: str | None = Field(
        None, validation_alias="GRIDCASE_OIDC_CLIENT_ID", min_length=1, max_length=200
    )
    oidc_scopes: str = Field(
        "openid profile",
        validation_alias="GRIDCASE_OIDC_SCOPES",
        pattern=r"^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$",
        description="space-separated scopes the web app asks for (openid among them)",
    )
    tenant: str = Field("510302", validation_alias="GRIDCASE_TENANT", pattern=r"^\d{6}$")
    topic_namespace: str = Field(
        "", validation_alias="GRIDCASE_TOPIC_NAMESPACE", pattern=r"^[A-Za-z0-9._-]*$"
    )
    topic_partitions: int = Field(6, validation_alias="GRIDCASE_TOPIC_PARTITIONS", ge=1)
    create_topics: bool = Field(True, validation_alias="GRIDCASE_CREATE_TOPICS")
    log_level: str = Field("INFO", validation_alias="GRIDCASE_LOG_LEVEL")
    log_format: Literal["json", "console"] = Field("json", validation_alias="GRIDCASE_LOG_FORMAT")
    startup_timeout: float = Field(60.0, validation_alias="GRIDCASE_STARTUP_TIMEOUT", gt=0)
    # Request bodies, per service (the service's prefix: DISPATCH_MAX_BODY_BYTES, ...).
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="larger request bodies get 413 (multipart: below)"
    )
    max_upload_bytes: int = Field(
        10 * 1_048_576, ge=1024, description="larger multipart uploads get 413"
    )
    # What this process runs: `api` the HTTP API (and the outbox relay),
    # `worker` the consumers and background workers (HTTP: /healthz, /readyz, /metrics
    # only), `all` both. Set by `python -m <service> --role` (kit/serve.py).
    role: Literal["api", "worker", "all"] = Field("all", validation_alias="GRIDCASE_ROLE")
    # Throughput knobs (docs/benchmarks.md): the database pool of a process
    # (that many connections, and as many again in overflow) and how long the producer
    # waits to batch records into one request.
    db_pool_size: int = Field(10, validation_alias="GRIDCASE_DB_POOL_SIZE", ge=1, le=200)
    # A ping before each checkout: off, as a dead connection is a transient error
    # already (kit/db.py create_engine); on for networks that cut idle connections.
    db_pre_ping: bool = Field(False, validation_alias="GRIDCASE_DB_PRE_PING")
    producer_linger_ms: int = Field(
        5, validation_alias="GRIDCASE_PRODUCER_LINGER_MS", ge=0, le=1000
    )

    @field_validator("oidc_scopes")
    @classmethod
    def _openid_scope(cls, value: str) -> str:
        if "openid" not in value.split(" "):
            raise ValueError("GRIDCASE_OIDC_SCOPES must include openid")
        return value

    @model_validator(mode="after")
    def _secrets(self) -> PlatformSettings:
        if self.env == "development":
            self.jwt_secret = self.jwt_secret or SecretStr(DEV_JWT_SECRET)
            self.hotline_secrets_raw = self.hotline_secrets_raw or SecretStr(DEV_HOTLINE_SECRET)
            self.open311_api_keys_raw = self.open311_api_keys_raw or SecretStr(DEV_OPEN311_API_KEY)
            self.pii_key = self.pii_key or SecretStr(DEV_PII_KEY)
            return self
        missing = [
            name
            for name, value in (
                ("GRIDCASE_HOTLINE_SECRETS", self.hotline_secrets_raw),
                ("GRIDCASE_PII_KEY", self.pii_key),
            )
            if not _csv(value)
        ]
        if not _csv(self.jwt_secret) and not self.jwt_jwks_url:
            missing.insert(0, "GRIDCASE_JWT_SECRET")
        if missing:
            raise ValueError(
                f"missing secrets in production: {', '.join(missing)} "
                "(or set GRIDCASE_ENV=development for fixed development values)"
            )
        for name, value in (
            ("GRIDCASE_JWT_SECRET", self.jwt_secret),
            ("GRIDCASE_HOTLINE_SECRETS", self.hotline_secrets_raw),
            ("GRIDCASE_OPEN311_API_KEYS", self.open311_api_keys_raw),
            ("GRIDCASE_PII_KEY", self.pii_key),
        ):
            values = _csv(value) if name != "GRIDCASE_JWT_SECRET" else [_secret(value)]
            if DEV_SECRETS[name] in values:
                raise ValueError(
                    f"{name} holds the published development value: "
                    "set a secret of your own in production"
                )
        if 0 < len(_secret(self.jwt_secret).encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"GRIDCASE_JWT_SECRET must be at least {MIN_SECRET_BYTES} characters")
        if any(len(secret.encode()) < MIN_SECRET_BYTES for secret in self.hotline_secrets):
            raise ValueError(
                f"each of GRIDCASE_HOTLINE_SECRETS must be at least {MIN_SECRET_BYTES} bytes"
            )
        return self

    def jwt_audiences(self, service: str) -> list[str]:
        """The audiences a service accepts: ``GRIDCASE_JWT_AUDIENCE``, else its own."""
        configured = [a.strip() for a in (self.jwt_audience_raw or "").split(",") if a.strip()]
        return configured or [f"gridcase-{service}"]

    def token_claims(self) -> dict[str, Any]:
        """The issuer and audience of tokens this deployment mints (the development CLI):
        ``GRIDCASE_JWT_AUDIENCE``, else every service's own audience."""
        configured = [a.strip() for a in (self.jwt_audience_raw or "").split(",") if a.strip()]
        return {
            "issuer": self.jwt_issuer,
            "audience": configured or [f"gridcase-{service}" for service in SERVICES],
        }

    @property
    def hotline_secrets(self) -> list[str]:
        """All accepted hotline secrets; the first signs outgoing callbacks."""
        return _csv(self.hotline_secrets_raw)

    @property
    def open311_api_keys(self) -> list[str]:
        return _csv(self.open311_api_keys_raw)

    def jwt_key(self) -> str:
        assert self.jwt_secret is not None
        return self.jwt_secret.get_secret_value()

    def pii_key_value(self) -> str:
        assert self.pii_key is not None
        return self.pii_key.get_secret_value()
