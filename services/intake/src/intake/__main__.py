from gridcase_events.kit.serve import parse_role, serve
from intake.config import IntakeSettings

parse_role("intake")
settings = IntakeSettings()
serve("intake.main:create_app", host=settings.host, port=settings.port)
