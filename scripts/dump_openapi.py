"""Write each service's OpenAPI document to web/openapi/<service>.json, from which
``npm run gen:api`` generates the web app's API types. No server is started: the
documents come from ``create_app(...).openapi()`` with development settings (so dispatch's
development sign-in routes are in them).

    .venv/bin/python scripts/dump_openapi.py          # write
    .venv/bin/python scripts/dump_openapi.py --check  # exit 1 if a committed one is stale
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "web" / "openapi"
SERVICES = {
    "intake": "IntakeSettings",
    "dispatch": "DispatchSettings",
    "escalation": "EscalationSettings",
    "notify": "NotifySettings",
}


def document(service: str) -> dict[str, Any]:
    config = importlib.import_module(f"{service}.config")
    main = importlib.import_module(f"{service}.main")
    settings = getattr(config, SERVICES[service])(env="development")
    openapi: dict[str, Any] = main.create_app(settings).openapi()
    return openapi


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    stale = []
    for service in SERVICES:
        path = OUT / f"{service}.json"
        text = render(document(service))
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(
            "stale OpenAPI documents (run scripts/dump_openapi.py, then npm run gen:api in web/): "
            + ", ".join(stale),
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
