"""Domain errors that carry their HTTP answer.

A service raises a :class:`DomainError` (or one of its kinds) where a rule refuses a
request; the kit's one exception handler (:func:`gridcase_events.kit.http.install_error_handlers`)
turns it into ``{"detail": ..., "code": ..., **extra}`` with its status code. Endpoints
do not map errors by hand, and services stay free of HTTP types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal a person can act on: a status code, a stable machine code and a
    sentence. ``extra`` adds fields to the body (e.g. the case's current status on a
    409); ``headers`` adds response headers (e.g. ``Retry-After`` on a 429)."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"


class Forbidden(DomainError):
    """403: the caller may not see or do this (scope, role, ownership)."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """409: not possible in the current state (the body says which)."""

    status_code = 409
    code = "conflict"


class Gone(DomainError):
    status_code = 410
    code = "gone"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class Invalid(DomainError):
    """422: the request is well-formed but its content is refused."""

    status_code = 422
    code = "invalid"


class InvalidFields(Invalid):
    """422 naming the fields at fault, in the shape FastAPI gives a request that fails
    validation (``{"detail": [{"loc", "msg", "type"}]}``), so a client reads one shape
    whether the schema or a rule refused the request."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e.get("msg", "")) for e in errors) or "invalid request")
        self.errors = errors

    @classmethod
    def at(cls, loc: list[str | int], msg: str, type: str = "value_error") -> InvalidFields:
        return cls([{"loc": loc, "msg": msg, "type": type}])

    def body(self) -> dict[str, Any]:
        return {"detail": self.errors, "code": self.code}


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int, extra: Mapping[str, Any] | None = None):
        super().__init__(detail, extra=extra, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


class Unavailable(DomainError):
    status_code = 503
    code = "unavailable"

    def __init__(
        self, detail: str, *, retry_after: int = 5, extra: Mapping[str, Any] | None = None
    ):
        super().__init__(detail, extra=extra, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after
