from gridcase_events.kit.db import run_migrations
from intake import models  # noqa: F401 - registers the tables
from intake.db import schema

run_migrations(schema.metadata)
