"""Storage backends against real storage: a directory, and an S3-compatible server
(moto's standalone server on a loopback port, speaking the S3 HTTP API)."""

import os
from pathlib import Path

import pytest

from intake.attachments.storage import LocalStorage, S3Storage


def _staged(storage: LocalStorage | S3Storage, content: bytes) -> Path:
    path = storage.staging_dir() / f"upload-{os.urandom(4).hex()}"
    path.write_bytes(content)
    return path


def _files(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.is_file()]


async def test_local_storage_stores_a_name_once(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)

    first = await storage.put(
        name="a.png", source=_staged(storage, b"one"), content_type="image/png"
    )
    second = await storage.put(
        name="a.png", source=_staged(storage, b"one"), content_type="image/png"
    )

    assert (first, second) == (True, False)
    assert await storage.read("a.png") == b"one"
    assert await storage.read("b.png") is None
    assert list(storage.staging_dir().iterdir()) == []


async def test_a_crash_before_the_rename_leaves_no_file_under_the_final_name(
    tmp_path: Path,
) -> None:
    storage = LocalStorage(tmp_path)
    _staged(storage, b"half a fi")  # what a crash mid-upload leaves behind

    assert await storage.read("a.png") is None
    assert _files(tmp_path) == []


@pytest.fixture
def s3(s3_endpoint: str) -> S3Storage:
    storage = S3Storage(
        bucket=f"gridcase-{os.urandom(4).hex()}",
        endpoint_url=s3_endpoint,
        region="us-east-1",
        access_key="testing",
        secret_key="testing",
    )
    storage._client.create_bucket(Bucket=storage.bucket)
    return storage


async def test_s3_storage_stores_a_name_once_and_reads_it_back(s3: S3Storage) -> None:
    first = await s3.put(
        name="b.pdf", source=_staged(s3, b"%PDF-1.4"), content_type="application/pdf"
    )
    second = await s3.put(
        name="b.pdf", source=_staged(s3, b"%PDF-1.4"), content_type="application/pdf"
    )

    assert (first, second) == (True, False)
    assert await s3.read("b.pdf") == b"%PDF-1.4"
    assert await s3.read("missing.pdf") is None
    head = s3._client.head_object(Bucket=s3.bucket, Key="b.pdf")
    assert head["ContentType"] == "application/pdf"
