"""``python -m <service>`` freezes what the app imports out of the collector's walks
(``kit.serve.freeze_imports``; docs/benchmarks.md, "intake's collector"): a full
collection then walks only what the process made since, not every module, class and
function it holds. Each service's entry point calls it; intake's app is the one here."""

import gc
import importlib
import runpy
import sys

import pytest

from gridcase_events.kit import serve


def test_what_the_app_imports_is_frozen_out_of_the_collectors_walks() -> None:
    app = importlib.import_module("intake.main")
    assert any(obj is app.create_app for obj in gc.get_objects())  # walked, unfrozen
    try:
        frozen = serve.freeze_imports("intake.main")

        assert frozen > 10_000
        walked = gc.get_objects()
        assert not any(obj is app.create_app for obj in walked)
        assert not any(obj is serve.parse_role for obj in walked)
        made_after = object.__new__(type("MadeAfter", (), {}))
        assert any(obj is made_after for obj in gc.get_objects())
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("service", ["intake", "dispatch", "escalation", "notify"])
def test_each_service_freezes_its_app_before_serving(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def frozen(module: str) -> int:
        calls.append(f"freeze {module}")
        return 0

    def served(*_: object, **__: object) -> None:
        calls.append("serve")

    monkeypatch.setattr(serve, "freeze_imports", frozen)
    monkeypatch.setattr(serve, "serve", served)
    monkeypatch.setattr("uvicorn.run", served)
    monkeypatch.setattr(sys, "argv", [f"python -m {service}"])
    monkeypatch.setenv("GRIDCASE_ENV", "development")
    sys.modules.pop(f"{service}.__main__", None)

    runpy.run_module(f"{service}.__main__", run_name="__main__")

    assert calls == [f"freeze {service}.main", "serve"]
