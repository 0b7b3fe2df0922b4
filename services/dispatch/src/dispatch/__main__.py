from dispatch.config import DispatchSettings
from gridcase_events.kit.serve import freeze_imports, parse_role, serve

parse_role("dispatch")
settings = DispatchSettings()
freeze_imports("dispatch.main")
serve("dispatch.main:create_app", host=settings.host, port=settings.port)
