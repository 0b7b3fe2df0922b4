"""docker-compose.yml must stay valid and agree with the code and the local scripts:
the same environment names, ports, topics and Kafka version."""

import os
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from gridcase_events.kit.settings import PlatformSettings
from tests.deploy.code_facts import REPO, SETTINGS, known_env_names

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_file_is_valid_for_docker_compose() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install docker-compose (Debian package) to validate the file")
        pytest.skip("docker-compose not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [binary, "-f", str(REPO / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("service", list(SETTINGS))
def test_each_service_uses_only_environment_names_its_settings_read(service: str) -> None:
    env: dict[str, Any] = COMPOSE["services"][service]["environment"]
    unknown = set(env) - known_env_names(SETTINGS[service])
    assert not unknown, f"{service} sets variables nothing reads: {unknown}"


@pytest.mark.parametrize("service", list(SETTINGS))
def test_each_service_listens_on_its_local_port(service: str) -> None:
    port = SETTINGS[service].model_fields["port"].default
    spec = COMPOSE["services"][service]
    assert spec["ports"] == [f"{port}:{port}"]
    assert spec["environment"][f"{service.upper()}_PORT"] == str(port)
    dockerfile = (REPO / spec["build"]["dockerfile"]).read_text()
    assert f"EXPOSE {port}" in dockerfile


def test_shared_settings_are_the_ones_the_platform_reads() -> None:
    shared = COMPOSE["x-gridcase-env"]
    assert set(shared) <= known_env_names(PlatformSettings)
    assert shared["DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_kafka_version_matches_the_local_broker() -> None:
    script = (REPO / "deploy" / "local" / "infra.sh").read_text()
    local = re.search(r"^KAFKA_VERSION=(\S+)$", script, re.MULTILINE)
    assert local is not None
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{local.group(1)}"


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = yaml.safe_load((REPO / "deploy" / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]
    }
    expected = {f"{name}:{s.model_fields['port'].default}" for name, s in SETTINGS.items()}
    assert targets == expected
