from dispatch import models  # noqa: F401 - registers the tables
from dispatch.db import schema
from gridcase_events.kit.db import run_migrations

run_migrations(schema.metadata)
