"""Optimistic concurrency for settings an admin edits in a form ("expected version").

A settings row carries ``updated_at`` and ``updated_by``. An editor sends back the
``updated_at`` they read as ``expected_updated_at``: when the row changed since, nothing
is saved and the answer is a 409 (:class:`~gridcase_events.kit.errors.Conflict`, code
``conflict``) naming who changed it and when, with ``updated_at`` and ``updated_by`` in
the body, so that the form can say so and reload. A write without an expected version
is accepted (last save wins), as for a script or an import.

The caller reads the current row locked (``SELECT … FOR UPDATE``) in the transaction
that writes it, so two admins saving at once cannot both pass the check.
"""

from __future__ import annotations

from datetime import datetime

from gridcase_events.kit.errors import Conflict


class Stale(Conflict):
    """409: the editor's copy is older than the stored row (someone saved since)."""


def ensure_unchanged(
    *,
    what: str,
    expected: datetime | None,
    current_at: datetime | None,
    current_by: str | None,
) -> None:
    """Refuses the write (409) when `expected` is given and the stored row's version is
    another; a row that does not exist (yet) has nothing to conflict with."""
    if expected is None or current_at is None or current_at == expected:
        return
    who = current_by or "someone"
    raise Stale(
        f"{who} changed {what} at {current_at.isoformat()}; reload it and make your change again",
        extra={"updated_at": current_at.isoformat(), "updated_by": current_by or ""},
    )
