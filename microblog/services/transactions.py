"""Ending a change: commit it, then forget the cached reads it made stale.

Every service that writes ends with :func:`commit`, naming what its change touched
(``changes=[POSTS]``: the namespaces of :mod:`microblog.caching`). The cached lists,
feeds and search answers under those namespaces are invalidated only once the change
is in the database: invalidated before, another request could compute them again
from the old rows and keep that.

:func:`lock_table` is for a rule about rows that do not exist yet ("the first account
becomes the administrator"), which no lock on a row can guard.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from microblog.caching import invalidate
from microblog.extensions import db


def commit(*, changes: Iterable[str] = ()) -> None:
    """Commit the session's work; then invalidate the namespaces in ``changes``."""
    db.session.commit()
    if changes := list(changes):
        invalidate(*changes)


def lock_table(model: type[db.Model]) -> None:
    """Until this transaction ends, make every other transaction that writes to
    ``model``'s table (or locks it) wait, so what this one reads there stays true.

    PostgreSQL: ``LOCK TABLE … IN SHARE ROW EXCLUSIVE MODE``, the weakest lock that
    conflicts with itself and with inserts; readers are not held up. SQLite lets one
    transaction write at a time, to any table: a write that changes nothing takes that
    right until the commit, and the next writer waits for it (the connection's busy
    timeout, five seconds). Rare by design: a caller takes it only in the case it guards.
    """
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        name = db.session.get_bind().dialect.identifier_preparer.format_table(table)
        db.session.execute(sa.text(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE"))
    else:
        key = next(iter(table.primary_key))
        db.session.execute(sa.update(table).where(sa.false()).values({key: key}))
