import gc

import notify.main  # noqa: F401 - imported before the freeze below
from gridcase_events.kit.serve import parse_role, serve
from notify.config import NotifySettings

parse_role("notify")
settings = NotifySettings()
# What the imports made (modules, classes, mappers, models) lives as long as the
# process: frozen, the collector no longer walks it on each full collection.
gc.collect()
gc.freeze()
serve("notify.main:create_app", host=settings.host, port=settings.port)
