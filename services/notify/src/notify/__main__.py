from gridcase_events.kit.serve import serve
from notify.config import NotifySettings

settings = NotifySettings()
serve("notify.main:create_app", host=settings.host, port=settings.port)
