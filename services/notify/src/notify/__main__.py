from gridcase_events.kit.serve import freeze_imports, parse_role, serve
from notify.config import NotifySettings

parse_role("notify")
settings = NotifySettings()
freeze_imports("notify.main")
serve("notify.main:create_app", host=settings.host, port=settings.port)
