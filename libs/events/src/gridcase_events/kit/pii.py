"""Residents' and staff's personal data: encryption at rest and in events, masking."""

from __future__ import annotations

import re

from cryptography.fernet import Fernet, InvalidToken

_DIGITS = re.compile(r"\D")


class PiiCipher:
    """Symmetric encryption under ``GRIDCASE_PII_KEY`` (Fernet: AES-128-CBC + HMAC)."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("cannot decrypt personal data: wrong GRIDCASE_PII_KEY?") from exc


def normalize_phone(phone: str) -> str:
    """Digits only, without a +86 / 0086 country prefix."""
    digits = _DIGITS.sub("", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; other lengths keep only their last 4 digits."""
    digits = normalize_phone(phone)
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``; ``Li Lei`` → ``L*****``."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_email(email: str) -> str:
    """``wang.li@example.cn`` → ``w***@example.cn``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
