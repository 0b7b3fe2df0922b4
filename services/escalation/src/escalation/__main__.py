from gridcase_events.kit.serve import serve

from escalation.config import EscalationSettings

settings = EscalationSettings()
serve("escalation.main:create_app", host=settings.host, port=settings.port)
