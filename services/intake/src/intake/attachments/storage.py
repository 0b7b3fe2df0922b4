"""Where attachment bytes live: a local directory or an S3-compatible bucket, behind a
small protocol. Files are named by their content, so storing a name twice is a no-op."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from intake.config import IntakeSettings


class Storage(Protocol):
    def staging_dir(self) -> Path:
        """Where uploads are spooled before :meth:`put` (same filesystem for local)."""
        ...

    async def put(self, *, name: str, source: Path, content_type: str) -> bool:
        """Moves `source` under `name`; ``False`` if the name was already stored.
        `source` is consumed either way."""
        ...

    async def read(self, name: str) -> bytes | None: ...

    async def delete(self, name: str) -> None:
        """Removes the file (nothing if it is not there)."""
        ...


class LocalStorage:
    """Files under a directory. Writes are atomic: an upload is spooled to a temporary
    file in ``<dir>/.incoming`` and renamed into place, so a crash never leaves a half
    file under its final name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._incoming = root / ".incoming"
        self._incoming.mkdir(parents=True, exist_ok=True)

    def staging_dir(self) -> Path:
        return self._incoming

    def path(self, name: str) -> Path:
        return self.root / name

    async def put(self, *, name: str, source: Path, content_type: str) -> bool:
        return await asyncio.to_thread(self._put, name, source)

    def _put(self, name: str, source: Path) -> bool:
        target = self.path(name)
        if target.exists():
            source.unlink(missing_ok=True)
            return False
        with source.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(source, target)
        return True

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.path(name).unlink, missing_ok=True)

    async def read(self, name: str) -> bytes | None:
        target = self.path(name)
        try:
            return await asyncio.to_thread(target.read_bytes)
        except FileNotFoundError:
            return None


class S3Storage:
    """Objects in an S3-compatible bucket (MinIO, Ceph, AWS…). S3 makes an object
    visible only once its upload completes, so readers never see a half object."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key: str | None,
        secret_key: str | None,
    ) -> None:
        import boto3

        self.bucket = bucket
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
        )
        self._staging = Path(tempfile.gettempdir()) / "gridcase-intake-uploads"
        self._staging.mkdir(parents=True, exist_ok=True)

    def staging_dir(self) -> Path:
        return self._staging

    async def put(self, *, name: str, source: Path, content_type: str) -> bool:
        return await asyncio.to_thread(self._put, name, source, content_type)

    def _exists(self, name: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def _put(self, name: str, source: Path, content_type: str) -> bool:
        try:
            if self._exists(name):
                return False
            self._client.upload_file(
                str(source), self.bucket, name, ExtraArgs={"ContentType": content_type}
            )
            return True
        finally:
            source.unlink(missing_ok=True)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self.bucket, Key=name)

    async def read(self, name: str) -> bytes | None:
        return await asyncio.to_thread(self._read, name)

    def _read(self, name: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            response = self._client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        body: bytes = response["Body"].read()
        return body


def create_storage(settings: IntakeSettings) -> Storage:
    if settings.attachments_backend == "s3":
        if not settings.attachments_s3_bucket:
            raise ValueError("INTAKE_ATTACHMENTS_S3_BUCKET is required for the s3 backend")
        return S3Storage(
            bucket=settings.attachments_s3_bucket,
            endpoint_url=settings.attachments_s3_endpoint,
            region=settings.attachments_s3_region,
            access_key=(
                settings.attachments_s3_access_key.get_secret_value()
                if settings.attachments_s3_access_key
                else None
            ),
            secret_key=(
                settings.attachments_s3_secret_key.get_secret_value()
                if settings.attachments_s3_secret_key
                else None
            ),
        )
    return LocalStorage(settings.attachments_dir)
