"""The pure parts of Idempotency-Key handling."""

import pytest

from intake.idempotency import service


def test_key_is_taken_bare_or_as_a_structured_field_string() -> None:
    assert service.parse_key("abc-123") == "abc-123"
    assert service.parse_key('"8e03978e-40d5-43e8-bc93-6894a57f9324"') == (
        "8e03978e-40d5-43e8-bc93-6894a57f9324"
    )


@pytest.mark.parametrize("value", ["", '""', "x" * 256, "clé", "tab\there"])
def test_malformed_keys_are_refused(value: str) -> None:
    with pytest.raises(service.InvalidKey):
        service.parse_key(value)


def test_a_key_of_255_characters_is_accepted() -> None:
    assert service.parse_key("k" * 255) == "k" * 255


def test_fingerprint_ignores_key_order_but_not_values_or_target() -> None:
    a = service.fingerprint(method="POST", path="/v1/visits", payload={"a": 1, "b": [1, 2]})
    same = service.fingerprint(method="post", path="/v1/visits", payload={"b": [1, 2], "a": 1})
    other_value = service.fingerprint(
        method="POST", path="/v1/visits", payload={"a": 2, "b": [1, 2]}
    )
    other_path = service.fingerprint(method="POST", path="/v1/walls", payload={"a": 1, "b": [1, 2]})

    assert a == same
    assert len({a, other_value, other_path}) == 3


def test_a_repeat_gets_the_first_outcome() -> None:
    replay = service.outcome(
        stored_fingerprint="f1", status_code=201, body={"tracking_no": "GC-1"}, fingerprint="f1"
    )
    assert (replay.status_code, replay.body) == (201, {"tracking_no": "GC-1"})


def test_a_reuse_with_another_payload_is_refused() -> None:
    with pytest.raises(service.KeyReused, match="different request"):
        service.outcome(stored_fingerprint="f1", status_code=201, body={}, fingerprint="f2")
