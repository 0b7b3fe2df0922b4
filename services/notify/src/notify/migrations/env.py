from gridcase_events.kit.db import run_migrations
from notify import models  # noqa: F401 - registers the tables
from notify.db import schema

run_migrations(schema.metadata)
