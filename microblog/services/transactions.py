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

from collections.abc import Callable, Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so

from microblog.caching import invalidate
from microblog.extensions import db

AFTER_COMMIT = "microblog.after_commit"  # in Session.info: what to do once committed


def commit(*, changes: Iterable[str] = ()) -> None:
    """Commit the session's work; then invalidate the namespaces in ``changes`` and run
    what :func:`after_commit` was given."""
    db.session.commit()
    if changes := list(changes):
        invalidate(*changes)
    for callback in db.session.info.pop(AFTER_COMMIT, []):
        callback()


def after_commit(callback: Callable[[], object]) -> None:
    """Run ``callback`` once this transaction has committed through :func:`commit` (an
    email about what it did: queueing it commits a task of its own, and it must not
    go out for a change that is rolled back). A rollback forgets it."""
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


@sa.event.listens_for(so.Session, "after_rollback")
def _forget_after_commit(session: so.Session) -> None:
    session.info.pop(AFTER_COMMIT, None)


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
