from gridcase_events.kit.serve import parse_role, serve
from notify.config import NotifySettings

parse_role("notify")
settings = NotifySettings()
serve("notify.main:create_app", host=settings.host, port=settings.port)
