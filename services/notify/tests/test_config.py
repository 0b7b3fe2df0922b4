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
        "NOTIFY_OUTBOUND_HOSTS": "qyapi.weixin.qq.com, 12345.example.org",
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


def test_outbound_hosts_default_to_the_official_robot_hosts() -> None:
    assert NotifySettings(env="development").outbound_hosts == [
        "qyapi.weixin.qq.com",
        "oapi.dingtalk.com",
    ]


def test_a_callback_url_outside_the_allowed_hosts_stops_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NOTIFY_HOTLINE_CALLBACK_URL", "http://10.0.0.7/internal")
    with pytest.raises(ValueError, match=r"host 10\.0\.0\.7 is not in NOTIFY_OUTBOUND_HOSTS"):
        NotifySettings(env="development")
    monkeypatch.setenv("NOTIFY_OUTBOUND_HOSTS", "10.0.0.0/8")
    assert NotifySettings(env="development").outbound_hosts == ["10.0.0.0/8"]
