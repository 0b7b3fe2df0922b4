"""Personal data: phone and name masking, encryption under GRIDCASE_PII_KEY."""

import pytest
from cryptography.fernet import Fernet

from gridcase_events.kit.pii import PiiCipher, PiiUnreadable, mask_name, mask_phone

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


# ------------------------------------------------------------------- key rotation

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()


def test_several_keys_encrypt_with_the_first_and_decrypt_with_any() -> None:
    stored = PiiCipher(OLD).encrypt("13812345678")
    both = PiiCipher(f" {NEW} , {OLD} ")
    assert both.decrypt(stored) == "13812345678"
    assert not both.is_current(stored)
    fresh = both.encrypt("13900001111")
    assert PiiCipher(NEW).decrypt(fresh) == "13900001111"
    assert PiiCipher(NEW).decrypt(both.rotate(stored)) == "13812345678"


def test_data_no_key_reads_names_the_remedy() -> None:
    stored = PiiCipher(OLD).encrypt("13812345678")
    with pytest.raises(PiiUnreadable, match="gridcase pii rotate"):
        PiiCipher(NEW).decrypt(stored)


def test_a_key_that_is_not_a_fernet_key_is_named_by_its_position_not_its_value() -> None:
    with pytest.raises(ValueError, match="key 2 of 2 is not a Fernet key") as raised:
        PiiCipher(f"{NEW},not-a-key")
    assert "not-a-key" not in str(raised.value)


async def test_unreadable_personal_data_is_a_503_naming_the_problem() -> None:
    import httpx
    from fastapi import FastAPI

    from gridcase_events.kit.http import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/contact")
    async def contact() -> str:
        return PiiCipher(NEW).decrypt(PiiCipher(OLD).encrypt("13812345678"))

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/contact")
    assert answer.status_code == 503
    assert "GRIDCASE_PII_KEY" in answer.json()["detail"]
