from escalation.config import EscalationSettings
from gridcase_events.kit.serve import parse_role, serve

parse_role("escalation")
settings = EscalationSettings()
serve("escalation.main:create_app", host=settings.host, port=settings.port)
