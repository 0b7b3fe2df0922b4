from gridcase_events.kit.serve import serve

from dispatch.config import DispatchSettings

settings = DispatchSettings()
serve("dispatch.main:create_app", host=settings.host, port=settings.port)
