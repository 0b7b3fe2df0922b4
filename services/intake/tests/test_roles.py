"""`python -m intake --role api|worker|all` (GRIDCASE_ROLE): the API without consumers
or workers, the workers without business routes, both by default."""

import json
from typing import Any

import pytest

from gridcase_events import topics
from gridcase_events.kit import signing
from gridcase_events.kit.clock import ManualClock
from gridcase_events.kit.serve import parse_role
from gridcase_events.testing import read_topic, running
from intake.config import IntakeSettings
from intake.main import create_app

pytestmark = pytest.mark.integration


def with_role(settings: IntakeSettings, role: str) -> IntakeSettings:
    return settings.model_copy(update={"role": role})


async def test_an_api_process_starts_no_consumer_but_relays_its_outbox(
    settings: IntakeSettings,
    clock: ManualClock,
    ticket: Any,
    kafka_bootstrap: str,
    namespace: str,
) -> None:
    app = create_app(with_role(settings, "api"), clock=clock)
    async with running(app) as client:
        runtime = app.state.runtime
        assert runtime.consumers == []
        assert runtime.workers == []
        assert (await client.get("/readyz")).status_code == 200

        body = json.dumps(ticket(), ensure_ascii=False).encode()
        signature = signing.sign(settings.hotline_secrets[0], body, now=clock.now())
        response = await client.post(
            "/v1/hotline/tickets",
            content=body,
            headers={"Content-Type": "application/json", signing.HEADER: signature},
        )

        assert response.status_code == 201
        records = await read_topic(
            kafka_bootstrap, topics.qualify(namespace, topics.INTAKE), min_count=1
        )
        assert response.json()["case_id"] in {r.key.decode() for r in records if r.key}


async def test_a_worker_process_serves_health_only_and_runs_the_consumers(
    settings: IntakeSettings, clock: ManualClock, ticket: Any
) -> None:
    app = create_app(with_role(settings, "worker"), clock=clock)
    async with running(app) as client:
        assert app.state.runtime.consumers  # the status projection reads dispatch's events
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/metrics")).status_code == 200

        response = await client.post("/v1/hotline/tickets", json=ticket())

        assert response.status_code == 404
        assert (await client.get("/v1/public/cases/GC-20261121-AAAAAA")).status_code == 404


async def test_all_roles_by_default(settings: IntakeSettings, clock: ManualClock) -> None:
    assert settings.role == "all"
    app = create_app(settings, clock=clock)
    async with running(app):
        assert app.state.runtime.consumers


def test_the_role_flag_sets_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDCASE_ROLE", "all")  # restored (or removed) after the test
    parse_role("intake", ["--role", "worker"])
    assert IntakeSettings(env="development").role == "worker"
    with pytest.raises(SystemExit):
        parse_role("intake", ["--role", "everything"])
