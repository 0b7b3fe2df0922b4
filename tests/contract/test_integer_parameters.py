"""Every integer a client sends in a path or a query is bounded in every service's
OpenAPI document, so that no number beyond a bigint can reach the database (a 422,
never a 500)."""

from typing import Any

import pytest
from fastapi import FastAPI

from dispatch.config import DispatchSettings
from dispatch.main import create_app as dispatch_app
from escalation.config import EscalationSettings
from escalation.main import create_app as escalation_app
from intake.config import IntakeSettings
from intake.main import create_app as intake_app
from notify.config import NotifySettings
from notify.main import create_app as notify_app


def apps() -> dict[str, FastAPI]:
    return {
        "intake": intake_app(IntakeSettings(env="development")),
        "dispatch": dispatch_app(DispatchSettings(env="development")),
        "escalation": escalation_app(EscalationSettings(env="development")),
        "notify": notify_app(NotifySettings(env="development")),
    }


def integer_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf", []) + schema.get("oneOf", [])
    found = [schema] if schema.get("type") == "integer" else []
    return found + [s for option in options for s in integer_schemas(option)]


def integer_parameters(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``"GET /v1/tasks offset"`` → its integer schema, for every path or query integer."""
    found: dict[str, dict[str, Any]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in {"path", "query"}:
                    for schema in integer_schemas(parameter.get("schema", {})):
                        found[f"{method.upper()} {path} {parameter['name']}"] = schema
    return found


@pytest.mark.parametrize("service", ["intake", "dispatch", "escalation", "notify"])
def test_every_integer_path_or_query_parameter_has_a_maximum(service: str) -> None:
    parameters = integer_parameters(apps()[service].openapi())
    unbounded = [
        name
        for name, schema in parameters.items()
        if "maximum" not in schema and "exclusiveMaximum" not in schema
    ]
    assert unbounded == []


def test_the_check_sees_the_integer_parameters_that_exist() -> None:
    """The check above would pass on a document it cannot read: it must find the
    worklist's paging parameters."""
    parameters = integer_parameters(apps()["dispatch"].openapi())
    assert {"GET /v1/tasks limit", "GET /v1/tasks offset"} <= set(parameters)
