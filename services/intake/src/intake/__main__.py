from gridcase_events.kit.serve import serve
from intake.config import IntakeSettings

settings = IntakeSettings()
serve("intake.main:create_app", host=settings.host, port=settings.port)
