from typing import Any

import httpx
import structlog
from fastapi import Depends, FastAPI
from opentelemetry import trace

from gridcase_events.kit.http import RequestContextMiddleware, bind_case_id, health_router
from gridcase_events.testing import LogLines

INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def an_app() -> FastAPI:
    log = structlog.get_logger("test.endpoint")
    app = FastAPI(dependencies=[Depends(bind_case_id)])
    app.add_middleware(RequestContextMiddleware, service="http-test")
    app.include_router(health_router())

    @app.get("/v1/cases/{case_id}")
    async def read_case(case_id: str) -> dict[str, str]:
        log.info("case read")
        return {"case_id": case_id}

    return app


async def get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=an_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path, headers=headers)


async def test_request_runs_in_a_server_span_that_continues_the_callers_trace(
    spans: Any, log_lines: LogLines
) -> None:
    exporter = spans("http-test")
    response = await get("/v1/cases/c-42", traceparent=INCOMING, **{"x-correlation-id": "corr-1"})
    assert response.status_code == 200

    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /v1/cases/{case_id}"
    assert span.kind is trace.SpanKind.SERVER
    assert trace.format_trace_id(span.context.trace_id) == "0af7651916cd43dd8448eb211c80319c"
    assert span.parent is not None
    assert trace.format_span_id(span.parent.span_id) == "b7ad6b7169203331"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "/v1/cases/{case_id}"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["gridcase.case_id"] == "c-42"


async def test_handler_and_access_log_lines_name_the_case_the_correlation_and_the_trace(
    spans: Any, log_lines: LogLines
) -> None:
    exporter = spans("http-test")
    await get("/v1/cases/c-43", **{"x-correlation-id": "corr-2"})
    (span,) = exporter.get_finished_spans()
    trace_id = trace.format_trace_id(span.context.trace_id)

    for event in ("case read", "request"):
        (line,) = log_lines.where(event=event)
        assert line["case_id"] == "c-43"
        assert line["correlation_id"] == "corr-2"
        assert line["trace_id"] == trace_id


async def test_probes_are_not_traced(spans: Any) -> None:
    exporter = spans("http-test")
    assert (await get("/healthz")).status_code == 200
    assert exporter.get_finished_spans() == ()
