"""HTTP plumbing shared by the services: correlation ids, server spans, access logs and
request metrics (a pure ASGI middleware), health/readiness/metrics endpoints, error
handlers."""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

import structlog
from aiokafka.errors import KafkaError
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridcase_events.envelope import new_id
from gridcase_events.kit import tracing
from gridcase_events.kit.errors import DomainError
from gridcase_events.kit.pii import PiiUnreadable
from gridcase_events.kit.transient import is_transient

log = structlog.get_logger("gridcase.http")

HTTP_REQUESTS = Counter(
    "gridcase_http_requests_total",
    "HTTP requests by route template and status",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "gridcase_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CORRELATION_HEADER = "x-correlation-id"
_VALID_CORRELATION = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
_QUIET = {"/healthz", "/readyz", "/metrics"}
# Label values stay bounded: route templates (not raw paths), and these methods or "other".
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def correlation_id_of(scope: Scope) -> str:
    """The request's ``X-Correlation-Id`` when it is a well-formed one, else a new id."""
    incoming = next(
        (v.decode("latin-1") for k, v in scope["headers"] if k == CORRELATION_HEADER.encode()),
        "",
    )
    return incoming if _VALID_CORRELATION.match(incoming) else str(new_id())


class RequestContextMiddleware:
    """Binds a correlation id (from ``X-Correlation-Id`` or new) to the logs and the
    response, runs the request in a SERVER span (continuing an incoming W3C
    ``traceparent``), and records the request in metrics and in one access-log line."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One request, end to end. Long on purpose: the correlation id, the span, the
        metrics and the access log must all wrap the very same call of the app, so they
        stay in one function rather than in nested helpers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_of(scope)
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        status_code = 500
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (CORRELATION_HEADER.encode(), correlation_id.encode()),
                ]
            await send(message)

        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        method = scope["method"] if scope["method"] in _METHODS else "other"
        # Probes and scrapes are not worth a trace.
        span_scope: contextlib.AbstractContextManager[Any] = (
            contextlib.nullcontext()
            if scope["path"] in _QUIET
            else tracing.span(
                self.service,
                method,
                context=tracing.context_from_http(scope["headers"]),
                kind=trace.SpanKind.SERVER,
                attributes={
                    "http.request.method": method,
                    "url.path": scope["path"],
                    "url.scheme": scope.get("scheme", "http"),
                    "gridcase.correlation_id": correlation_id,
                },
            )
        )
        with span_scope as span:
            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                elapsed = time.perf_counter() - started
                HTTP_REQUESTS.labels(self.service, method, template, str(status_code)).inc()
                HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
                if span is not None:
                    span.update_name(f"{method} {template}")
                    span.set_attribute("http.route", template)
                    span.set_attribute("http.response.status_code", status_code)
                    if status_code >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                if template not in _QUIET:
                    log.info(
                        "request",
                        method=scope["method"],
                        route=template,
                        path=scope["path"],
                        status=status_code,
                        duration_ms=round(elapsed * 1000, 2),
                    )
                structlog.contextvars.clear_contextvars()


def bind_case(case_id: object) -> None:
    """Names the case in the rest of the request's log lines and on its span."""
    structlog.contextvars.bind_contextvars(case_id=str(case_id))
    trace.get_current_span().set_attribute("gridcase.case_id", str(case_id))


async def bind_case_id(request: Request) -> None:
    """A dependency of every route: a ``{case_id}`` in the path goes into the logs and
    on the request's span, so each log line of a case's request names the case."""
    case_id = request.path_params.get("case_id")
    if case_id:
        bind_case(case_id)


def correlation_id(request: Request) -> str:
    value: str = request.scope.get("state", {}).get("correlation_id") or str(new_id())
    return value


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and broker reachable, workers running")
    async def readyz(request: Request) -> JSONResponse:
        checks = await request.app.state.runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "not ready", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def _unavailable(exc: BaseException) -> bool:
    # A local I/O error (a missing file) is a defect, not an outage.
    local_io = isinstance(exc, OSError) and not isinstance(exc, ConnectionError | TimeoutError)
    return is_transient(exc) and not local_io


def install_error_handlers(app: FastAPI) -> None:
    """503 with ``Retry-After`` when a backing service is away (PostgreSQL restarting,
    refusing connections or out of connection slots; the broker unreachable), 500 for
    anything else unexpected."""

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "dependency unavailable",
            error_type=type(exc).__name__,
            sqlstate=next(
                (
                    getattr(e, "sqlstate", None)
                    for e in (exc, getattr(exc, "orig", None))
                    if getattr(e, "sqlstate", None)
                ),
                None,
            ),
        )
        return JSONResponse(
            {"detail": "a backing service is unavailable; retry later"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    async def pii_unreadable(request: Request, exc: Exception) -> JSONResponse:
        log.error("personal data unreadable", reason=str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=503)

    async def internal(request: Request, exc: Exception) -> JSONResponse:
        if _unavailable(exc):
            return await unavailable(request, exc)
        log.exception("unhandled error")
        return JSONResponse(
            {"detail": "internal error", "correlation_id": correlation_id(request)},
            status_code=500,
        )

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers or None)

    # A database error is classified by its SQLSTATE (asyncpg's availability errors
    # are plain DBAPIErrors); the catch-all looks again for errors wrapped otherwise.
    handlers: dict[Any, Any] = {
        DomainError: refused,
        OperationalError: unavailable,
        InterfaceError: unavailable,
        ConnectionError: unavailable,
        KafkaError: unavailable,
        PiiUnreadable: pii_unreadable,
        DBAPIError: internal,
        Exception: internal,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)
