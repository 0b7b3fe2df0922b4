from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from gridcase_events import envelope, registry, topics
from gridcase_events.payloads import CaseReported, GeoPoint

NOW = datetime(2026, 11, 21, 8, 30, tzinfo=UTC)


def reported() -> CaseReported:
    return CaseReported(
        case_id=uuid4(),
        tracking_no="GC-20261121-ABC234",
        channel="hotline",
        external_ref="T-1",
        reported_at=NOW,
        content="垃圾满溢",
        priority="normal",
        location=GeoPoint(lat=29.35, lon=104.77),
    )


def test_envelope_round_trips_through_bytes_with_typed_payload() -> None:
    payload = reported()
    event = envelope.build(
        payload,
        subject=str(payload.case_id),
        source="intake",
        tenant="510302",
        correlation_id="corr-1",
        time=NOW,
    )
    back = envelope.Envelope.from_bytes(event.to_bytes())
    assert back == event
    assert back.type == "case.reported" and back.version == 1
    assert back.payload() == payload


def test_event_ids_are_time_ordered_uuid7() -> None:
    first, second = envelope.new_id(), envelope.new_id()
    assert first.version == 7
    assert first < second


def test_unknown_type_or_version_is_reported() -> None:
    with pytest.raises(registry.UnknownEventType):
        registry.parse("case.reported", 99, {})
    with pytest.raises(registry.UnknownEventType):
        registry.parse("case.teleported", 1, {})


def test_malformed_payload_fails_validation() -> None:
    data = reported().model_dump(mode="json")
    data["priority"] = "whenever"
    with pytest.raises(ValidationError):
        registry.parse("case.reported", 1, data)


def test_registering_a_type_twice_with_another_model_is_refused() -> None:
    class Other(BaseModel):
        x: int

    with pytest.raises(ValueError, match="registered twice"):
        registry.event_type("case.reported", 1)(Other)


def test_directory_events_go_to_the_compacted_topic() -> None:
    assert (
        topics.for_event(source="dispatch", event_type="directory.staff_upserted")
        == topics.DIRECTORY
    )
    assert topics.for_event(source="dispatch", event_type="case.assigned") == topics.DISPATCH
    spec = {s.name: s for s in topics.specs()}
    assert spec[topics.DIRECTORY].config["cleanup.policy"] == "compact"
    assert topics.dlq(topics.INTAKE) in spec
