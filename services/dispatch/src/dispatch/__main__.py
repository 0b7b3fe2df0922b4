from dispatch.config import DispatchSettings
from gridcase_events.kit.serve import parse_role, serve

parse_role("dispatch")
settings = DispatchSettings()
serve("dispatch.main:create_app", host=settings.host, port=settings.port)
