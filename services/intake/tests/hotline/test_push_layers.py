"""The single push runs no FastAPI dependency of its own and answers without its
response model (docs/benchmarks.md, "intake's push without dependencies"): each
dependency and the model's validation were CPU paid per push at saturation. What the
hotline gets and what is stored must not change for it."""

from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from intake.cases.schemas import CaseCreated
from intake.hotline.endpoints import router

pytestmark = pytest.mark.integration


def test_the_push_route_depends_on_nothing_of_its_own() -> None:
    route = next(
        r
        for r in router.routes
        if isinstance(r, APIRoute)
        and r.path == "/v1/hotline/tickets"
        and "POST" in (r.methods or ())
    )
    # No session, runtime or header dependency (the app's own, on every route, aside).
    assert route.dependant.dependencies == []


async def test_the_answer_is_the_response_models_json(push: Any, ticket: Any, db: Any) -> None:
    first = await push(ticket(ticket_no="PL-1"))
    merged = await push(ticket(ticket_no="PL-2"))
    repeat = await push(ticket(ticket_no="PL-1"))

    assert (first.status_code, merged.status_code, repeat.status_code) == (201, 201, 200)
    assert first.headers["content-type"] == "application/json"
    created = CaseCreated.model_validate_json(first.content)
    assert first.json() == {"case_id": str(created.case_id), "tracking_no": created.tracking_no}
    assert merged.json()["merged_into"] == created.tracking_no
    assert repeat.json() == first.json()
    async with db.connect() as conn:
        stored = (
            await conn.execute(
                text("SELECT tracking_no FROM intake.cases WHERE external_ref LIKE 'PL-%'")
            )
        ).scalars()
        assert sorted(stored) == sorted([created.tracking_no, merged.json()["tracking_no"]])


async def test_a_push_refused_after_its_signature_stores_nothing(
    push: Any, ticket: Any, db: Any
) -> None:
    response = await push(ticket(ticket_no="PL-3", lat=1.0, lon=1.0))  # outside the district

    assert response.status_code == 422
    async with db.connect() as conn:
        count = (
            await conn.execute(
                text("SELECT count(*) FROM intake.cases WHERE external_ref = 'PL-3'")
            )
        ).scalar_one()
        assert count == 0
