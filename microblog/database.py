"""Database tuning, in one place: what each connection is told, and how some statements run.

Nothing here changes what a query returns; every hook changes how the database
gets there. They are registered on SQLAlchemy's ``Engine`` class when this module is
imported (by :mod:`microblog.extensions`, before any engine exists), so they apply
to every engine the app creates, the test suite's included.

- **SQLite enforces foreign keys** (:func:`_sqlite_enforces_foreign_keys`): it ignores
  them, ``ON DELETE CASCADE`` included, unless each connection asks.
- **PostgreSQL speaks UTC** (:func:`_postgresql_speaks_utc`): a startup option, so
  psycopg reads times with Python's own ``timezone.utc``.
- **A connection the server closed is never handed out** (:func:`_closed_by_the_server`),
  found without a round trip: the socket of a connection the server ended has something
  to read, and a healthy idle one has nothing.
- **Some statements are planned each time** (:data:`PLAN_EACH_TIME`): psycopg
  *prepares* a statement it has run 5 times on a connection, and PostgreSQL may then
  keep one *generic* plan for it, chosen without its values. For a statement whose
  best plan depends on the values (the home timeline's), that plan can be ten times
  slower; marked statements are sent unprepared.
- **The pages' statements are built once** (:func:`built_once`): building a
  SQLAlchemy statement is Python work, a fifth of a timeline page's; a statement kept
  is run again with new values, as bound parameters.
- **A request that only read ends with COMMIT** (:func:`commit_if_read_only`): on
  ROLLBACK psycopg throws away the statements it prepared on the connection, and
  their plans with them; COMMIT keeps them. Planning is most of a timeline query's
  time at the database.

The learning guide's performance chapter (``docs/27-performance.md``) explains each.
"""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask
from psycopg import Connection as PsycopgConnection

T = TypeVar("T")


def init_app(app: Flask) -> None:
    """Hook what runs per request. Teardown functions run in reverse order of
    registration: this one is registered after Flask-SQLAlchemy's, so it runs before
    the session is closed."""
    app.teardown_appcontext(commit_if_read_only)


# What every connection is told ------------------------------------------------

@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection, connection_record) -> None:
    """SQLite ignores ``ON DELETE CASCADE`` (and every foreign key) unless each
    connection asks it not to; PostgreSQL always enforces them."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _postgresql_speaks_utc(dialect, connection_record, cargs, cparams) -> None:
    """Each PostgreSQL session's time zone is ``UTC``, whatever the server's default.

    Times come back in the session's zone. Named exactly ``UTC``, psycopg converts
    them with Python's own ``timezone.utc``; under a name like ``Etc/UTC`` (a common
    server default, the same zone) it converts each value through the tz database,
    a third of psycopg's work in reading a page of 25 posts. Set when connecting, as
    a startup option: no statement, no round trip. (A pooler that refuses startup
    options, PgBouncer unless told to ignore ``options``, would refuse connections;
    without the option, times are still read right, :class:`UTCDateTime` converts them.)
    """
    if dialect.name == "postgresql":
        cparams["options"] = " ".join(filter(None, [cparams.get("options"), "-c timezone=UTC"]))


# A connection checked at checkout, without a round trip ------------------------

@sa.event.listens_for(sa.pool.Pool, "checkout")
def _closed_by_the_server(dbapi_connection, connection_record, connection_proxy) -> None:
    """Hand no request a PostgreSQL connection that the server has closed.

    A connection waits in the pool between requests. If PostgreSQL restarted meanwhile,
    or ended the session (``pg_terminate_backend``, ``idle_session_timeout``), the next
    statement on it fails: a 500 for whoever drew it. SQLAlchemy's ``pool_pre_ping``
    finds out by sending ``SELECT 1`` at every checkout, a round trip per request (4.5 %
    of an API read's throughput in ``make bench``). But a server that ends a session
    says so and closes the socket (an error message, then end of file), while a healthy
    idle connection has nothing to read: so the socket is asked, with no wait (``poll``
    with a timeout of 0). A connection with anything to read is given up; raising
    ``DisconnectionError`` makes the pool connect afresh (three tries: if the database
    is down, the request fails as it would have). Something harmless to read (a setting
    the server reports, changed by a reload) costs one new connection, nothing more.

    A host that vanished without closing anything is not seen here, but a ``SELECT 1``
    would not have seen it either: it would wait as long as the request's statement.
    SQLite's connections are files, with nothing to check.
    """
    if not isinstance(dbapi_connection, PsycopgConnection):
        return
    if dbapi_connection.closed or _has_something_to_read(dbapi_connection.fileno()):
        raise sa.exc.DisconnectionError("the database server closed this connection")


def _has_something_to_read(fd: int) -> bool:
    poller = select.poll()  # not select.select, which refuses descriptors above 1023
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))  # POLLHUP and POLLERR are reported even when not asked


# Statements planned each time -------------------------------------------------

# An execution option: ``select(...).execution_options(**{PLAN_EACH_TIME: True})``.
PLAN_EACH_TIME = "microblog_plan_each_time"


@sa.event.listens_for(sa.engine.Engine, "do_execute")
def _planned_with_its_values(cursor, statement, parameters, context) -> bool:
    """Send a statement marked :data:`PLAN_EACH_TIME` unprepared, so PostgreSQL plans it
    each time for the values it is given; any other statement goes the usual way.

    psycopg prepares a statement once it has run it 5 times on a connection, and after 5
    more PostgreSQL may keep one generic plan for it, chosen without the values. That
    suits most statements; it does not suit one whose best plan depends on them, such as
    the home timeline's, where the people followed may write half the site or almost
    nothing (its generic plan read all 20,000 posts of the people followed, 10 times
    slower, where the plan for the values walks the newest posts). Returning True says
    the statement has been sent; False lets SQLAlchemy send it.
    """
    if context.execution_options.get(PLAN_EACH_TIME) and context.dialect.driver == "psycopg":
        cursor.execute(statement, parameters, prepare=False)
        return True
    return False


# Statements built once ----------------------------------------------------------

_BUILT: dict[Hashable, object] = {}
_BUILT_IDS: set[int] = set()  # never reused: what is kept in _BUILT is never freed


def built_once(name: Hashable, build: Callable[[], T]) -> T:
    """The statement ``build()`` makes, built the first time ``name`` is asked for and
    kept for every later request (of any app: a statement belongs to no database).

    Each ``.where()``, ``.join()`` or column of a statement is Python work, and so is
    running a statement SQLAlchemy has not seen before as an object: it finds the SQL
    it compiled for an equal one, then matches the result's columns to the new object's.
    For the statement of a page of posts that was a fifth of the page. Kept, a statement
    costs none of it: what differs from one view to the next (whose profile, who is
    looking, where the page starts) is a bound parameter, ``sa.bindparam("author_id")``,
    given its value each time it runs. ``build`` must therefore not close over such a
    value; ``name`` says which statement it is (two builds under one name are one).
    """
    found = _BUILT.get(name)
    if found is None:
        found = _BUILT[name] = build()
        _BUILT_IDS.add(id(found))
    return found  # type: ignore[return-value]


def is_built_once(statement: object) -> bool:
    """Whether ``statement`` came from :func:`built_once` (and so lives as long as the
    process): what code that keeps things under a statement's identity must be given."""
    return id(statement) in _BUILT_IDS


# A request that only read ends with COMMIT ------------------------------------

WROTE = "microblog.wrote"  # in Session.info while the transaction has sent a write


def commit_if_read_only(error: BaseException | None) -> None:
    """End the request's transaction with COMMIT if it only read, so psycopg keeps the
    statements it prepared (Flask-SQLAlchemy's ROLLBACK would throw them away).

    "Only read" is checked, not assumed: a request that ended with an error, that left
    changes not yet written, or whose transaction sent any write (:data:`WROTE`) is left
    to the ROLLBACK, so a half-done change is never committed by this. The commit leaves
    the loaded objects as they are: the session is closed right after, and expiring
    fifty posts and authors for nobody to read again was most of what it cost.
    """
    from microblog.extensions import db  # the extensions import this module first

    session = db.session()
    if (error is None and session.in_transaction() and not session.info.get(WROTE)
            and not (session.new or session.dirty or session.deleted)):
        try:
            with loaded_objects_kept(session):
                session.commit()
        except (sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            # The connection died under the COMMIT (the database restarted), or under a
            # read whose error the view caught and answered anyway (a live update that
            # could not be sent, after the post was saved): SQLAlchemy then refuses to
            # commit until the dead transaction is rolled back. A transaction that only
            # read loses nothing; but raising here would skip Flask-SQLAlchemy's teardown,
            # make the answer already given a 500, and leave the session half done.
            session.rollback()


@contextmanager
def loaded_objects_kept(session: so.Session) -> Iterator[None]:
    """Commit inside this without expiring what the session has loaded, so the page
    being built goes on using it, with no query to read each object again. For a
    commit whose change the caller has set on those objects itself (or does not show)."""
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
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
