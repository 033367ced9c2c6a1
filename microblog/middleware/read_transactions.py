"""End a request's read-only transaction with COMMIT, so PostgreSQL keeps its plans.

Every request runs its statements in a transaction, and Flask-SQLAlchemy ends it when
the request ends by closing the session, which sends ROLLBACK. For a transaction that
only read, COMMIT and ROLLBACK mean the same thing, but psycopg treats them
differently: on ROLLBACK it throws away the statements it had prepared on that
connection. (A prepared statement keeps the plan PostgreSQL chose, so the statement
is not planned again; psycopg prepares one once it has run it 5 times.) Planning is
most of a timeline query's time at the database, so a request that only read ends
with COMMIT here, just before the session is closed.

"Only read" is checked, not assumed. The session notes every write it sends: an ORM
flush, or any statement run through it that is not a SELECT. The note is cleared when
the transaction ends. A request that ended with an error, that left changes not yet
written, or whose transaction wrote anything is left to the ROLLBACK, as before: a
half-done change is never committed by this.

The COMMIT leaves the objects the request loaded as they are. By default a commit
expires every one of them, so that the next read goes back to the database; but the
session is closed right after, and expiring fifty posts and authors for nobody to
read again was most of the time this commit took (about 6% of a page, sampled
under load).
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask

from microblog.extensions import db

WROTE = "microblog.wrote"  # in Session.info while the transaction has sent a write


def init_app(app: Flask) -> None:
    # Teardown functions run in reverse order of registration: this one was registered
    # after Flask-SQLAlchemy's, so it runs before the session is closed.
    app.teardown_appcontext(commit_if_read_only)


def commit_if_read_only(error: BaseException | None) -> None:
    session = db.session()
    if (error is None and session.in_transaction() and not session.info.get(WROTE)
            and not (session.new or session.dirty or session.deleted)):
        expire_on_commit = session.expire_on_commit
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire_on_commit


@sa.event.listens_for(so.Session, "after_flush")
def _flushed(session: so.Session, context: object) -> None:
    session.info[WROTE] = True


@sa.event.listens_for(so.Session, "do_orm_execute")
def _executed(state: so.ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


@sa.event.listens_for(so.Session, "after_transaction_end")
def _ended(session: so.Session, transaction: so.SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE, None)
