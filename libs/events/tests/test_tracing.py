import asyncio
import json
from typing import Any

import pytest
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from gridcase_events import outbox, topics
from gridcase_events.consumer import ConsumerRunner
from gridcase_events.envelope import Envelope
from gridcase_events.kit import tracing
from gridcase_events.testing import LogLines, eventually, free_port, read_topic


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> trace.Tracer:
    """A tracer of the test's own, standing for the caller (a request or a handler)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test")


def hex_ids(span: Any) -> tuple[str, str]:
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


# ---------------------------------------------------------------- pure helpers


def test_no_active_span_means_no_trace_context() -> None:
    assert tracing.current_carrier() is None
    assert tracing.kafka_headers(None) == []
    assert tracing.current_ids() is None


def test_trace_context_survives_kafka_headers_and_parents_the_next_span(
    tracer: trace.Tracer, exporter: InMemorySpanExporter
) -> None:
    with tracer.start_as_current_span("request") as request:
        headers = tracing.kafka_headers(tracing.current_carrier())
    trace_id, span_id = hex_ids(request)
    # version-trace id-parent id-flags (sampled, and maybe the "random" flag)
    assert dict(headers)["traceparent"].startswith(f"00-{trace_id}-{span_id}-".encode())

    with tracer.start_span("process", context=tracing.context_from_kafka(headers)) as child:
        pass
    finished = {s.name: s for s in exporter.get_finished_spans()}
    assert finished["process"].context.trace_id == request.get_span_context().trace_id
    assert finished["process"].parent is not None
    assert finished["process"].parent.span_id == request.get_span_context().span_id
    assert child.get_span_context().span_id != request.get_span_context().span_id


def test_only_trace_context_keys_become_kafka_headers() -> None:
    carrier = {
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate": "gridcase=1",
        "authorization": "Bearer secret",
        "baggage": "user=x",
    }
    assert tracing.kafka_headers(carrier) == [
        ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ("tracestate", b"gridcase=1"),
    ]


def test_malformed_traceparent_starts_a_new_trace(tracer: trace.Tracer) -> None:
    context = tracing.context_from_kafka([("traceparent", b"not-a-trace"), ("type", b"x")])
    with tracer.start_as_current_span("process", context=context) as span:
        assert span.get_span_context().is_valid
        assert isinstance(span, ReadableSpan)
        assert span.parent is None


def test_incoming_http_traceparent_is_continued(tracer: trace.Tracer) -> None:
    raw = [(b"TraceParent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    with tracer.start_as_current_span("GET", context=tracing.context_from_http(raw)) as span:
        assert trace.format_trace_id(span.get_span_context().trace_id) == (
            "0af7651916cd43dd8448eb211c80319c"
        )


def test_without_an_exporter_a_span_is_bare_but_carries_the_trace_on(
    tracer: trace.Tracer,
) -> None:
    service = f"quiet-{free_port()}"
    assert not tracing.recording(service)
    with (
        tracer.start_as_current_span("request") as request,
        tracing.span(service, "create", kind=trace.SpanKind.PRODUCER, attributes={}) as child,
    ):
        carrier = tracing.current_carrier()
    assert not child.is_recording()
    parent = request.get_span_context()
    context = child.get_span_context()
    assert context.trace_id == parent.trace_id
    assert context.span_id != parent.span_id
    assert carrier is not None
    assert carrier["traceparent"] == (
        f"00-{trace.format_trace_id(parent.trace_id)}-{trace.format_span_id(context.span_id)}-"
        f"{context.trace_flags:02x}"
    )


def test_without_an_exporter_or_a_parent_a_span_starts_a_sampled_trace() -> None:
    service = f"quiet-{free_port()}"
    with tracing.span(service, "process", kind=trace.SpanKind.CONSUMER, attributes={}) as root:
        ids = tracing.current_ids()
    assert root.get_span_context().is_valid
    assert root.get_span_context().trace_flags.sampled
    assert ids == hex_ids(root)


def test_a_child_carrier_without_an_exporter_is_what_a_bare_span_would_carry(
    tracer: trace.Tracer,
) -> None:
    service = f"quiet-{free_port()}"
    state = trace.TraceState([("gridcase", "1")])
    parent_context = trace.SpanContext(
        0x1234, 0x5678, is_remote=True, trace_flags=trace.TraceFlags(1), trace_state=state
    )
    with trace.use_span(trace.NonRecordingSpan(parent_context)):
        with tracing.span(service, "create", kind=trace.SpanKind.PRODUCER, attributes={}):
            spanned = tracing.current_carrier()
        direct = tracing.child_carrier(
            service, "create", kind=trace.SpanKind.PRODUCER, attributes=dict
        )
        direct_again = tracing.child_carrier(
            service, "create", kind=trace.SpanKind.PRODUCER, attributes=dict
        )
    assert spanned is not None
    version, trace_id, span_id, flags = direct["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", f"{0x1234:032x}", "01")
    assert span_id != spanned["traceparent"].split("-")[2] != f"{0x5678:016x}"
    assert direct_again["traceparent"].split("-")[2] != span_id  # a fresh span id each
    assert direct["tracestate"] == spanned["tracestate"] == "gridcase=1"
    assert set(direct) == set(spanned)

    # no active span: a new sampled trace, as a bare span would start
    (alone,) = tracing.child_carrier(
        service, "create", kind=trace.SpanKind.PRODUCER, attributes=dict
    ).values()
    assert alone.startswith("00-") and alone.endswith("-01")
    assert len(alone) == len("00-") + 32 + 1 + 16 + len("-01")


def test_a_child_carrier_of_a_recording_service_is_its_recorded_span(spans: Any) -> None:
    service = f"recorded-{free_port()}"
    exporter = spans(service)
    carrier = tracing.child_carrier(
        service, "t create", kind=trace.SpanKind.PRODUCER, attributes=lambda: {"a": 1}
    )
    (recorded,) = exporter.get_finished_spans()
    assert (recorded.name, recorded.attributes) == ("t create", {"a": 1})
    assert carrier["traceparent"].split("-")[1:3] == list(hex_ids(recorded))


def test_a_service_with_a_processor_records_its_spans(spans: Any) -> None:
    service = f"recorded-{free_port()}"
    exporter = spans(service)
    with tracing.span(service, "process", kind=trace.SpanKind.CONSUMER, attributes={"a": 1}):
        pass
    (recorded,) = exporter.get_finished_spans()
    assert recorded.name == "process"
    assert recorded.attributes == {"a": 1}


def test_exporting_only_when_an_otlp_endpoint_is_set() -> None:
    assert not tracing.exporting({})
    assert not tracing.exporting({"OTEL_EXPORTER_OTLP_ENDPOINT": " "})
    assert tracing.exporting({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert tracing.exporting({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"})


def test_each_service_has_its_own_service_name() -> None:
    intake = tracing.provider("intake")
    assert tracing.provider("intake") is intake
    assert intake.resource.attributes["service.name"] == "intake"
    assert tracing.provider("dispatch").resource.attributes["service.name"] == "dispatch"


def test_unreachable_collector_costs_nothing_but_a_failed_export(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    service = f"unreachable-{free_port()}"
    provider = tracing.provider(service)
    with tracing.tracer(service).start_as_current_span("request"):
        assert tracing.current_carrier() is not None
    tracing.flush(service, timeout_millis=3_000)
    provider.shutdown()


def test_log_lines_carry_the_active_trace_and_span_ids(
    tracer: trace.Tracer, log_lines: LogLines
) -> None:
    log = structlog.get_logger("test")
    log.info("outside")
    with tracer.start_as_current_span("request") as span:
        log.info("inside")
    trace_id, span_id = hex_ids(span)
    (outside,) = log_lines.where(event="outside")
    (inside,) = log_lines.where(event="inside")
    assert "trace_id" not in outside
    assert (inside["trace_id"], inside["span_id"]) == (trace_id, span_id)


# ------------------------------------------------- outbox -> Kafka -> consumer


def relay(store: Any, producer: AIOKafkaProducer, namespace: str) -> outbox.OutboxRelay:
    return outbox.OutboxRelay(
        service="intake",
        table=store.outbox,
        sessionmaker=store.sessionmaker,
        producer=producer,
        namespace=namespace,
        poll_interval=0.05,
    )


def runner(
    store: Any, producer: AIOKafkaProducer, namespace: str, kafka: str, handled: list[str]
) -> ConsumerRunner:
    log = structlog.get_logger("test.handler")

    async def handle(session: AsyncSession, event: Envelope, payload: Any) -> None:
        log.info("case seen", tracking_no=payload.tracking_no)
        handled.append(str(event.id))

    return ConsumerRunner(
        name="tracing-test",
        topics=[topics.INTAKE],
        handlers={"case.reported": handle},
        sessionmaker=store.sessionmaker,
        inbox=store.inbox,
        producer=producer,
        bootstrap_servers=kafka,
        namespace=namespace,
        service="dispatch",
    )


@pytest.mark.integration
async def test_a_case_is_followed_from_the_outbox_through_kafka_into_the_handler(
    store: Any,
    producer: AIOKafkaProducer,
    namespace: str,
    kafka_bootstrap: str,
    make_event: Any,
    tracer: trace.Tracer,
    spans: Any,
    log_lines: LogLines,
) -> None:
    intake_spans = spans("intake")
    dispatch_spans = spans("dispatch")
    event = make_event(key="case-traced")
    with tracer.start_as_current_span("POST /v1/hotline/tickets") as request:
        async with store.sessionmaker() as session, session.begin():
            await outbox.enqueue(session, store.outbox, event)
    trace_id, request_span_id = hex_ids(request)

    # The producer span is the request's child and its context rides on the record.
    (created,) = intake_spans.get_finished_spans()
    assert created.kind is trace.SpanKind.PRODUCER
    assert created.parent is not None
    assert trace.format_span_id(created.parent.span_id) == request_span_id
    assert created.attributes is not None
    assert created.attributes["gridcase.event_id"] == str(event.id)

    assert await relay(store, producer, namespace).run_once() == 1
    (record,) = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    headers = {k: v.decode() for k, v in record.headers}
    created_span_id = trace.format_span_id(created.context.span_id)
    assert headers["traceparent"].startswith(f"00-{trace_id}-{created_span_id}-")
    assert headers["event_id"] == str(event.id)
    assert json.loads(record.value)["id"] == str(event.id)  # the payload is unchanged

    handled: list[str] = []
    consumer = runner(store, producer, namespace, kafka_bootstrap, handled)
    await consumer.start()
    try:
        await eventually(lambda: asyncio.sleep(0, handled))
    finally:
        await consumer.stop()

    (process,) = [
        s for s in dispatch_spans.get_finished_spans() if s.name == f"{topics.INTAKE} process"
    ]
    assert process.kind is trace.SpanKind.CONSUMER
    assert trace.format_trace_id(process.context.trace_id) == trace_id
    assert process.parent is not None
    assert process.parent.span_id == created.context.span_id
    assert process.attributes is not None
    assert process.attributes["messaging.system"] == "kafka"
    assert process.attributes["messaging.destination.name"] == topics.INTAKE
    assert process.attributes["messaging.kafka.partition"] == record.partition
    assert process.attributes["messaging.kafka.offset"] == record.offset
    assert process.attributes["gridcase.event_type"] == "case.reported"
    assert process.attributes["gridcase.event_id"] == str(event.id)
    assert process.attributes["gridcase.case_id"] == "case-traced"
    assert process.attributes["gridcase.outcome"] == "handled"

    (line,) = log_lines.where(event="case seen")
    assert line["case_id"] == "case-traced"
    assert line["correlation_id"] == "corr-case-traced"
    assert line["event_id"] == str(event.id)
    assert line["event_type"] == "case.reported"
    assert line["trace_id"] == trace_id
    assert line["span_id"] == trace.format_span_id(process.context.span_id)
    (done,) = log_lines.where(event="event handled", event_id=str(event.id))
    assert (done["case_id"], done["trace_id"], done["outcome"]) == (
        "case-traced",
        trace_id,
        "handled",
    )


@pytest.mark.integration
async def test_an_outbox_row_without_trace_context_publishes_and_starts_a_new_trace(
    store: Any,
    producer: AIOKafkaProducer,
    namespace: str,
    kafka_bootstrap: str,
    make_event: Any,
    spans: Any,
) -> None:
    dispatch_spans = spans("dispatch")
    event = make_event(key="case-written-before-tracing")
    async with store.sessionmaker() as session, session.begin():
        await outbox.enqueue(session, store.outbox, event)
        # As a row written before the headers column existed.
        await session.execute(update(store.outbox).values(headers=None))

    assert await relay(store, producer, namespace).run_once() == 1
    (record,) = await read_topic(
        kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
    )
    assert "traceparent" not in dict(record.headers)

    handled: list[str] = []
    consumer = runner(store, producer, namespace, kafka_bootstrap, handled)
    await consumer.start()
    try:
        await eventually(lambda: asyncio.sleep(0, handled))
    finally:
        await consumer.stop()
    assert handled == [str(event.id)]
    (process,) = dispatch_spans.get_finished_spans()
    assert process.parent is None
    assert process.context.is_valid


@pytest.mark.integration
async def test_a_dead_letter_continues_the_trace_of_the_handling_that_gave_it_up(
    store: Any,
    producer: AIOKafkaProducer,
    namespace: str,
    kafka_bootstrap: str,
    make_event: Any,
    tracer: trace.Tracer,
    spans: Any,
) -> None:
    dispatch_spans = spans("dispatch")
    event = make_event(key="case-poison")
    with tracer.start_as_current_span("POST /v1/hotline/tickets") as request:
        async with store.sessionmaker() as session, session.begin():
            await outbox.enqueue(session, store.outbox, event)
    trace_id, _ = hex_ids(request)
    assert await relay(store, producer, namespace).run_once() == 1

    async def refuse(session: AsyncSession, event: Envelope, payload: Any) -> None:
        raise RuntimeError("cannot handle this case")

    consumer = ConsumerRunner(
        name="tracing-test-dlq",
        topics=[topics.INTAKE],
        handlers={"case.reported": refuse},
        sessionmaker=store.sessionmaker,
        inbox=store.inbox,
        producer=producer,
        bootstrap_servers=kafka_bootstrap,
        namespace=namespace,
        max_attempts=1,
        service="dispatch",
    )
    await consumer.start()
    try:
        (dead,) = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.dlq(topics.INTAKE)), min_count=1
        )
    finally:
        await consumer.stop()

    (process,) = dispatch_spans.get_finished_spans()
    assert process.status.status_code is trace.StatusCode.ERROR
    headers = [(k, v.decode()) for k, v in dead.headers]
    (traceparent,) = [v for k, v in headers if k == "traceparent"]
    process_span_id = trace.format_span_id(process.context.span_id)
    assert traceparent.startswith(f"00-{trace_id}-{process_span_id}-")
    assert ("x-dlq-reason", "handler_error") in headers
