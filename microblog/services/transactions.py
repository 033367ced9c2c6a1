"""Ending a change: commit it, then forget the cached reads it made stale.

Every service that writes ends with :func:`commit`, naming what its change touched
(``changes=[POSTS]``: the namespaces of :mod:`microblog.caching`). The cached lists,
feeds and search answers under those namespaces are invalidated only once the change
is in the database: invalidated before, another request could compute them again
from the old rows and keep that.
"""

from __future__ import annotations

from collections.abc import Iterable

from microblog.caching import invalidate
from microblog.extensions import db


def commit(*, changes: Iterable[str] = ()) -> None:
    """Commit the session's work; then invalidate the namespaces in ``changes``."""
    db.session.commit()
    if changes := list(changes):
        invalidate(*changes)
