pytest_plugins = ["gridcase_events.testing"]
