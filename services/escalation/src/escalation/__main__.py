from escalation.config import EscalationSettings
from gridcase_events.kit.serve import freeze_imports, parse_role, serve

parse_role("escalation")
settings = EscalationSettings()
freeze_imports("escalation.main")
serve("escalation.main:create_app", host=settings.host, port=settings.port)
