"""Settings shared by every service, read from unprefixed environment variables
(DESIGN.md §4). A service subclasses :class:`PlatformSettings` with its own
``env_prefix`` for what is its alone.

Secrets have no defaults in production: a service refuses to start without them.
With ``GRIDCASE_ENV=development`` unset secrets take the fixed development values
below, which ``gridcase dev up`` prints.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "gridcase-development-jwt-secret-do-not-use-in-production"  # noqa: S105 - development only
DEV_HOTLINE_SECRET = "gridcase-dev-hotline-secret"  # noqa: S105
DEV_OPEN311_API_KEY = "gridcase-dev-open311-key"
DEV_PII_KEY = "Z3JpZGNhc2UtZGV2LXBpaS1rZXktMzItYnl0ZXMhISE="  # base64 of a 32-byte dev key
DEFAULT_KAFKA = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://gridcase:gridcase@127.0.0.1:55432/gridcase"


def _csv(value: SecretStr | None) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


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
    tenant: str = Field("510302", validation_alias="GRIDCASE_TENANT", pattern=r"^\d{6}$")
    topic_namespace: str = Field(
        "", validation_alias="GRIDCASE_TOPIC_NAMESPACE", pattern=r"^[A-Za-z0-9._-]*$"
    )
    topic_partitions: int = Field(6, validation_alias="GRIDCASE_TOPIC_PARTITIONS", ge=1)
    create_topics: bool = Field(True, validation_alias="GRIDCASE_CREATE_TOPICS")
    log_level: str = Field("INFO", validation_alias="GRIDCASE_LOG_LEVEL")
    log_format: Literal["json", "console"] = Field("json", validation_alias="GRIDCASE_LOG_FORMAT")
    startup_timeout: float = Field(60.0, validation_alias="GRIDCASE_STARTUP_TIMEOUT", gt=0)
    # What this process runs (issue 18): `api` the HTTP API (and the outbox relay),
    # `worker` the consumers and background workers (HTTP: /healthz, /readyz, /metrics
    # only), `all` both. Set by `python -m <service> --role` (kit/serve.py).
    role: Literal["api", "worker", "all"] = Field("all", validation_alias="GRIDCASE_ROLE")
    # Throughput knobs (issue 18; docs/benchmarks.md): the database pool of a process
    # (that many connections, and as many again in overflow) and how long the producer
    # waits to batch records into one request.
    db_pool_size: int = Field(10, validation_alias="GRIDCASE_DB_POOL_SIZE", ge=1, le=200)
    producer_linger_ms: int = Field(
        5, validation_alias="GRIDCASE_PRODUCER_LINGER_MS", ge=0, le=1000
    )

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
                ("GRIDCASE_JWT_SECRET", self.jwt_secret),
                ("GRIDCASE_HOTLINE_SECRETS", self.hotline_secrets_raw),
                ("GRIDCASE_PII_KEY", self.pii_key),
            )
            if not _csv(value)
        ]
        if missing:
            raise ValueError(
                f"missing secrets in production: {', '.join(missing)} "
                "(or set GRIDCASE_ENV=development for fixed development values)"
            )
        assert self.jwt_secret is not None
        if len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("GRIDCASE_JWT_SECRET must be at least 32 characters")
        return self

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
