"""The gridcase command line: a client of the services, for developers and operators. The
services do not depend on it."""
