"""Notify's settings for the channels beyond SMS."""

import os

import pytest

from notify.config import NotifySettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GRIDCASE_", "NOTIFY_")):
            monkeypatch.delenv(name, raising=False)


def test_dingtalk_secrets_read_as_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_DINGTALK_SECRETS", "tok1=SECa, tok2=SECb,broken")
    settings = NotifySettings(env="development")
    assert settings.dingtalk_secret_map == {"tok1": "SECa", "tok2": "SECb"}
    assert "SECa" not in repr(settings)


def test_channel_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "NOTIFY_SMTP_HOST": "smtp.example.org",
        "NOTIFY_SMTP_PORT": "587",
        "NOTIFY_SMTP_STARTTLS": "true",
        "NOTIFY_WECOM_ENABLED": "1",
        "NOTIFY_HOTLINE_CALLBACK_URL": "https://12345.example.org/callback",
        "NOTIFY_BREAKER_THRESHOLD": "3",
        "NOTIFY_QUIET_HOURS": "",
    }.items():
        monkeypatch.setenv(name, value)
    settings = NotifySettings(env="development")
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.example.org",
        587,
        True,
    )
    assert settings.wecom_enabled
    assert settings.hotline_callback_url == "https://12345.example.org/callback"
    assert settings.breaker_threshold == 3
    assert settings.quiet_hours == ""


def test_quiet_hours_must_be_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_QUIET_HOURS", "24:00-07:00")
    with pytest.raises(ValueError, match="quiet_hours"):
        NotifySettings(env="development")
