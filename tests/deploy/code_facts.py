"""What the code says a deployment must match (docker-compose.yml, the Helm chart): each
service's settings and the environment names they read, its port, and its consumers."""

import ast
from pathlib import Path

from pydantic_settings import BaseSettings

from dispatch.config import DispatchSettings
from escalation.config import EscalationSettings
from gridcase_events import topics
from intake.config import IntakeSettings
from notify.config import NotifySettings

REPO = Path(__file__).resolve().parents[2]
SETTINGS: dict[str, type[BaseSettings]] = {
    "intake": IntakeSettings,
    "dispatch": DispatchSettings,
    "escalation": EscalationSettings,
    "notify": NotifySettings,
}


def env_name(settings: type[BaseSettings], field: str) -> str:
    alias = settings.model_fields[field].validation_alias
    prefix = str(settings.model_config.get("env_prefix", ""))
    return alias if isinstance(alias, str) else f"{prefix}{field}".upper()


def known_env_names(settings: type[BaseSettings]) -> set[str]:
    return {env_name(settings, name) for name in settings.model_fields}


def secret_env_names(settings: type[BaseSettings]) -> set[str]:
    """The variables whose settings are secrets (SecretStr): never in a ConfigMap."""
    return {
        env_name(settings, name)
        for name, field in settings.model_fields.items()
        if "SecretStr" in repr(field.annotation)
    }


def port(service: str) -> int:
    value = SETTINGS[service].model_fields["port"].default
    assert isinstance(value, int)
    return value


def consumers(service: str) -> dict[str, list[str]]:
    """The service's Kafka consumers as its consumers.py declares them: name -> topics."""
    source = REPO / "services" / service / "src" / service / "consumers.py"
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(source.read_text())):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ConsumerSpec"):
            continue
        kwargs = {k.arg: k.value for k in node.keywords}
        name, names = kwargs["name"], kwargs["topics"]
        assert isinstance(name, ast.Constant) and isinstance(names, ast.List)
        found[str(name.value)] = [
            getattr(topics, t.attr) for t in names.elts if isinstance(t, ast.Attribute)
        ]
    return found
