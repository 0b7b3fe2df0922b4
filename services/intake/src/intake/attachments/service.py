"""Attachments: sniffed, size-limited, named by their content, stored once."""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol
from uuid import UUID

import filetype
import structlog
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import payloads
from gridcase_events.kit import db
from gridcase_events.kit.auth import AREA_ROLES, Principal, scope_of
from gridcase_events.kit.errors import (
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from intake.attachments import repository
from intake.attachments.models import Attachment
from intake.attachments.schemas import AttachmentRead, CaseAttachmentRead, CaseAttachmentsRead
from intake.attachments.storage import Storage
from intake.cases import service as case_service
from intake.idempotency.schemas import Key, Replay
from intake.idempotency.service import idempotent

log = structlog.get_logger(__name__)

# What a report may carry, by the type the content itself shows (never the client's
# Content-Type or file name).
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp|pdf)$")
_CHUNK = 1024 * 1024
_HEAD = 8192

UPLOADS = Counter(
    "gridcase_intake_attachments_total",
    "Attachment uploads by outcome (stored, duplicate, too_large, unsupported)",
    ["outcome"],
)


class TooLarge(PayloadTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"file over the limit of {limit} bytes ({limit / 1048576:g} MiB)")


class UnsupportedType(UnsupportedMediaType):
    pass


class AttachmentsUnknown(Invalid):
    """URLs in a report that are not attachments stored by intake: a 422 shaped like a
    validation error of the field at `loc`."""

    code = "unknown_attachment"

    def __init__(self, urls: Sequence[str], loc: Sequence[str | int]) -> None:
        super().__init__("attachments not stored by intake")
        self.urls = list(urls)
        self.loc = tuple(loc)

    def errors(self) -> list[dict[str, Any]]:
        return [
            {
                "loc": self.loc,
                "msg": f"not an attachment stored by intake: {url}",
                "type": "unknown_attachment",
                "input": url,
            }
            for url in self.urls
        ]

    def body(self) -> dict[str, Any]:
        return {"detail": self.errors(), "code": self.code}


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


@dataclass(frozen=True)
class Spooled:
    path: Path
    sha256: str
    size: int
    head: bytes


def sniff(head: bytes) -> tuple[str, str]:
    """The media type and file extension the bytes show; :class:`UnsupportedType` if it
    is not one of :data:`ALLOWED`."""
    kind = filetype.guess(head) if head else None
    mime = kind.mime if kind is not None else None
    if mime not in ALLOWED:
        allowed = ", ".join(sorted(ALLOWED))
        shown = f"the content is {mime}" if mime else "the content is of no recognised type"
        raise UnsupportedType(f"{shown}; allowed: {allowed}")
    return mime, ALLOWED[mime]


def url_for(base_url: str, name: str) -> str:
    return f"{base_url.rstrip('/')}/v1/attachments/{name}"


def name_from_url(base_url: str, url: str) -> str | None:
    """The attachment name in one of intake's attachment URLs, else ``None``."""
    prefix = f"{base_url.rstrip('/')}/v1/attachments/"
    if not url.startswith(prefix):
        return None
    name = url[len(prefix) :]
    return name if NAME.match(name) else None


async def spool(*, upload: Readable, staging: Path, limit: int) -> Spooled:
    """Copies the upload to a temporary file, hashing it; :class:`TooLarge` past
    `limit` bytes (the partial file is removed)."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle = tempfile.NamedTemporaryFile(dir=staging, prefix="upload-", delete=False)  # noqa: SIM115 - kept past this function
    path = Path(handle.name)
    try:
        with handle:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(limit)
                if len(head) < _HEAD:
                    head += chunk[: _HEAD - len(head)]
                digest.update(chunk)
                await asyncio.to_thread(handle.write, chunk)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return Spooled(path=path, sha256=digest.hexdigest(), size=size, head=head)


async def store(
    *,
    session: AsyncSession,
    storage: Storage,
    spooled: Spooled,
    base_url: str,
    uploaded_by: str,
    now: datetime,
) -> AttachmentRead:
    """Checks the type and stores the file under its content name (once)."""
    try:
        content_type, extension = sniff(spooled.head)
    except UnsupportedType:
        spooled.path.unlink(missing_ok=True)
        UPLOADS.labels("unsupported").inc()
        raise
    name = f"{spooled.sha256}.{extension}"
    # The rows first, then the bytes: the rows are seen only once committed, after the
    # bytes are stored; and the upload's row locks the file's (its foreign key), so the
    # orphan purge cannot delete the file under a new upload of the same content.
    await repository.add_if_new(
        session,
        {
            "name": name,
            "sha256": spooled.sha256,
            "size": spooled.size,
            "content_type": content_type,
            "created_at": now,
            "uploaded_by": uploaded_by,
        },
    )
    await repository.add_upload(session, name=name, uploaded_by=uploaded_by, uploaded_at=now)
    new_file = await storage.put(name=name, source=spooled.path, content_type=content_type)
    UPLOADS.labels("stored" if new_file else "duplicate").inc()
    return AttachmentRead(
        url=url_for(base_url, name),
        sha256=spooled.sha256,
        size=spooled.size,
        content_type=content_type,
    )


async def unknown_urls(*, session: AsyncSession, base_url: str, urls: Sequence[str]) -> list[str]:
    """The URLs that are not attachments stored by intake."""
    names = {url: name_from_url(base_url, url) for url in urls}
    known = await repository.existing_names(
        session, {name for name in names.values() if name is not None}
    )
    return [url for url, name in names.items() if name is None or name not in known]


async def check_known(
    *, session: AsyncSession, base_url: str, urls: Sequence[str], loc: Sequence[str | int]
) -> None:
    """:class:`AttachmentsUnknown` (at `loc`) unless every URL is an attachment of ours."""
    unknown = await unknown_urls(session=session, base_url=base_url, urls=urls)
    if unknown:
        raise AttachmentsUnknown(unknown, loc)


async def accept(
    *,
    session: AsyncSession,
    storage: Storage,
    upload: Readable,
    limit: int,
    base_url: str,
    key: Key | None,
    scope: str,
    now: datetime,
    admit_bytes: Callable[[int], Awaitable[None]] | None = None,
) -> AttachmentRead | Replay:
    """An upload: spooled (:class:`TooLarge` past `limit` bytes), its size admitted by
    `admit_bytes` (which raises to refuse it), then stored once under its content name,
    or a repeat's first answer. The spooled file is removed whatever happens."""
    try:
        spooled = await spool(upload=upload, staging=storage.staging_dir(), limit=limit)
    except TooLarge:
        UPLOADS.labels("too_large").inc()
        raise
    try:
        if admit_bytes is not None:
            await admit_bytes(spooled.size)
        outcome = await idempotent(
            session=session,
            key=key,
            scope=scope,
            payload={"sha256": spooled.sha256},
            effect=lambda: store(
                session=session,
                storage=storage,
                spooled=spooled,
                base_url=base_url,
                uploaded_by=scope,
                now=now,
            ),
        )
    finally:
        spooled.path.unlink(missing_ok=True)
    if isinstance(outcome, AttachmentRead):
        log.info("attachment stored", name=outcome.url.rsplit("/", 1)[-1], size=outcome.size)
    return outcome


# Attachments (photos of homes, of people) are for those who handle cases: field workers
# in their area, a department's operators, the desks that route cases, admins.
_DESKS = frozenset({"district_center", "dispatcher", "admin", "city_center"})


def handles_cases(principal: Principal) -> bool:
    """Whether the caller's role may download attachments at all."""
    if principal.role in _DESKS:
        return True
    if principal.role in AREA_ROLES:
        return bool(principal.area_code)
    return principal.role == "department_operator" and bool(principal.department_code)


async def downloadable(
    *, session: AsyncSession, principal: Principal, name: str, base_url: str
) -> Attachment:
    """The stored file, if the caller may download it: the deployment's admins any (a
    district's admin as its desks); others a file they
    uploaded, or one belonging to a case they can see (a report's ``attachments``, a
    resolution's evidence; a duplicate's also the case it was merged into). A file no
    case references yet is its uploader's alone. :class:`NotFound` if not stored,
    :class:`Forbidden` otherwise."""
    if not handles_cases(principal):
        raise Forbidden(f"role {principal.role} may not download attachments here")
    attachment = await repository.get(session, name)
    if attachment is None:
        raise NotFound("no such attachment")
    if (
        principal.role == "admin" and scope_of(principal).everything
    ) or await repository.uploaded_by(session, name=name, uploader=f"staff:{principal.sub}"):
        return attachment
    cases = await case_service.holding_attachment(
        session=session,
        url=url_for(base_url, name),
        case_ids=await repository.evidence_of(session, name),
    )
    if any(case_service.readable_by(principal, c) for c in cases):
        return attachment
    raise Forbidden("this attachment belongs to no case of yours")


Source = Literal["report", "duplicate", "evidence"]


@dataclass(frozen=True)
class _Carried:
    url: str
    source: Source
    tracking_no: str
    at: datetime


async def of_case(
    *, session: AsyncSession, principal: Principal, case_id: UUID, base_url: str
) -> CaseAttachmentsRead:
    """附件: the files that belong to a case — its report's, those of duplicate reports
    merged into it, its resolutions' evidence — for whoever may read the case, by the
    same scope as the case itself and the downloads (:func:`downloadable`). A case
    outside the caller's scope is :class:`NotFound`, as one that does not exist (its
    existence is not told); a role that may download no attachments, :class:`Forbidden`.
    A duplicate is read by the scope of the case it was merged into."""
    if not handles_cases(principal):
        raise Forbidden(f"role {principal.role} may not read attachments here")
    case = await case_service.get(session=session, case_id=case_id)
    scoped = case
    if case is not None and case.duplicate_of is not None:
        scoped = await case_service.get(session=session, case_id=case.duplicate_of)
    if case is None or scoped is None or not case_service.readable_by(principal, scoped):
        raise NotFound("no such case")
    carried = [
        _Carried(
            url,
            "report" if report.id == case.id else "duplicate",
            report.tracking_no,
            report.reported_at,
        )
        for report in await case_service.with_duplicates(session=session, case_id=case.id)
        for url in report.attachments
    ]
    carried += [
        _Carried(url_for(base_url, name), "evidence", case.tracking_no, at)
        for name, at in await repository.evidence_for(session, case.id)
    ]
    return CaseAttachmentsRead(
        case_id=case.id,
        tracking_no=case.tracking_no,
        items=await _described(session=session, carried=carried, base_url=base_url),
    )


async def _described(
    *, session: AsyncSession, carried: Sequence[_Carried], base_url: str
) -> list[CaseAttachmentRead]:
    """Each URL once (where it first came), with its stored file's type and size; a URL
    intake does not store (a 12345 ticket's own) as a link."""
    names = {c.url: name_from_url(base_url, c.url) for c in carried}
    stored = await repository.get_many(session, {n for n in names.values() if n is not None})
    items: dict[str, CaseAttachmentRead] = {}
    for c in carried:
        if c.url in items:
            continue
        file = stored.get(names[c.url] or "")
        items[c.url] = CaseAttachmentRead(
            url=c.url,
            name=file.name if file else None,
            content_type=file.content_type if file else None,
            size=file.size if file else None,
            source=c.source,
            tracking_no=c.tracking_no,
            added_at=c.at,
        )
    return list(items.values())


async def record_evidence(
    *, session: AsyncSession, resolved: payloads.CaseResolved, base_url: str, at: datetime
) -> None:
    """A resolution's evidence that is stored here now belongs to its case."""
    names = {name_from_url(base_url, url) for url in resolved.evidence}
    await repository.add_evidence(
        session, names={n for n in names if n is not None}, case_id=resolved.case_id, at=at
    )


PURGED = Counter(
    "gridcase_intake_attachments_purged_total",
    "Orphan attachments deleted (uploaded, never referenced by a case, past their time)",
)


async def purge_orphans(
    *,
    session: AsyncSession,
    storage: Storage,
    base_url: str,
    now: datetime,
    ttl: timedelta,
    limit: int = 100,
) -> list[str]:
    """Deletes up to `limit` orphans: files nobody uploaded for `ttl` that no case
    references (no report's ``attachments``, no resolution's evidence). Returns their
    names. The candidates are locked first and checked against the cases again after
    (a report committed meanwhile keeps its file; one still at work holds the row and
    is skipped). The bytes go before the rows are deleted: should the commit then fail,
    the rows stay without bytes (downloads 404) until the next run deletes them."""
    candidates = await repository.lock_expired(session, before=now - ttl, limit=limit)
    if not candidates:
        return []
    urls = {url_for(base_url, name): name for name in candidates}
    carried = await case_service.attachments_carried(session=session, urls=list(urls))
    orphans = [name for url, name in urls.items() if url not in carried]
    for name in orphans:
        await storage.delete(name)
    await repository.delete(session, orphans)
    db.on_commit(session, lambda: PURGED.inc(len(orphans)))
    if orphans:
        log.info("orphan attachments purged", count=len(orphans))
    return orphans
