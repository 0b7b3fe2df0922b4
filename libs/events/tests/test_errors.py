import httpx
from fastapi import FastAPI

from gridcase_events.kit.errors import Conflict, InvalidFields, NotFound, TooManyRequests
from gridcase_events.kit.http import install_error_handlers


def an_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("no such case")

    @app.post("/accept")
    async def accept() -> None:
        raise Conflict("the case is closed", extra={"status": "closed", "version": 7})

    @app.post("/busy")
    async def busy() -> None:
        raise TooManyRequests("too many wishes from this wall", retry_after=42)

    @app.put("/rules")
    async def rules() -> None:
        raise InvalidFields.at(["body", "recipients", 0, "channels"], "the rung has no e-mail")

    return app


async def call(method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=an_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path)


async def test_a_domain_error_answers_with_its_status_code_and_sentence() -> None:
    response = await call("GET", "/missing")
    assert response.status_code == 404
    assert response.json() == {"detail": "no such case", "code": "not_found"}


async def test_a_conflict_carries_the_current_state() -> None:
    response = await call("POST", "/accept")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the case is closed",
        "code": "conflict",
        "status": "closed",
        "version": 7,
    }


async def test_too_many_requests_says_when_to_retry() -> None:
    response = await call("POST", "/busy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"


async def test_field_errors_have_the_shape_of_a_validation_error() -> None:
    response = await call("PUT", "/rules")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "recipients", 0, "channels"],
            "msg": "the rung has no e-mail",
            "type": "value_error",
        }
    ]
