"""The pure rules of ``Idempotency-Key`` (the database side is tested through the
services' endpoints: services/*/tests/idempotency)."""

import json

import pytest

from gridcase_events.kit.idempotency import (
    InvalidKey,
    KeyReused,
    Replay,
    fingerprint,
    outcome,
    parse_key,
    respond,
)


@pytest.mark.parametrize(("raw", "key"), [("abc", "abc"), ('"abc"', "abc"), ("  k-1 ", "k-1")])
def test_a_key_is_read_bare_or_as_a_structured_string(raw: str, key: str) -> None:
    assert parse_key(raw) == key


@pytest.mark.parametrize("raw", ["", '""', "x" * 256, "键", "a\tb"])
def test_a_malformed_key_is_refused(raw: str) -> None:
    with pytest.raises(InvalidKey):
        parse_key(raw)


def test_equal_payloads_in_any_key_order_fingerprint_alike() -> None:
    one = fingerprint(method="post", path="/v1/cases/1/contact", payload={"a": 1, "b": "联系"})
    two = fingerprint(method="POST", path="/v1/cases/1/contact", payload={"b": "联系", "a": 1})

    assert one == two


def test_another_path_or_payload_fingerprints_differently() -> None:
    base = fingerprint(method="POST", path="/v1/cases/1/accept", payload=None)

    assert base != fingerprint(method="POST", path="/v1/cases/2/accept", payload=None)
    assert base != fingerprint(method="POST", path="/v1/cases/1/accept", payload={"if_match": 3})


def test_a_repeat_gets_the_stored_outcome() -> None:
    replay = outcome(stored_fingerprint="f", status_code=200, body={"id": 1}, fingerprint="f")

    assert replay == Replay(status_code=200, body={"id": 1})


def test_a_reuse_with_another_payload_is_422() -> None:
    with pytest.raises(KeyReused) as refused:
        outcome(stored_fingerprint="f", status_code=200, body={}, fingerprint="g")

    assert refused.value.status_code == 422
    assert "Idempotency-Key" in refused.value.detail


def test_a_replay_answers_with_the_first_status_and_body_marked_replayed() -> None:
    response = respond(Replay(status_code=201, body={"id": "c-1"}))

    assert not isinstance(response, dict)
    assert response.status_code == 201
    assert json.loads(bytes(response.body)) == {"id": "c-1"}
    assert response.headers["idempotent-replayed"] == "true"


def test_a_first_answer_passes_through() -> None:
    assert respond({"id": "c-1"}) == {"id": "c-1"}
