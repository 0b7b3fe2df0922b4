"""Shared settings: production refuses to start without secrets; development has defaults."""

import os

import pytest

from gridcase_events.kit.settings import (
    DEV_HOTLINE_SECRET,
    DEV_JWT_SECRET,
    DEV_OPEN311_API_KEY,
    DEV_PII_KEY,
    PlatformSettings,
)

JWT_SECRET = "j" * 32
HOTLINE_SECRET = "h" * 32
PII_KEY = "cGlpLWtleS1mb3ItdGVzdHMtb25seS0zMi1ieXRlcyE="
SHARED = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "DATABASE_URL",
    "GRIDCASE_ENV",
    "GRIDCASE_JWT_SECRET",
    "GRIDCASE_HOTLINE_SECRETS",
    "GRIDCASE_OPEN311_API_KEYS",
    "GRIDCASE_PII_KEY",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No GRIDCASE_* (or shared) variable of the surrounding shell leaks into a test."""
    for name in list(os.environ):
        if name.startswith("GRIDCASE_"):
            monkeypatch.delenv(name, raising=False)
    for name in SHARED:
        monkeypatch.delenv(name, raising=False)


def production(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    monkeypatch.setenv("GRIDCASE_ENV", "production")
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_production_without_secrets_names_every_missing_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(monkeypatch)
    with pytest.raises(ValueError, match="missing secrets in production") as raised:
        PlatformSettings()
    message = str(raised.value)
    for name in ("GRIDCASE_JWT_SECRET", "GRIDCASE_HOTLINE_SECRETS", "GRIDCASE_PII_KEY"):
        assert name in message


def test_production_is_the_default_environment() -> None:
    with pytest.raises(ValueError, match="missing secrets in production"):
        PlatformSettings()


def test_production_names_only_the_secret_that_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(monkeypatch, GRIDCASE_JWT_SECRET=JWT_SECRET, GRIDCASE_PII_KEY=PII_KEY)
    with pytest.raises(ValueError, match="missing secrets in production") as raised:
        PlatformSettings()
    message = str(raised.value)
    assert "GRIDCASE_HOTLINE_SECRETS" in message
    assert "GRIDCASE_JWT_SECRET" not in message
    assert "GRIDCASE_PII_KEY" not in message


def test_production_treats_an_empty_secret_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    production(
        monkeypatch,
        GRIDCASE_JWT_SECRET=JWT_SECRET,
        GRIDCASE_HOTLINE_SECRETS=HOTLINE_SECRET,
        GRIDCASE_PII_KEY="",
    )
    with pytest.raises(ValueError, match="GRIDCASE_PII_KEY"):
        PlatformSettings()


def test_production_rejects_hotline_secrets_that_list_no_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(
        monkeypatch,
        GRIDCASE_JWT_SECRET=JWT_SECRET,
        GRIDCASE_HOTLINE_SECRETS=" , ",
        GRIDCASE_PII_KEY=PII_KEY,
    )
    with pytest.raises(ValueError, match="GRIDCASE_HOTLINE_SECRETS"):
        PlatformSettings()


def test_production_with_every_secret_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    production(
        monkeypatch,
        GRIDCASE_JWT_SECRET=JWT_SECRET,
        GRIDCASE_HOTLINE_SECRETS=HOTLINE_SECRET,
        GRIDCASE_PII_KEY=PII_KEY,
    )
    settings = PlatformSettings()
    assert settings.jwt_key() == JWT_SECRET
    assert settings.pii_key_value() == PII_KEY
    assert settings.hotline_secrets == [HOTLINE_SECRET]


def test_production_rejects_a_jwt_secret_shorter_than_32_characters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(
        monkeypatch,
        GRIDCASE_JWT_SECRET="j" * 31,
        GRIDCASE_HOTLINE_SECRETS=HOTLINE_SECRET,
        GRIDCASE_PII_KEY=PII_KEY,
    )
    with pytest.raises(ValueError, match="at least 32 characters"):
        PlatformSettings()


def test_development_fills_the_development_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_ENV", "development")
    settings = PlatformSettings()
    assert settings.jwt_key() == DEV_JWT_SECRET
    assert settings.hotline_secrets == [DEV_HOTLINE_SECRET]
    assert settings.open311_api_keys == [DEV_OPEN311_API_KEY]
    assert settings.pii_key_value() == DEV_PII_KEY


def test_development_keeps_a_secret_that_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_ENV", "development")
    monkeypatch.setenv("GRIDCASE_HOTLINE_SECRETS", "mine")
    settings = PlatformSettings()
    assert settings.hotline_secrets == ["mine"]
    assert settings.jwt_key() == DEV_JWT_SECRET


def test_hotline_secrets_split_a_comma_list_and_drop_blanks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    production(
        monkeypatch,
        GRIDCASE_JWT_SECRET=JWT_SECRET,
        GRIDCASE_HOTLINE_SECRETS=f" {'n' * 32} , {'o' * 32} ,, ,",
        GRIDCASE_PII_KEY=PII_KEY,
    )
    assert PlatformSettings().hotline_secrets == ["n" * 32, "o" * 32]


def test_open311_api_keys_split_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_ENV", "development")
    monkeypatch.setenv("GRIDCASE_OPEN311_API_KEYS", "key-a,key-b")
    assert PlatformSettings().open311_api_keys == ["key-a", "key-b"]


PRODUCTION = {
    "GRIDCASE_JWT_SECRET": JWT_SECRET,
    "GRIDCASE_HOTLINE_SECRETS": HOTLINE_SECRET,
    "GRIDCASE_PII_KEY": PII_KEY,
}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRIDCASE_JWT_SECRET", DEV_JWT_SECRET),
        ("GRIDCASE_HOTLINE_SECRETS", DEV_HOTLINE_SECRET),
        ("GRIDCASE_HOTLINE_SECRETS", f"{HOTLINE_SECRET},{DEV_HOTLINE_SECRET}"),
        ("GRIDCASE_OPEN311_API_KEYS", DEV_OPEN311_API_KEY),
        ("GRIDCASE_PII_KEY", DEV_PII_KEY),
    ],
)
def test_production_refuses_a_published_development_secret_set_explicitly(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    production(monkeypatch, **(PRODUCTION | {name: value}))
    with pytest.raises(ValueError, match=f"{name} holds the published development value"):
        PlatformSettings()


@pytest.mark.parametrize("secrets", ["h1", f"{HOTLINE_SECRET},{'x' * 31}"])
def test_production_refuses_a_hotline_secret_shorter_than_32_bytes(
    monkeypatch: pytest.MonkeyPatch, secrets: str
) -> None:
    production(monkeypatch, **(PRODUCTION | {"GRIDCASE_HOTLINE_SECRETS": secrets}))
    with pytest.raises(ValueError, match="GRIDCASE_HOTLINE_SECRETS must be at least 32 bytes"):
        PlatformSettings()


def test_production_with_a_jwks_url_needs_no_jwt_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    env = PRODUCTION | {"GRIDCASE_JWT_JWKS_URL": "https://idp.example.gov.cn/jwks"}
    del env["GRIDCASE_JWT_SECRET"]
    production(monkeypatch, **env)
    assert PlatformSettings().jwt_jwks_url == "https://idp.example.gov.cn/jwks"


def test_audience_is_the_services_own_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    production(monkeypatch, **PRODUCTION)
    assert PlatformSettings().jwt_audiences("notify") == ["gridcase-notify"]
    monkeypatch.setenv("GRIDCASE_JWT_AUDIENCE", "workbench, gridcase")
    assert PlatformSettings().jwt_audiences("notify") == ["workbench", "gridcase"]
