"""Sniffing and naming attachments (pure)."""

import pytest

from intake.attachments import service

BASE = "https://intake.gridcase.test"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe0\0\x10JFIF", ("image/jpeg", "jpg")),
        (b"\x89PNG\r\n\x1a\n\0\0", ("image/png", "png")),
        (b"%PDF-1.4\n", ("application/pdf", "pdf")),
    ],
)
def test_the_content_decides_the_type(head: bytes, expected: tuple[str, str]) -> None:
    assert service.sniff(head + b"\0" * 32) == expected


@pytest.mark.parametrize("head", [b"", b"hello, this is text", b"GIF89a\x01\0\x01\0"])
def test_other_content_is_refused(head: bytes) -> None:
    with pytest.raises(service.UnsupportedType):
        service.sniff(head)


def test_only_our_own_attachment_urls_name_an_attachment() -> None:
    name = "a" * 64 + ".png"
    assert service.name_from_url(BASE, f"{BASE}/v1/attachments/{name}") == name
    assert service.name_from_url(BASE, f"https://elsewhere.test/v1/attachments/{name}") is None
    assert service.name_from_url(BASE, f"{BASE}/v1/attachments/../../etc/passwd") is None
