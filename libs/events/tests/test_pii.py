"""Personal data: phone and name masking, encryption under GRIDCASE_PII_KEY."""

import pytest
from cryptography.fernet import Fernet

from gridcase_events.kit.pii import PiiCipher, mask_name, mask_phone

PHONE = "13812345678"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("008613812345678", "138****5678"),
        ("0086-138-1234-5678", "138****5678"),
    ],
)
def test_mobile_number_keeps_first_three_and_last_four_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("8765 4321", "****4321"),
        ("0813-12345678", "********5678"),
        ("+86 28 8765 4321", "********4321"),
    ],
)
def test_landline_number_keeps_only_its_last_four_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("phone", "masked"), [("96128", "*6128"), ("12345", "*2345")])
def test_short_number_keeps_only_its_last_four_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("phone", "masked"), [("110", "***"), ("1234", "****"), ("", "")])
def test_number_of_four_digits_or_fewer_is_fully_masked(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张*"), ("Li Lei", "L*****"), ("  王五  ", "王*"), ("", "")],
)
def test_name_keeps_only_its_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_cipher_round_trips_a_phone_number() -> None:
    cipher = PiiCipher(Fernet.generate_key().decode())
    assert cipher.decrypt(cipher.encrypt(PHONE)) == PHONE


def test_cipher_round_trips_non_ascii_text() -> None:
    cipher = PiiCipher(Fernet.generate_key().decode())
    assert cipher.decrypt(cipher.encrypt("张三丰")) == "张三丰"


def test_ciphertext_does_not_reveal_the_number() -> None:
    token = PiiCipher(Fernet.generate_key().decode()).encrypt(PHONE)
    assert token != PHONE
    assert PHONE not in token
    assert PHONE[3:] not in token


def test_encrypting_the_same_number_twice_gives_different_ciphertexts() -> None:
    cipher = PiiCipher(Fernet.generate_key().decode())
    assert cipher.encrypt(PHONE) != cipher.encrypt(PHONE)


def test_decrypting_with_another_key_raises_value_error() -> None:
    token = PiiCipher(Fernet.generate_key().decode()).encrypt(PHONE)
    other = PiiCipher(Fernet.generate_key().decode())
    with pytest.raises(ValueError, match="cannot decrypt personal data"):
        other.decrypt(token)


def test_decrypting_a_tampered_token_raises_value_error() -> None:
    cipher = PiiCipher(Fernet.generate_key().decode())
    token = cipher.encrypt(PHONE)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(ValueError, match="cannot decrypt personal data"):
        cipher.decrypt(tampered)
