"""``python -m intake`` freezes what the app imports out of the collector's walks
(docs/benchmarks.md, "intake's collector"): a full collection then walks only what the
process made since, not every module, class and function it holds."""

import gc

from intake import __main__ as entry
from intake import main


def test_what_the_app_imports_is_frozen_out_of_the_collectors_walks() -> None:
    assert any(obj is main.create_app for obj in gc.get_objects())  # walked, unfrozen
    try:
        frozen = entry.freeze_imports()

        assert frozen > 10_000
        walked = gc.get_objects()
        assert not any(obj is main.create_app for obj in walked)
        assert not any(obj is entry.freeze_imports for obj in walked)
    finally:
        gc.unfreeze()
