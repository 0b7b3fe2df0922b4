"""Every integer in a path or query is bounded, so that no number beyond a bigint can
reach the database (a 422, never a 500)."""

from typing import Any

from intake.config import IntakeSettings
from intake.main import create_app


def _integer_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    options = schema.get("anyOf", []) + schema.get("oneOf", [])
    found = [schema] if schema.get("type") == "integer" else []
    return found + [s for option in options for s in _integer_schemas(option)]


def test_every_integer_path_or_query_parameter_has_a_maximum(settings: IntakeSettings) -> None:
    document = create_app(settings).openapi()
    integers = unbounded = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] not in {"path", "query"}:
                    continue
                for schema in _integer_schemas(parameter.get("schema", {})):
                    integers += 1
                    if "maximum" not in schema and "exclusiveMaximum" not in schema:
                        unbounded += 1
                        print(f"{method.upper()} {path}: {parameter['name']} has no maximum")

    assert unbounded == 0, f"{unbounded} of {integers} integer parameters are unbounded"
