"""Signed webhooks (the 12345 push contract, README): ``t=<unix seconds>,v1=<hex HMAC-SHA256>``."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from gridcase_events.kit import signing
from gridcase_events.kit.signing import SignatureError

NOW = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)
SECRET = "hotline-secret-current"
OLD_SECRET = "hotline-secret-previous"
BODY = '{"ticket_no":"T-20261121-0001","content":"五星街12栋垃圾满溢"}'.encode()


def independent_hmac(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256(secret, "<t>.<raw body>") computed here, not by the module under test."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def parts(header: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in header.split(","))


def test_sign_produces_the_documented_header_format() -> None:
    header = signing.sign(SECRET, BODY, now=NOW)
    fields = parts(header)
    assert list(fields) == ["t", "v1"]
    assert fields["t"] == str(int(NOW.timestamp()))
    assert fields["v1"] == independent_hmac(SECRET, int(NOW.timestamp()), BODY)


def test_signature_made_by_sign_verifies() -> None:
    header = signing.sign(SECRET, BODY, now=NOW)
    signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_independently_computed_signature_verifies() -> None:
    t = int(NOW.timestamp())
    header = f"t={t},v1={independent_hmac(SECRET, t, BODY)}"
    signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_any_accepted_secret_verifies_during_rotation() -> None:
    header = signing.sign(OLD_SECRET, BODY, now=NOW)
    signing.verify(header, BODY, secrets=[SECRET, OLD_SECRET], now=NOW)


def test_header_with_two_v1_values_verifies_when_one_matches() -> None:
    t = int(NOW.timestamp())
    header = (
        f"t={t},v1={independent_hmac('some-other-secret', t, BODY)},"
        f"v1={independent_hmac(SECRET, t, BODY)}"
    )
    signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_wrong_secret_is_rejected() -> None:
    header = signing.sign("not-the-hotline-secret", BODY, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        signing.verify(header, BODY, secrets=[SECRET, OLD_SECRET], now=NOW)


def test_tampered_body_is_rejected() -> None:
    header = signing.sign(SECRET, BODY, now=NOW)
    tampered = BODY.replace(b"T-20261121-0001", b"T-20261121-0002")
    with pytest.raises(SignatureError, match="does not match"):
        signing.verify(header, tampered, secrets=[SECRET], now=NOW)


@pytest.mark.parametrize("header", [None, ""], ids=["none", "empty"])
def test_missing_header_is_rejected(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing X-Gridcase-Signature"):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_header_without_timestamp_is_rejected() -> None:
    t = int(NOW.timestamp())
    header = f"v1={independent_hmac(SECRET, t, BODY)}"
    with pytest.raises(SignatureError, match="needs t="):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_header_without_v1_is_rejected() -> None:
    header = f"t={int(NOW.timestamp())}"
    with pytest.raises(SignatureError, match="needs t="):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


@pytest.mark.parametrize("t", ["9" * 400, "9" * 13, "²", "-1", "1_7"])
def test_header_with_an_unusable_timestamp_is_malformed(t: str) -> None:
    header = f"t={t},v1={independent_hmac(SECRET, int(NOW.timestamp()), BODY)}"
    with pytest.raises(SignatureError, match="malformed timestamp"):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


def test_header_with_non_numeric_timestamp_is_rejected() -> None:
    t = int(NOW.timestamp())
    header = f"t=yesterday,v1={independent_hmac(SECRET, t, BODY)}"
    with pytest.raises(SignatureError, match="malformed timestamp"):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


@pytest.mark.parametrize("offset", [-301, 301], ids=["past", "future"])
def test_timestamp_301_seconds_away_is_rejected(offset: int) -> None:
    header = signing.sign(SECRET, BODY, now=NOW + timedelta(seconds=offset))
    with pytest.raises(SignatureError, match="more than 300 s away"):
        signing.verify(header, BODY, secrets=[SECRET], now=NOW)


@pytest.mark.parametrize("offset", [-300, 300], ids=["past", "future"])
def test_timestamp_exactly_300_seconds_away_is_accepted(offset: int) -> None:
    header = signing.sign(SECRET, BODY, now=NOW + timedelta(seconds=offset))
    signing.verify(header, BODY, secrets=[SECRET], now=NOW)
