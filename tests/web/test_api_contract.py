"""The web app's API types are generated from the services' OpenAPI documents; a change
to a service's API that is not carried into web/ fails here (and so in CI)."""

import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"


def _dump_module() -> object:
    spec = importlib.util.spec_from_file_location("dump_openapi", REPO / "scripts/dump_openapi.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("service", ["intake", "dispatch", "escalation", "notify"])
def test_committed_openapi_document_is_current(service: str) -> None:
    dump = _dump_module()
    committed = (WEB / "openapi" / f"{service}.json").read_text(encoding="utf-8")

    current = dump.render(dump.document(service))  # type: ignore[attr-defined]

    assert committed == current, (
        f"web/openapi/{service}.json is stale: run .venv/bin/python scripts/dump_openapi.py "
        "and then `npm run gen:api` in web/"
    )


def test_generated_api_types_match_the_documents() -> None:
    node = shutil.which("node")
    installed = (WEB / "node_modules" / "openapi-typescript").is_dir()
    if node is None or not installed:
        if os.environ.get("CI"):
            pytest.fail("node and web/node_modules (npm ci) are needed in CI")
        pytest.skip("node or web/node_modules missing (run npm ci in web/)")

    result = subprocess.run(
        [node, "scripts/gen-api.mjs", "--check"],
        cwd=WEB,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
