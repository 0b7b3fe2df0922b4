"""Traces with OpenTelemetry: one tracer provider per service, W3C trace context carried
through the outbox and Kafka headers so one case can be followed across services.

Spans are exported over OTLP/HTTP only when the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``
(or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set. The exporter runs in a background
thread with a bounded queue: an unreachable collector costs a warning in the log, never
a request or an event. Without an exporter, :func:`span` still gives every request and
event its own span id in the caller's trace (so the context propagates and ``trace_id``
appears in the logs) but as a bare, non-recording span that costs a few microseconds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACE_HEADERS = ("traceparent", "tracestate")
"""The W3C trace-context headers carried from the outbox to Kafka and on to consumers."""

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

_PROPAGATOR = TraceContextTextMapPropagator()
_IDS = RandomIdGenerator()
_providers: dict[str, TracerProvider] = {}
_recording: set[str] = set()


def exporting(environ: Mapping[str, str] | None = None) -> bool:
    """True when an OTLP endpoint is configured in the environment."""
    env = os.environ if environ is None else environ
    return any(env.get(name, "").strip() for name in ENDPOINT_VARIABLES)


def provider(service: str) -> TracerProvider:
    """The tracer provider of `service` (``service.name``), created on first use.

    One per service name and process, so the tests that run several services in one
    process still tell their spans apart.
    """
    found = _providers.get(service)
    if found is not None:
        return found
    created = TracerProvider(
        resource=Resource.create({"service.name": service, "service.namespace": "gridcase"})
    )
    if exporting():
        # Imported here: the exporter (protobuf, requests) is only loaded when used.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        # The exporter reads the endpoint, headers, timeout and compression from the
        # standard OTEL_EXPORTER_OTLP_* variables.
        created.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _recording.add(service)
    _providers[service] = created
    return created


def add_span_processor(service: str, processor: SpanProcessor) -> None:
    """Sends `service`'s spans to `processor` too (tests: an in-memory exporter)."""
    provider(service).add_span_processor(processor)
    _recording.add(service)


def recording(service: str) -> bool:
    """True when `service`'s spans go somewhere (an exporter or a test's processor)."""
    provider(service)
    return service in _recording


@contextlib.contextmanager
def span(
    service: str,
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any],
    context: Context | None = None,
) -> Iterator[trace.Span]:
    """Runs the block in a new current span, a child of `context` (or of the current
    span), or the root of a new trace.

    When `service` records spans this is an SDK span; otherwise a non-recording span
    with a fresh span id in the parent's trace: what propagation and the logs need,
    without the cost of a span nobody reads.
    """
    if recording(service):
        with tracer(service).start_as_current_span(
            name, context=context, kind=kind, attributes=attributes
        ) as active:
            yield active
        return
    parent = trace.get_current_span(context).get_span_context()
    if parent.is_valid:
        bare = SpanContext(
            parent.trace_id,
            _IDS.generate_span_id(),
            is_remote=False,
            trace_flags=parent.trace_flags,
            trace_state=parent.trace_state,
        )
    else:
        bare = SpanContext(
            _IDS.generate_trace_id(),
            _IDS.generate_span_id(),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )
    with trace.use_span(NonRecordingSpan(bare), end_on_exit=False) as active:
        yield active


def child_carrier(
    service: str, name: str, *, kind: SpanKind, attributes: Callable[[], Mapping[str, Any]]
) -> dict[str, str]:
    """The W3C trace context of a new span under the current one: what :func:`span`
    then :func:`current_carrier` give, for a span that contains nothing (the outbox's
    producer span). When `service` records spans it is that SDK span; otherwise the
    context is written directly, without entering a bare span (a fresh span id in the
    parent's trace, or a new sampled trace): the same headers at a fraction of the cost,
    paid for every event a service writes. `attributes` are made only for a recorded
    span."""
    if recording(service):
        with span(service, name, kind=kind, attributes=attributes()):
            carrier = current_carrier()
        return carrier or {}
    parent = trace.get_current_span().get_span_context()
    if not parent.is_valid:
        trace_id = _IDS.generate_trace_id()
        return {"traceparent": f"00-{trace_id:032x}-{_IDS.generate_span_id():016x}-01"}
    carrier = {
        "traceparent": (
            f"00-{parent.trace_id:032x}-{_IDS.generate_span_id():016x}-{parent.trace_flags:02x}"
        )
    }
    if parent.trace_state:
        carrier["tracestate"] = parent.trace_state.to_header()
    return carrier


def tracer(service: str) -> trace.Tracer:
    return provider(service).get_tracer("gridcase")


def flush(service: str, timeout_millis: int = 5_000) -> None:
    """Exports what is queued (at shutdown); a no-op when nothing exports."""
    found = _providers.get(service)
    if found is not None:
        found.force_flush(timeout_millis)


def current_carrier() -> dict[str, str] | None:
    """The W3C trace context of the active span (``traceparent``, maybe ``tracestate``),
    or None when no span is active."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier or None


def kafka_headers(carrier: Mapping[str, Any] | None) -> list[tuple[str, bytes]]:
    """Kafka record headers for a stored carrier; only the trace-context keys pass."""
    if not carrier:
        return []
    return [
        (name, str(carrier[name]).encode())
        for name in TRACE_HEADERS
        if isinstance(carrier.get(name), str) and carrier[name]
    ]


def context_from_carrier(carrier: Mapping[str, Any] | None) -> Context:
    """The context stored with a row by :func:`current_carrier` (empty if none)."""
    return _PROPAGATOR.extract(
        {k: v for k, v in (carrier or {}).items() if k in TRACE_HEADERS and isinstance(v, str)}
    )


def context_from_kafka(headers: Iterable[tuple[str, bytes]] | None) -> Context:
    """The remote parent context carried in a Kafka record's headers (empty if none)."""
    carrier: dict[str, str] = {}
    for name, value in headers or ():
        if name in TRACE_HEADERS and value is not None:
            carrier[name] = value.decode("latin-1")
    return _PROPAGATOR.extract(carrier)


def context_from_http(headers: Iterable[tuple[bytes, bytes]]) -> Context:
    """The remote parent context of an incoming HTTP request (ASGI raw headers)."""
    carrier: dict[str, str] = {}
    for name, value in headers:
        key = name.decode("latin-1").lower()
        if key in TRACE_HEADERS:
            carrier[key] = value.decode("latin-1")
    return _PROPAGATOR.extract(carrier)


def current_ids() -> tuple[str, str] | None:
    """``(trace_id, span_id)`` in hex of the active span, or None."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)
