"""gridcase shared plumbing.

The one home of what every service needs to exchange events: the envelope and the
registry of versioned event types (:mod:`.envelope`, :mod:`.registry`,
:mod:`.payloads`), topic names (:mod:`.topics`), the idempotent producer
(:mod:`.producer`), the transactional outbox and its relay (:mod:`.outbox`), the inbox
and the consumer runner (:mod:`.inbox`, :mod:`.consumer`), and their metrics
(:mod:`.metrics`). :mod:`.kit` holds the service kit (settings, database, logging,
HTTP, auth, personal data) shared by the four services.
"""
